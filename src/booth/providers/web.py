"""Web research: search, fetch the best pages within limits, cache the result in the store.

`WebResearcher.research(query)` is what an app calls with a query *booth built* (an employer's
name and a role, normalised); the cache (the providers' store: Redis when sessions live there,
so replicas share it, else this process) is keyed by that query alone. The server installs one
researcher per host (`install_search`), with the search provider's breaker on `Host.breakers`.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass

import httpx

from booth.config import Settings
from booth.core.host import Host
from booth.core.resilience import CircuitBreaker
from booth.providers.pages import Page, fetch_page
from booth.providers.search import (
    GoogleSearch,
    SearchProvider,
    SearchUnavailable,
    SearxngSearch,
    normalise_query,
)
from booth.providers.store import ProviderStore, provider_store_for

log = logging.getLogger("booth.providers.web")

UPSTREAM = "search"


def search_key(built: str) -> str:
    """The cache key of a query booth built (hashed, so its length is bounded)."""
    return f"search:{hashlib.sha256(built.encode()).hexdigest()[:40]}"


HOST_KEY = "booth.providers.web"


@dataclass(frozen=True)
class WebLimits:
    results: int = 5  # hits asked of the search engine
    pages: int = 3  # of them fetched
    max_bytes: int = 1_000_000  # per page, read as a stream and abandoned past this
    page_timeout: float = 5.0
    max_chars: int = 20_000  # of main text kept per page


class WebResearcher:
    def __init__(
        self,
        provider: SearchProvider,
        breaker: CircuitBreaker,
        http: httpx.AsyncClient,
        cache: ProviderStore | None,
        limits: WebLimits = WebLimits(),
        cache_ttl: float = 3600.0,
    ) -> None:
        self.provider = provider
        self.breaker = breaker
        self.http = http
        self.cache = cache
        self.limits = limits
        self.cache_ttl = cache_ttl

    @property
    def upstream(self) -> str:
        return self.breaker.name

    async def close(self) -> None:
        await self.http.aclose()

    async def research(self, query: str) -> list[Page]:
        """Pages about `query` (booth's own query), from the cache or the web.

        Raises SearchUnavailable when the search engine fails; a page that cannot be fetched
        within the limits is represented by its search snippet, or left out.
        """
        built = normalise_query(query)
        cached = await self._cached(built)
        if cached is not None:
            return cached
        hits = await self.provider.search(built, self.limits.results)
        fetched = await asyncio.gather(
            *(
                fetch_page(
                    self.http,
                    hit.url,
                    max_bytes=self.limits.max_bytes,
                    timeout=self.limits.page_timeout,
                    max_chars=self.limits.max_chars,
                )
                for hit in hits[: self.limits.pages]
            )
        )
        pages = []
        for hit, page in zip(hits, fetched, strict=False):
            if page is not None:
                pages.append(page)
            elif hit.snippet:
                pages.append(Page(url=hit.url, title=hit.title or hit.url, text=hit.snippet))
        await self._store(built, pages)
        return pages

    async def _cached(self, built: str) -> list[Page] | None:
        if self.cache is None:
            return None
        try:
            value = await self.cache.get(search_key(built))
        except Exception:  # a store fault costs a cache miss, not the research
            log.warning("search cache read failed", exc_info=True)
            return None
        return [Page.model_validate(p) for p in value] if isinstance(value, list) else None

    async def _store(self, built: str, pages: list[Page]) -> None:
        if self.cache is None or not pages:
            return
        try:
            value = [p.model_dump() for p in pages]
            await self.cache.set(search_key(built), value, self.cache_ttl)
        except Exception:
            log.warning("search cache write failed", exc_info=True)


def build_provider(
    settings: Settings, http: httpx.AsyncClient, breaker: CircuitBreaker
) -> SearchProvider | None:
    """The provider `BOOTH_SEARCH_PROVIDER` names, or None (offline research only)."""
    if settings.search_provider == "google":
        if not (settings.google_cse_key and settings.google_cse_id):
            raise ValueError("BOOTH_SEARCH_PROVIDER=google needs BOOTH_GOOGLE_CSE_KEY and _ID")
        return GoogleSearch(
            http,
            breaker,
            settings.google_cse_key.get_secret_value(),
            settings.google_cse_id,
            settings.google_cse_url,
        )
    if settings.search_provider == "searxng":
        if not settings.searxng_url:
            raise ValueError("BOOTH_SEARCH_PROVIDER=searxng needs BOOTH_SEARXNG_URL")
        return SearxngSearch(http, breaker, settings.searxng_url)
    return None


def install_search(host: Host, settings: Settings) -> WebResearcher | None:
    """Create this host's researcher and its breaker, if a search provider is configured."""
    if settings.search_provider is None:
        return None
    breaker = CircuitBreaker(
        UPSTREAM, failure_threshold=settings.breaker_failures, reset_after=settings.breaker_reset
    )
    timeout = httpx.Timeout(settings.search_timeout)
    http = httpx.AsyncClient(timeout=timeout, headers={"User-Agent": "booth-research/0.1"})
    provider = build_provider(settings, http, breaker)
    assert provider is not None
    limits = WebLimits(page_timeout=settings.search_timeout)
    researcher = WebResearcher(
        provider,
        breaker,
        http,
        provider_store_for(host.sessions),
        limits,
        settings.search_cache_ttl,
    )
    host.breakers[UPSTREAM] = breaker
    return host.shared(HOST_KEY, lambda: researcher)


def web_of(host: Host) -> WebResearcher | None:
    """This host's researcher, or None when no search provider is configured."""
    return host.shared(HOST_KEY, lambda: None)


__all__ = ["SearchUnavailable", "WebResearcher", "install_search", "web_of"]
