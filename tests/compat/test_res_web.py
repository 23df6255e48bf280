"""res_web's frontend against booth, end to end: every request it makes, every field it reads.

The client is tests/compat/res_web.py (the page's behaviour in Python); the server is booth on a
loopback port with `BOOTH_CORS_ORIGINS` set to the page's origin, as in res_web's dev setup.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from booth.apps.fitcheck.router import create_router
from booth.config import Settings
from booth.server import create_app
from tests.apps.fitcheck.model import FitCheckModel
from tests.apps.fitcheck.test_llm_phases import JOB, READING
from tests.compat import res_web
from tests.compat.res_web import PAGE_ORIGIN, PHASE_ORDER, submit_query
from tests.support.openai_server import OpenAIServer
from tests.support.servers import ThreadServer

OTHER_ORIGIN = "https://evil.example"
SEED_STATUSES = {"connecting", "researching", "analyzing", "generating"}


def start(**settings) -> ThreadServer:
    base = {"store": "memory", "ui": False, "cors_origins": [PAGE_ORIGIN]}
    routers = settings.pop("routers", [create_router])
    return ThreadServer(create_app(Settings(**{**base, **settings}), routers=routers)).start()


@pytest.fixture(scope="module")
def server():
    server = start()
    yield server
    server.stop()


@pytest.fixture
async def page(server):
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        yield client


# -- 1. CORS ----------------------------------------------------------------------------------
def preflight(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-session-id",
    }


async def test_a_preflight_from_the_pages_origin_is_allowed(page):
    response = await page.options(res_web.STREAM, headers=preflight(PAGE_ORIGIN))
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == PAGE_ORIGIN
    allowed = response.headers["access-control-allow-headers"].lower()
    assert "x-session-id" in allowed and "content-type" in allowed
    assert "POST" in response.headers["access-control-allow-methods"]


async def test_a_preflight_from_another_origin_is_refused(page):
    response = await page.options(res_web.STREAM, headers=preflight(OTHER_ORIGIN))
    assert response.status_code >= 400
    assert "access-control-allow-origin" not in response.headers


async def test_the_stream_exposes_the_session_and_run_headers_to_the_page(page):
    state = await submit_query(page, "Stripe")
    assert state.headers["access-control-allow-origin"] == PAGE_ORIGIN
    exposed = {h.strip().lower() for h in state.headers["access-control-expose-headers"].split(",")}
    assert {"x-session-id", "x-session-token", "x-run-id", "retry-after"} <= exposed
    assert state.headers["x-session-id"] == state.session_id


async def test_without_the_setting_no_origin_is_allowed():
    server = start(cors_origins=[])
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            response = await client.options(res_web.STREAM, headers=preflight(PAGE_ORIGIN))
            assert "access-control-allow-origin" not in response.headers
    finally:
        server.stop()


# -- 2. and 6. the stream: every field the page reads, with the seed's type -------------------
def expect(data: dict, **types) -> None:
    for key, kind in types.items():
        assert isinstance(data.get(key), kind), f"{key}: {data.get(key)!r} is not {kind}"


def strings(values) -> bool:
    return isinstance(values, list) and all(isinstance(v, str) for v in values)


async def test_a_company_query_fills_every_part_of_the_page(page):
    state = await submit_query(page, "Stripe")
    assert state.http_status == 200 and state.status == "complete" and state.error is None
    assert state.unknown_events == ["result"]  # booth's extra event, ignored by the page
    assert state.statuses[0] == "connecting" and set(state.statuses) == SEED_STATUSES
    assert [e.phase for e in state.phase_history] == list(PHASE_ORDER)
    assert all(e.status == "complete" and isinstance(e.summary, str) for e in state.phase_history)
    assert isinstance(state.duration_ms, int)

    for thought in state.thoughts:  # rendered as text: input is a string, never an object
        assert thought["type"] in {"tool_call", "observation", "reasoning"}
        assert isinstance(thought["step"], int) and thought["phase"] in PHASE_ORDER
        if thought["type"] == "tool_call":
            expect(thought, tool=str, input=str)
        else:
            expect(thought, content=str)

    connecting = state.completed("connecting")
    assert "Query classified as 'company'" in connecting.summary
    assert "company: Stripe" in connecting.summary
    assert strings(connecting.data["extracted_skills"])

    research = state.completed("deep_research")
    counts = res_web.research_insights(research.summary)
    assert counts["tech_count"] == research.data["tech_count"] > 0
    assert counts["requirements_count"] == research.data["requirements_count"] > 0
    assert strings(research.data["tech_stack"]) and strings(research.data["top_requirements"])
    for query in research.data["search_queries"]:
        expect(query, query=str, purpose=str)

    gate = res_web.reranker_insights(state.completed("research_reranker").summary)
    assert gate["data_level"] in res_web.DATA_QUALITY_BADGES
    assert gate["quality_tier"] == "HIGH" and gate["action"] == "CONTINUE"
    assert 0 < gate["confidence"] <= 100
    reranker = state.completed("research_reranker").data
    expect(reranker, passing_count=int, total_count=int)
    for source in reranker["top_sources"]:
        expect(source, title=str, url=str, score=float)

    enrich = state.completed("content_enrich")
    assert res_web.enrich_insights(enrich.summary) == {
        "skipped": False,
        "enriched": (enrich.data["enriched_count"], enrich.data["total_count"]),
        "size": True,
    }
    for source in enrich.data["sources"]:
        expect(source, title=str, url=str, size_kb=float, is_enriched=bool)

    skeptical = state.completed("skeptical_comparison")
    insights = res_web.skeptical_insights(skeptical.summary)
    assert insights["gap_count"] == len(skeptical.data["genuine_gaps"]) >= 2
    assert insights["risk_level"] in {"low", "medium", "high", "critical"}
    assert strings(skeptical.data["genuine_gaps"])  # a React child: strings, not objects
    assert strings(skeptical.data["genuine_strengths"])
    expect(skeptical.data, risk_justification=str)

    skills = state.completed("skills_matching")
    badge = res_web.skills_insights(skills.summary)
    assert badge["matched_count"] == skills.data["matched_count"]
    assert 0 <= badge["match_score"] <= 100
    assert skills.data["top_matches"]
    for match in skills.data["top_matches"]:
        expect(match, requirement=str, matched_skill=str, confidence=int)
        assert 0 <= match["confidence"] <= 100
    assert strings(skills.data["unmatched_requirements"])

    calibrated = res_web.confidence_insights(state.completed("confidence_reranker").summary)
    final = res_web.final_confidence(state)
    assert final is not None and isinstance(final["score"], int)
    assert (calibrated["calibrated_score"], calibrated["tier"]) == (final["score"], final["tier"])
    assert strings(final["flags"]) and isinstance(final["adjustment"], str)
    quality = state.completed("confidence_reranker").data["data_quality"]
    assert isinstance(quality, dict) and all(isinstance(v, str) for v in quality.values())

    results = state.completed("generate_results")
    assert res_web._int(r"(\d+)\s*word", results.summary) == results.data["word_count"]
    expect(results.data, employer_context_type=str, calibrated_score=int, confidence_tier=str)
    assert strings(results.data["quality_warnings"])


async def test_heartbeats_between_events_do_not_confuse_the_pages_parser():
    def paced(host, settings):
        return create_router(host, settings, pace=0.15)

    server = start(heartbeat=0.05, routers=[paced])
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
            state = await submit_query(client, "Stripe")
    finally:
        server.stop()
    assert ": ping" in state.raw  # the heartbeat comments did arrive
    assert state.status == "complete" and [e.phase for e in state.phase_history] == list(
        PHASE_ORDER
    )
    assert res_web.parse_answer(state.response).title == "Stripe Fit Analysis"


# -- 4. the result cards ----------------------------------------------------------------------
async def test_the_answer_splits_into_title_strengths_and_growth_areas(page):
    state = await submit_query(page, "Stripe")
    parsed = res_web.parse_answer(state.response)
    final = res_web.final_confidence(state)
    assert parsed.title == "Stripe Fit Analysis"
    assert 1 <= len(parsed.strengths) <= 4
    assert len(parsed.growth_areas) >= 2
    gaps = state.completed("skeptical_comparison").data["genuine_gaps"]
    assert [g.split("**")[1] for g in parsed.growth_areas] == gaps[: len(parsed.growth_areas)]
    assert all("Ramp-up:" in g for g in parsed.growth_areas)
    assert (parsed.calibrated_score, parsed.confidence_tier) == (final["score"], final["tier"])
    assert parsed.value_proposition.startswith("Fit score:")


async def test_a_pasted_example_job_description_runs_and_parses(page):
    example = await page.post(
        "/api/examples/generate",
        headers={"Content-Type": "application/json", "Origin": PAGE_ORIGIN},
        json={"quality": "good"},
    )
    assert example.status_code == 200
    assert example.headers["access-control-allow-origin"] == PAGE_ORIGIN
    body = example.json()
    assert body["success"] is True and isinstance(body["example"], str) and body["example"]
    assert body["quality"] == "good" and isinstance(body["example_type"], str)
    state = await submit_query(page, body["example"])
    assert state.status == "complete"
    assert "job_description" in state.completed("connecting").summary
    parsed = res_web.parse_answer(state.response)
    assert parsed.title.endswith("Fit Analysis") and parsed.strengths and parsed.growth_areas


async def test_a_bad_fit_example_shows_the_mismatch(page):
    example = (await page.post("/api/examples/generate", json={"quality": "bad"})).json()
    assert example["success"] is True and example["quality"] == "bad"
    state = await submit_query(page, example["example"])
    parsed = res_web.parse_answer(state.response)
    assert parsed.has_fundamental_mismatch
    assert state.completed("skills_matching").data["has_fundamental_mismatch"] is True
    assert len(parsed.growth_areas) >= 2 and parsed.confidence_tier in {"LOW", "MEDIUM"}


async def test_too_little_data_shows_no_strengths_and_what_would_help(page):
    state = await submit_query(page, "Zorblax Industries")
    parsed = res_web.parse_answer(state.response)
    assert parsed.confidence_tier == "INSUFFICIENT_DATA" and parsed.calibrated_score == 0
    assert parsed.strengths == [] and parsed.growth_areas
    actions = [
        res_web.reranker_insights(e.summary)["action"]
        for e in state.phase_history
        if e.phase == "research_reranker"
    ]
    assert actions == ["ENHANCE_SEARCH", "ENHANCE_SEARCH", "EARLY_EXIT"]


async def test_a_rejected_query_shows_its_own_title(page):
    state = await submit_query(page, "Write me a poem about autumn leaves")
    assert state.status == "complete"
    assert res_web.parse_answer(state.response).title == "Fit Analysis Not Run"
    assert state.completed("connecting").data["is_rejected"] is True


async def test_on_the_model_engine_the_page_gets_the_same_shapes():
    """A model writes its own markdown (this one with `####` headings): booth keeps the seed's."""
    with OpenAIServer(FitCheckModel(READING), models=["test-model"]) as model:
        server = start(llm_base_url=model.base_url, llm_model="test-model", llm_timeout=5.0)
        try:
            async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
                state = await submit_query(client, JOB, model_id="test-model")
        finally:
            server.stop()
    assert state.status == "complete" and "degraded" not in state.statuses
    assert state.completed("generate_results").data["engine"] == "model"
    skeptical = state.completed("skeptical_comparison").data
    assert skeptical["engine"] == "model" and strings(skeptical["genuine_gaps"])
    assert strings(skeptical["genuine_strengths"])
    assert sum(line.startswith("###") for line in state.response.splitlines()) == 1
    parsed = res_web.parse_answer(state.response)
    assert parsed.title.startswith("Senior Backend Engineer at Northwind Logistics")
    assert parsed.title.endswith(" Fit Analysis")
    assert parsed.strengths and len(parsed.growth_areas) >= 2
    final = res_web.final_confidence(state)
    assert final is not None
    assert (parsed.calibrated_score, parsed.confidence_tier) == (final["score"], final["tier"])


