"""Web search providers against loopback servers speaking the Google CSE and SearXNG APIs."""

from __future__ import annotations

import httpx
import pytest

from booth.core.resilience import BreakerState, CircuitBreaker
from booth.providers.search import (
    GoogleSearch,
    SearchUnavailable,
    SearxngSearch,
    normalise_query,
)
from tests.support.web_servers import GoogleSearchServer, Hit, SearchFault, SearxngServer


def results(query: str) -> list[Hit]:
    return [
        Hit(f"{query} careers", f"https://example.com/{n}", f"About {query} #{n}") for n in range(8)
    ]


@pytest.fixture(scope="module")
def google():
    with GoogleSearchServer(results) as server:
        yield server


@pytest.fixture(scope="module")
def searxng():
    with SearxngServer(results) as server:
        yield server


@pytest.fixture
async def http():
    async with httpx.AsyncClient(timeout=1.0) as client:
        yield client


def google_provider(server: GoogleSearchServer, http, threshold: int = 5, key: str | None = None):
    return GoogleSearch(
        http,
        CircuitBreaker("search", failure_threshold=threshold),
        key or server.key,
        server.engine_id,
        server.endpoint,
    )


async def test_google_returns_hits_and_sends_key_engine_and_count(google, http):
    google.fault = None
    hits = await google_provider(google, http).search("stripe engineering", 3)
    assert [h.url for h in hits] == [f"https://example.com/{n}" for n in range(3)]
    assert hits[0].title == "stripe engineering careers"
    sent = google.requests[-1]
    assert sent["q"] == "stripe engineering" and sent["num"] == "3" and sent["cx"] == "test-cx"


async def test_searxng_returns_hits_in_json_format(searxng, http):
    searxng.fault = None
    hits = await SearxngSearch(http, CircuitBreaker("search"), searxng.url).search("kafka", 2)
    assert [h.snippet for h in hits] == ["About kafka #0", "About kafka #1"]
    assert searxng.requests[-1]["format"] == "json"


async def test_a_bad_key_is_an_upstream_error(google, http):
    google.fault = None
    with pytest.raises(SearchUnavailable, match="HTTP 400"):
        await google_provider(google, http, key="wrong").search("x", 3)


@pytest.mark.parametrize(
    "fault, reason",
    [
        (SearchFault("status", status=500), "HTTP 500"),
        (SearchFault("status", status=429, retry_after=2), "HTTP 429"),
        (SearchFault("malformed"), "JSONDecodeError"),
        (SearchFault("slow", delay=3), "ReadTimeout"),
    ],
    ids=["500", "429", "malformed", "slow"],
)
async def test_faults_are_search_unavailable(google, http, fault, reason):
    google.fault = fault
    try:
        with pytest.raises(SearchUnavailable, match=reason):
            await google_provider(google, http).search("x", 3)
    finally:
        google.fault = None


async def test_an_answer_of_the_wrong_shape_gives_no_hits(searxng, http):
    searxng.fault = SearchFault("invalid")
    try:
        assert await SearxngSearch(http, CircuitBreaker("s"), searxng.url).search("x", 3) == []
    finally:
        searxng.fault = None


async def test_hits_that_are_not_web_urls_are_dropped(http):
    def odd(query: str) -> list[Hit]:
        return [Hit("ok", "https://ok.example"), Hit("script", "javascript:alert(1)")]

    with SearxngServer(odd) as server:
        hits = await SearxngSearch(http, CircuitBreaker("s"), server.url).search("x", 5)
    assert [h.url for h in hits] == ["https://ok.example"]


async def test_a_gone_server_opens_the_breaker_and_then_fails_fast(http):
    server = SearxngServer(results).start()
    server.stop()
    provider = SearxngSearch(http, CircuitBreaker("search", failure_threshold=2), server.url)
    for _ in range(2):
        with pytest.raises(SearchUnavailable, match="ConnectError"):
            await provider.search("x", 3)
    assert provider.breaker.state is BreakerState.OPEN
    with pytest.raises(SearchUnavailable, match="circuit open"):
        await provider.search("x", 3)


def test_normalised_queries_are_the_cache_key_form():
    assert normalise_query("  Stripe\u00a0 ENGINEERING\n") == "stripe engineering"
    assert len(normalise_query("a " * 500)) == 200
