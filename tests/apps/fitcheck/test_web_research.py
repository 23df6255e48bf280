"""Fit Check researching the live web: loopback search engines and pages, real booth server."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from booth.apps.fitcheck.router import create_router
from booth.config import Settings
from booth.server import create_app
from tests.apps.fitcheck.model import FitCheckModel
from tests.apps.fitcheck.streams import check_order, read_stream
from tests.support.openai_server import OpenAIServer
from tests.support.servers import ThreadServer
from tests.support.web_servers import (
    GoogleSearchServer,
    Hit,
    PageServer,
    SearchFault,
    SearxngServer,
    article,
)

QUERY = "Zephyrine Freight software engineer"
PAGE = article(
    "Engineering at Zephyrine Freight",
    [
        "Zephyrine Freight is a logistics company. Our backend is written in Python and Go, "
        "with PostgreSQL, Kafka and Redis, running on Kubernetes in AWS.",
        "We look for engineers with system design experience, strong testing habits and "
        "ownership of services in production. Terraform and Docker are used everywhere.",
    ],
)
SETTINGS = dict(store="memory", ui=False, run_deadline=120, breaker_failures=1000)


@pytest.fixture(scope="module")
def pages():
    with PageServer({"/engineering": PAGE}) as server:
        yield server


def hits_for(pages: PageServer):
    def results(query: str) -> list[Hit]:
        return [Hit("Zephyrine engineering", pages.url + "/engineering", "Logistics software")]

    return results


def start_booth(**settings) -> ThreadServer:
    app = create_app(Settings(**{**SETTINGS, **settings}), routers=[create_router])
    return ThreadServer(app).start()


async def run(booth: ThreadServer, query: str = QUERY):
    async with httpx.AsyncClient(base_url=booth.url, timeout=60) as client:
        return await read_stream(client, {"query": query})


async def test_an_employer_outside_the_knowledge_base_is_researched_on_the_web(pages):
    offline = start_booth()
    try:
        assert (await run(offline)).result["tier"] == "INSUFFICIENT_DATA"
    finally:
        offline.stop()
    with SearxngServer(hits_for(pages)) as search:
        booth = start_booth(search_provider="searxng", searxng_url=search.url)
        try:
            stream = await run(booth)
            check_order(stream)
            result = stream.result
            assert result["tier"] != "INSUFFICIENT_DATA"
            web = [s for s in result["sources"] if s["type"] == "web_page"]
            assert web and web[0]["url"] == pages.url + "/engineering"
            assert "web_research" in result["flags"]
            query = search.requests[0]["q"]
            assert query == query.lower() and "zephyrine freight" in query
            await run(booth)
            assert len(search.requests) == 1, "the second run read the store cache"
            health = httpx.get(booth.url + "/health").json()
            assert health["breakers"] == {"search": "closed"}
        finally:
            booth.stop()


async def test_google_programmable_search_is_used_the_same_way(pages):
    with GoogleSearchServer(hits_for(pages)) as google:
        booth = start_booth(
            search_provider="google",
            google_cse_key=google.key,
            google_cse_id=google.engine_id,
            google_cse_url=google.endpoint,
        )
        try:
            stream = await run(booth)
            assert any(s["type"] == "web_page" for s in stream.result["sources"])
            assert google.requests[0]["key"] == google.key
        finally:
            booth.stop()


@pytest.mark.parametrize(
    "fault",
    [
        SearchFault("status", status=500),
        SearchFault("status", status=429, retry_after=5),
        SearchFault("malformed"),
        SearchFault("slow", delay=5),
    ],
    ids=["500", "429", "malformed", "slow"],
)
async def test_a_failing_search_engine_leaves_the_offline_path_and_says_degraded(pages, fault):
    with SearxngServer(hits_for(pages), fault=fault) as search:
        booth = start_booth(search_provider="searxng", searxng_url=search.url, search_timeout=1)
        try:
            stream = await run(booth, "Stripe backend engineer")
            kinds = [kind for _, kind, _ in stream.events]
            assert kinds.count("complete") == 1 and "error" not in kinds
            (degraded,) = [s for s in stream.of("status") if s["status"] == "degraded"]
            assert degraded["upstream"] == "search"
            assert "web_search_unavailable" in stream.result["flags"]
            assert stream.result["tier"] != "INSUFFICIENT_DATA"  # the knowledge base still knows
        finally:
            booth.stop()


async def test_a_gone_search_engine_is_degraded_too():
    gone = SearxngServer(lambda q: []).start()
    gone.stop()
    booth = start_booth(search_provider="searxng", searxng_url=gone.url)
    try:
        stream = await run(booth, "Stripe backend engineer")
        assert stream.events[-1][1] == "complete"
        assert [s["upstream"] for s in stream.of("status") if s["status"] == "degraded"] == [
            "search"
        ]
    finally:
        booth.stop()


async def test_with_a_model_the_pages_are_summarised_and_read_for_requirements(pages):
    with SearxngServer(hits_for(pages)) as search, OpenAIServer(FitCheckModel()) as model:
        booth = start_booth(
            search_provider="searxng",
            searxng_url=search.url,
            llm_base_url=model.base_url,
            llm_model="test-model",
        )

        def summary_or_reading(call):
            if call.schema_name == "ResearchSummary":
                return (
                    '{"summary": "A logistics company using Python and Go.", '
                    '"industry": "logistics", "tech_stack": ["Python", "Go"]}'
                )
            return FitCheckModel()(call)

        model.responder = summary_or_reading
        try:
            stream = await run(booth)
            research = next(
                d["data"] for d in stream.of("phase_complete") if d["phase"] == "deep_research"
            )
            assert research["web_summary"] == "A logistics company using Python and Go."
            reading = next(c for c in model.chat_calls if c.schema_name == "JobReading")
            assert '<data kind="web_page">' in reading.last_user_text
            assert "PostgreSQL" in reading.last_user_text and "Cookies" not in reading.text
        finally:
            booth.stop()


async def test_a_timed_out_run_closes_its_page_fetches(pages):
    def slow_page(query: str) -> list[Hit]:
        return [Hit("Slow", pages.url + "/slow", "")]

    with SearxngServer(slow_page) as search:
        booth = start_booth(
            search_provider="searxng", searxng_url=search.url, search_timeout=20, run_deadline=1.5
        )
        try:
            pages.closed_early.clear()
            stream = await run(booth)
            assert [e["code"] for e in stream.of("error")] == ["TIMEOUT"]
            for _ in range(500):
                if "/slow" in pages.closed_early:
                    break
                await asyncio.sleep(0.01)
            assert "/slow" in pages.closed_early, "the page fetch was left running"
        finally:
            booth.stop()
