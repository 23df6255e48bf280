"""Web research end to end on loopback: search, capped page fetches, main text, store cache."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from booth.core.resilience import CircuitBreaker
from booth.core.stores import build_stores
from booth.providers.pages import fetch_page
from booth.providers.search import SearxngSearch
from booth.providers.store import MemoryProviderStore, provider_store_for
from booth.providers.web import WebLimits, WebResearcher, search_key
from tests.support.web_servers import Hit, PageServer, SearxngServer, article

ABOUT = article(
    "Engineering at Northwind",
    [
        "Northwind builds logistics software in Go and PostgreSQL, deployed on Kubernetes.",
        "Our engineers own services end to end and practise code review on every change.",
    ],
)


@pytest.fixture(scope="module")
def pages():
    with PageServer({"/about": ABOUT, "/jobs": article("Jobs", ["We hire in Berlin."])}) as s:
        yield s


@pytest.fixture
async def http():
    async with httpx.AsyncClient(timeout=2.0) as client:
        yield client


async def test_a_page_keeps_its_main_text_only(pages, http):
    page = await fetch_page(
        http, pages.url + "/about", max_bytes=100_000, timeout=2, max_chars=5000
    )
    assert page is not None and page.title == "Engineering at Northwind"
    assert "PostgreSQL" in page.text and "Cookies" not in page.text and "Blog" not in page.text


@pytest.mark.parametrize("path", ["/huge", "/slow", "/cut", "/binary", "/missing"])
async def test_pages_past_the_limits_are_skipped(pages, http, path):
    page = await fetch_page(http, pages.url + path, max_bytes=200_000, timeout=0.5, max_chars=5000)
    assert page is None


async def test_a_huge_page_is_abandoned_at_the_cap(pages, http):
    await fetch_page(http, pages.url + "/huge", max_bytes=200_000, timeout=5, max_chars=5000)
    for _ in range(500):  # the server notices that the client left
        if "/huge" in pages.closed_early:
            break
        await asyncio.sleep(0.01)
    assert "/huge" in pages.closed_early


async def test_research_searches_fetches_and_caches_by_the_built_query(pages, http):
    def results(query: str) -> list[Hit]:
        return [
            Hit("About", pages.url + "/about", "snippet about"),
            Hit("Broken", pages.url + "/cut", "Northwind is hiring Go engineers"),
            Hit("Missing", pages.url + "/missing", ""),
        ]

    with SearxngServer(results) as search:
        researcher = WebResearcher(
            SearxngSearch(http, CircuitBreaker("search"), search.url),
            CircuitBreaker("search"),
            http,
            MemoryProviderStore(),
            WebLimits(pages=3, page_timeout=1),
            cache_ttl=60,
        )
        found = await researcher.research("Northwind  Backend Engineer")
        assert [p.title for p in found] == ["Engineering at Northwind", "Broken"]
        assert found[1].text == "Northwind is hiring Go engineers"  # the snippet stands in
        again = await researcher.research("northwind backend engineer")
        assert again == found
        assert len(search.requests) == 1, "the second, equal query came from the cache"
        assert search.requests[0]["q"] == "northwind backend engineer"


@pytest.mark.parametrize("backend", ["memory", "redis"])
async def test_the_search_cache_is_shared_where_the_sessions_are(backend, request):
    url = request.getfixturevalue("redis_url") if backend == "redis" else "memory"
    stores = build_stores(url)
    try:
        cache = provider_store_for(stores.sessions)
        key = search_key("northwind backend engineer")
        assert await cache.get(key) is None
        await cache.set(key, [{"url": "https://example.com", "title": "t", "text": "x"}], ttl=60)
        assert (await cache.get(key))[0]["title"] == "t"
        assert await stores.sessions.count() == 0, "cache entries are not sessions"
    finally:
        await stores.close()


def test_search_keys_are_bounded_and_stable():
    assert search_key("a " * 1000) == search_key("a " * 1000)
    assert len(search_key("a " * 1000)) < 60
