"""Web search over the Google Programmable Search JSON API or a SearXNG instance.

Both answer the same question - "which pages match this query?" - as a list of `SearchHit`.
The HTTP client is shared; each call carries its own query, so nothing request-scoped lives on
it. Every call goes through the provider's breaker; any failure is `SearchUnavailable`.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Protocol

import httpx
from pydantic import BaseModel, Field, ValidationError

from booth.core.errors import BoothError
from booth.core.resilience import CircuitBreaker

GOOGLE_CSE_URL = "https://www.googleapis.com/customsearch/v1"
MAX_QUERY_CHARS = 200


class SearchHit(BaseModel):
    title: str = Field(max_length=500)
    url: str = Field(pattern=r"^https?://", max_length=2000)
    snippet: str = Field("", max_length=2000)


class SearchUnavailable(Exception):
    """The search upstream failed or its breaker is open; `upstream` names the breaker."""

    def __init__(self, upstream: str, reason: str) -> None:
        super().__init__(f"{upstream}: {reason}")
        self.upstream = upstream
        self.reason = reason


class SearchProvider(Protocol):
    name: str

    async def search(self, query: str, count: int) -> list[SearchHit]: ...


def normalise_query(query: str) -> str:
    """The cache key's form of a query booth built: NFKC, lower case, single spaces, bounded."""
    text = unicodedata.normalize("NFKC", query).lower()
    return re.sub(r"\s+", " ", text).strip()[:MAX_QUERY_CHARS]


def _hits(items: list[Any], url_key: str, snippet_key: str) -> list[SearchHit]:
    """Provider items as hits; an item that is not a usable web result is skipped."""
    out = []
    for item in items:
        if not isinstance(item, dict):
            continue
        try:
            out.append(
                SearchHit(
                    title=str(item.get("title") or "")[:500],
                    url=str(item.get(url_key) or ""),
                    snippet=str(item.get(snippet_key) or "")[:2000],
                )
            )
        except ValidationError:
            continue
    return out


class _HTTPSearch:
    """What both providers share: the client, the breaker, the error mapping."""

    name = "search"

    def __init__(self, http: httpx.AsyncClient, breaker: CircuitBreaker) -> None:
        self.http = http
        self.breaker = breaker

    async def _get_json(self, url: str, params: dict[str, str | int]) -> dict[str, Any]:
        async def call() -> dict[str, Any]:
            response = await self.http.get(url, params=params)
            response.raise_for_status()
            body = response.json()
            if not isinstance(body, dict):
                raise ValueError("the answer is not a JSON object")
            return body

        try:
            return await self.breaker.call(call)
        except BoothError as exc:  # breaker open
            raise SearchUnavailable(self.breaker.name, exc.message) from None
        except httpx.HTTPStatusError as exc:
            raise SearchUnavailable(self.breaker.name, f"HTTP {exc.response.status_code}") from None
        except (httpx.HTTPError, ValueError) as exc:
            raise SearchUnavailable(self.breaker.name, type(exc).__name__) from None


class GoogleSearch(_HTTPSearch):
    """Google Programmable Search (Custom Search JSON API): `GET ?key=&cx=&q=&num=`."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        breaker: CircuitBreaker,
        key: str,
        engine_id: str,
        base_url: str = GOOGLE_CSE_URL,
    ) -> None:
        super().__init__(http, breaker)
        self.key = key
        self.engine_id = engine_id
        self.base_url = base_url

    async def search(self, query: str, count: int) -> list[SearchHit]:
        params: dict[str, str | int] = {
            "key": self.key,
            "cx": self.engine_id,
            "q": query,
            "num": max(1, min(count, 10)),
        }
        body = await self._get_json(self.base_url, params)
        return _hits(body.get("items") or [], "link", "snippet")[:count]


class SearxngSearch(_HTTPSearch):
    """A SearXNG instance with the JSON format enabled: `GET /search?q=&format=json`."""

    def __init__(self, http: httpx.AsyncClient, breaker: CircuitBreaker, base_url: str) -> None:
        super().__init__(http, breaker)
        self.base_url = base_url.rstrip("/")

    async def search(self, query: str, count: int) -> list[SearchHit]:
        body = await self._get_json(f"{self.base_url}/search", {"q": query, "format": "json"})
        return _hits(body.get("results") or [], "url", "content")[:count]
