"""A real Agents SDK agent served by booth, its model a loopback OpenAI-compatible server."""

from __future__ import annotations

import httpx
import pytest

from booth.agents.loader import as_app
from booth.config import Settings
from booth.server import create_app
from tests.agents.crowd import crowd, wrong_token_is_refused
from tests.agents.sdk_agents import build_agent, keeper_model
from tests.support.openai_server import Fault, OpenAIServer
from tests.support.servers import ThreadServer
from tests.support.sse import assert_well_formed, post_stream

KEEPER = "/api/agents/keeper/stream"


@pytest.fixture
def model():
    with OpenAIServer(keeper_model) as server:
        yield server


@pytest.fixture(params=["sqlite", "redis"])
def server(request, tmp_path, model):
    store = (
        f"sqlite:///{tmp_path}/booth.db"
        if request.param == "sqlite"
        else request.getfixturevalue("redis_url")
    )
    settings = Settings(store=store, ui=False, max_runs=500, max_runs_per_client=500)
    app = create_app(settings, routers=[], apps=[as_app("keeper", build_agent(model.base_url))])
    live = ThreadServer(app).start()
    yield live
    live.stop()


def client(server) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    return httpx.AsyncClient(base_url=server.url, timeout=60, limits=limits)


def keeper_inputs(canary: str) -> tuple[str, str]:
    return f"my code word is {canary}", "what was my code word?"


async def test_thirty_users_two_turns_each_remember_only_their_own(server):
    async with client(server) as http:
        visitors = await crowd(http, KEEPER, keeper_inputs)
        for visitor in visitors:
            first, second = visitor.turns
            assert first.of("thought")[0]["tool"] == "note_word"
            assert second.of("result")[0]["output"] == f"Your code word is {visitor.canary}"
        await wrong_token_is_refused(http, KEEPER, visitors[0], "what was my code word?")


async def test_sdk_events_become_booth_events(server):
    async with client(server) as http:
        got = await post_stream(http, KEEPER, {"input": "my code word is zq0123456789"})
    assert_well_formed(got)
    assert got.types[:2] == ["status", "phase"]
    assert got.of("phase")[0]["phase"] == "keeper"
    call, output = got.of("thought")
    assert (call["type"], call["tool"], call["input"]) == (
        "tool_call",
        "note_word",
        {"word": "zq0123456789"},
    )
    assert (output["type"], output["content"]) == ("observation", "noted zq0123456789")
    text = "".join(chunk["chunk"] for chunk in got.of("response"))
    assert text == "Thanks, I noted zq0123456789."
    assert got.of("phase_complete")[0]["data"] == {"tool_calls": 1, "response_chars": len(text)}
    assert got.of("result") == [{"output": text, "agent": "keeper"}]
    assert got.types[-1] == "complete"


async def test_invoke_answers_json(server):
    async with client(server) as http:
        answer = await http.post("/api/agents/keeper/invoke", json={"input": "hello"})
    assert answer.status_code == 200
    assert answer.json()["result"]["output"] == "You have not told me a code word."


async def test_a_failing_model_ends_the_stream_with_one_llm_error(server, model):
    model.add_fault(Fault("status", status=500))
    async with client(server) as http:
        got = await post_stream(http, KEEPER, {"input": "hello"})
    assert_well_formed(got)
    assert got.of("error")[0]["code"] == "LLM_ERROR"
    assert got.of("error")[0]["retryable"] is True


async def test_empty_input_is_a_422(server):
    async with client(server) as http:
        refused = await http.post("/api/agents/keeper/invoke", json={"input": ""})
    assert refused.status_code == 422


async def test_control_characters_in_the_input_are_a_422(server):
    async with client(server) as http:
        refused = await http.post("/api/agents/keeper/invoke", json={"input": "hi\x07there"})
    assert refused.status_code == 422
    assert "control character" in refused.json()["error"]["message"]