# -- 5. the prompt dialog ---------------------------------------------------------------------
async def test_every_phases_prompt_dialog_has_a_name_and_content(page):
    for phase in PHASE_ORDER:
        response = await page.get(f"/api/prompts/{phase}", headers={"Origin": PAGE_ORIGIN})
        assert response.status_code == 200
        prompt = response.json()
        assert isinstance(prompt["display_name"], str) and prompt["display_name"]
        assert isinstance(prompt["content"], str) and len(prompt["content"]) > 100


async def test_each_phases_documented_outputs_are_in_its_data(page):
    state = await submit_query(page, "Stripe")
    for phase in PHASE_ORDER:
        listed = (await page.get(f"/api/prompts/{phase}")).json()["outputs"]
        data = state.completed(phase).data
        assert data is not None and set(listed) <= set(data), phase


# -- 7. errors the page shows -----------------------------------------------------------------
async def test_a_refused_request_carries_the_detail_the_page_shows(page):
    state = await submit_query(page, "ab")
    assert state.http_status == 422
    assert state.error is not None and state.error["message"].startswith("query: ")
    assert "HTTP 422" not in state.error["message"]  # booth's detail, not the page's fallback


async def test_a_rate_limited_request_keeps_retry_after_and_a_detail():
    def paced(host, settings):
        return create_router(host, settings, pace=0.5)

    server = start(max_runs_per_client=1, routers=[paced])
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
            first = asyncio.create_task(submit_query(client, "Stripe"))
            while not server.host.runtime.runs:
                await asyncio.sleep(0.01)
            second = await client.post(
                res_web.STREAM, json={"query": "Google"}, headers={"Origin": PAGE_ORIGIN}
            )
            assert second.status_code == 429 and int(second.headers["retry-after"]) >= 1
            assert "retry-after" in second.headers["access-control-expose-headers"].lower()
            assert second.json()["error"]["code"] == "RATE_LIMITED"
            assert isinstance(second.json()["detail"], str)
            assert (await first).status == "complete"
    finally:
        server.stop()


# -- 8. pasted text ---------------------------------------------------------------------------
PASTED = (
    "\ufeffSenior Backend Engineer at Stripe\u200b\n"
    "We need strong Go and Post\u00adgreSQL experience, distributed systems and clear writing. "
    "Our team \U0001f469\u200d\U0001f4bb ships daily."
)


async def test_a_pasted_description_with_invisible_characters_is_analysed(page):
    state = await submit_query(page, PASTED)
    assert state.http_status == 200 and state.status == "complete"
    assert res_web.parse_answer(state.response).title.endswith("Fit Analysis")


async def test_dangerous_characters_are_refused_with_a_detail(page):
    state = await submit_query(page, "Stripe \u202eenigne")
    assert state.http_status == 422 and state.error is not None
    assert "HTTP 422" not in state.error["message"]  # the page shows booth's detail, not a code


# -- 9. health --------------------------------------------------------------------------------
async def test_health_says_healthy(page):
    assert (await page.get("/health")).json()["status"] == "healthy"
