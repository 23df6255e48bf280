"""The seed's Fit Check as a LangGraph graph, served by booth like any hosted agent."""

from __future__ import annotations

import httpx
import pytest

from booth.apps.fitcheck.models import PHASES
from booth.config import Settings
from booth.server import create_app
from tests.support.servers import ThreadServer
from tests.support.sse import assert_well_formed, post_stream

STREAM = "/api/agents/fitgraph/stream"
QUERY = "Senior Python backend engineer at Stripe building APIs with FastAPI"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    store = f"sqlite:///{tmp_path_factory.mktemp('fitgraph')}/booth.db"
    settings = Settings(store=store, ui=False, apps=["fitgraph=examples.fitcheck_langgraph:graph"])
    live = ThreadServer(create_app(settings)).start()  # with the built-in apps, to compare
    yield live
    live.stop()


async def test_the_graph_runs_the_seeds_eight_phases_in_order(server):
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        got = await post_stream(http, STREAM, {"input": {"query": QUERY}})
    assert_well_formed(got)
    assert [p["phase"] for p in got.of("phase")] == list(PHASES)
    assert [p["phase"] for p in got.of("phase_complete")] == list(PHASES)
    assert "(HIGH)" in got.of("phase_complete")[-2]["summary"]
    answer = "".join(chunk["chunk"] for chunk in got.of("response"))
    assert answer.startswith("### ") and "Fit Analysis" in answer.splitlines()[0]
    assert any(t["type"] == "tool_call" for t in got.of("thought"))


async def test_it_scores_as_booths_own_fit_check_does(server):
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        graph = await http.post("/api/agents/fitgraph/invoke", json={"input": {"query": QUERY}})
        builtin = await post_stream(http, "/api/fit-check/stream", {"query": QUERY})
        graph_stream = await post_stream(http, STREAM, {"input": {"query": QUERY}})
    ours = graph.json()["result"]["result"]
    theirs = builtin.of("result")[0]
    assert (ours["score"], ours["tier"]) == (theirs["score"], theirs["tier"])
    assert ours["strengths"] == theirs["strengths"]
    graph_summaries = [p["summary"] for p in graph_stream.of("phase_complete")]
    assert graph_summaries == [p["summary"] for p in builtin.of("phase_complete")]


async def test_a_follow_up_sees_the_threads_earlier_checks(server):
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        first = await http.post("/api/agents/fitgraph/invoke", json={"input": {"query": QUERY}})
        opened = first.json()
        second = await post_stream(
            http,
            STREAM,
            {"input": {"query": "what is the weather like"}, "session_id": opened["session_id"]},
            headers={"X-Session-Token": opened["session_token"]},
        )
        stranger = await http.post(
            "/api/agents/fitgraph/invoke", json={"input": {"query": "Data engineer at Stripe"}}
        )
    assert_well_formed(second)
    assert [p["phase"] for p in second.of("phase")] == ["connecting", "generate_results"]
    checks = second.of("result")[0]["checks"]
    assert [c["query"] for c in checks] == [QUERY, "what is the weather like"]
    assert [c["query"] for c in stranger.json()["result"]["checks"]] == ["Data engineer at Stripe"]
