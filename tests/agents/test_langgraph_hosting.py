"""A real LangGraph graph served by booth: its stream in booth's events, its thread per session."""

from __future__ import annotations

import httpx
import pytest

from booth.agents.loader import AppSpecError, load_app
from booth.config import Settings
from booth.isolation import verify_isolation
from booth.server import create_app
from tests.agents.crowd import crowd, wrong_token_is_refused
from tests.support.servers import ThreadServer
from tests.support.sse import assert_well_formed, post_stream

MEMO = "/api/agents/memo/stream"


def serve(store: str, **overrides) -> ThreadServer:
    settings = Settings(
        store=store,
        ui=False,
        max_runs=500,
        max_runs_per_client=500,
        apps=["memo=tests.agents.graphs:memo", "broken=tests.agents.graphs:broken"],
        **overrides,
    )
    return ThreadServer(create_app(settings, routers=[])).start()


@pytest.fixture(params=["sqlite", "redis"])
def server(request, tmp_path):
    store = (
        f"sqlite:///{tmp_path}/booth.db"
        if request.param == "sqlite"
        else request.getfixturevalue("redis_url")
    )
    live = serve(store)
    yield live
    live.stop()


def client(server) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    return httpx.AsyncClient(base_url=server.url, timeout=60, limits=limits)


def memo_inputs(canary: str) -> tuple[str, str]:
    return f"my code word is {canary}", "what did I say?"


async def test_thirty_users_two_turns_each_remember_only_their_own(server):
    async with client(server) as http:
        visitors = await crowd(http, MEMO, memo_inputs)
        for visitor in visitors:
            first, second = visitor.turns
            assert first.of("result")[0]["notes"] == [f"my code word is {visitor.canary}"]
            notes = second.of("result")[0]["notes"]
            assert notes == [f"my code word is {visitor.canary}", "what did I say?"]
            assert visitor.canary in "".join(e["chunk"] for e in second.of("response"))
        await wrong_token_is_refused(http, MEMO, visitors[0], "let me in")


async def test_graph_items_become_booth_events(server):
    async with client(server) as http:
        got = await post_stream(http, MEMO, {"input": {"messages": [("user", "hello there")]}})
    assert_well_formed(got)
    assert got.types == [
        "status",
        "phase",  # custom {"phase": "note"}
        "thought",  # custom {"type": "reasoning", …}
        "phase_complete",  # the note node's update
        "phase",
        "response",  # the reply node's AI message
        "phase_complete",
        "result",  # the final state
        "complete",
    ]
    assert got.of("status")[0]["kind"] == "langgraph"
    assert got.of("phase")[0] == {"phase": "note", "message": "noting what you said"}
    assert got.of("thought")[0]["content"] == "0 earlier notes"
    done = got.of("phase_complete")
    assert [d["phase"] for d in done] == ["note", "reply"]
    assert done[0]["data"] == {"notes": ["hello there"]}
    assert got.of("response") == [{"chunk": "Turn 1. You said: hello there"}]
    assert [m["type"] for m in got.of("result")[0]["messages"]] == ["human", "ai"]


async def test_invoke_answers_json_and_continues_the_session(server):
    async with client(server) as http:
        first = await http.post("/api/agents/memo/invoke", json={"input": "one"})
        assert first.status_code == 200
        body = first.json()
        assert body["session_token"] == first.headers["x-session-token"]
        assert body["response"] == "Turn 1. You said: one"
        second = await http.post(
            "/api/agents/memo/invoke",
            json={"input": "two", "session_id": body["session_id"]},
            headers={"X-Session-Token": body["session_token"]},
        )
        assert second.json()["result"]["notes"] == ["one", "two"]
        assert second.json()["session_token"] is None  # returned once, when minted


async def test_agents_are_listed_with_their_input_schema(server):
    async with client(server) as http:
        listed = (await http.get("/api/agents")).json()["agents"]
    memo = next(a for a in listed if a["name"] == "memo")
    assert memo["kind"] == "langgraph"
    assert memo["stream"] == MEMO and memo["invoke"] == "/api/agents/memo/invoke"
    assert [s["type"] for s in memo["input_schema"]["anyOf"]] == ["string", "object"]


async def test_input_the_graph_does_not_take_is_a_422(server):
    async with client(server) as http:
        refused = await http.post("/api/agents/memo/invoke", json={"input": {"nope": 1}})
        missing = await http.post("/api/agents/memo/invoke", json={})
    assert refused.status_code == 422
    assert "nope" in refused.json()["error"]["message"]
    assert missing.status_code == 422


async def test_a_failing_graph_ends_its_stream_with_one_error(server):
    async with client(server) as http:
        got = await post_stream(http, "/api/agents/broken/stream", {"input": "boom"})
        invoked = await http.post("/api/agents/broken/invoke", json={"input": "boom"})
    assert_well_formed(got)
    assert got.types[-1] == "error"
    assert got.of("error")[0]["code"] == "PIPELINE_ERROR"
    assert invoked.status_code == 500
    assert invoked.json()["error"]["code"] == "PIPELINE_ERROR"


async def test_verify_isolation_targets_a_hosted_agent(server):
    report = await verify_isolation(server.url, users=8, apps=("agent:memo",))
    assert report.problems == []
    assert report.streams == 16


def test_app_specs_are_checked():
    with pytest.raises(AppSpecError, match="NAME=module:attr"):
        load_app("no-equals-sign")
    with pytest.raises(AppSpecError, match="cannot import"):
        load_app("x=tests.agents.no_such_module:graph")
    with pytest.raises(AppSpecError, match="has no attribute"):
        load_app("x=tests.agents.graphs:nothing_here")
    with pytest.raises(AppSpecError, match="not servable"):
        load_app("x=tests.agents.graphs:build_memo")
    assert load_app("renamed=tests.agents.graphs:memo").name == "renamed"


async def test_the_agent_routes_are_documented(server):
    async with client(server) as http:
        paths = (await http.get("/openapi.json")).json()["paths"]
    stream = paths[MEMO]["post"]
    assert "text/event-stream" in stream["responses"]["200"]["content"]
    assert {"403", "409", "422", "429"} <= set(stream["responses"])
    body = stream["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("MemoAgentRequest")
    assert "200" in paths["/api/agents"]["get"]["responses"]
