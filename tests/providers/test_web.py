"""Web research end to end on loopback: search, capped page fetches, main text, store cache."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from booth.core.resilience import CircuitBreaker
from booth.core.sessions.access import token_matches
from booth.core.sessions.base import Expiry
from booth.core.sessions.memory import MemorySessionStore
from booth.core.stores import build_stores
from booth.providers.cache import StoreCache, cache_key
from booth.providers.pages import fetch_page
from booth.providers.search import SearxngSearch
from booth.providers.web import WebLimits, WebResearcher
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

    store = MemorySessionStore(Expiry())
    with SearxngServer(results) as search:
        researcher = WebResearcher(
            SearxngSearch(http, CircuitBreaker("search"), search.url),
            CircuitBreaker("search"),
            http,
            StoreCache(store),
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


async def test_cache_entries_expire_and_cannot_be_opened_as_sessions():
    store = MemorySessionStore(Expiry())
    clock = [1000.0]
    store.clock = lambda: clock[0]
    cache = StoreCache(store)
    key = cache_key("search", "q")
    await cache.set(key, [1, 2], ttl=10)
    assert await cache.get(key) == [1, 2]
    clock[0] += 11
    assert await cache.get(key) is None
    record = await store.get(f"cache:{key}")
    assert record is not None and not token_matches("", record.token_hash)


@pytest.mark.parametrize("backend", ["memory", "sqlite", "redis"])
async def test_the_cache_lives_in_every_store_backend(backend, tmp_path, request):
    url = {"memory": "memory", "sqlite": f"sqlite:///{tmp_path / 'cache.db'}"}.get(backend)
    if backend == "redis":
        url = request.getfixturevalue("redis_url")
    stores = build_stores(url)
    try:
        cache = StoreCache(stores.sessions)
        key = cache_key("search", "northwind backend engineer")
        assert await cache.get(key) is None
        await cache.set(key, [{"url": "https://example.com", "title": "t", "text": "x"}], ttl=60)
        await cache.set(key, [{"url": "https://example.com", "title": "t2", "text": "y"}], ttl=60)
        assert (await cache.get(key))[0]["title"] == "t2"
    finally:
        await stores.close()
