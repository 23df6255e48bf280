"""A hosted graph gets the runtime's guarantees: deadline, disconnect, one run per session."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from booth.config import Settings
from booth.server import create_app
from tests.support.servers import ThreadServer
from tests.support.sse import assert_well_formed, post_stream

SLOW = "/api/agents/slow/stream"


@pytest.fixture
def server(tmp_path):
    settings = Settings(
        store=f"sqlite:///{tmp_path}/booth.db",
        ui=False,
        run_deadline=2,
        apps=["slow=tests.agents.graphs:slow"],
    )
    live = ThreadServer(create_app(settings, routers=[])).start()
    yield live
    live.stop()


def slow_input(seconds: float) -> dict:
    return {"messages": [{"role": "user", "content": "wait"}], "seconds": seconds}


async def test_a_graph_past_the_deadline_ends_with_one_timeout(server):
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        got = await post_stream(http, SLOW, {"input": slow_input(10)})
    assert_well_formed(got)
    assert got.of("error")[0]["code"] == "TIMEOUT"


async def test_a_second_run_on_a_busy_session_is_409_and_a_disconnect_frees_it(server):
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        first = asyncio.create_task(
            post_stream(http, SLOW, {"input": slow_input(10)}, stop_after=2)
        )
        got = await first  # status, phase: the node is waiting; then the client goes away
        opened = {"session_id": got.headers["x-session-id"]}
        token = {"X-Session-Token": got.headers["x-session-token"]}
        for _ in range(100):  # the disconnect cancels the run and frees the session
            if not server.host.runtime.runs:
                break
            await asyncio.sleep(0.05)
        assert not server.host.runtime.runs
        again = await post_stream(http, SLOW, {"input": slow_input(0), **opened}, headers=token)
        assert_well_formed(again)
        assert again.types[-1] == "complete"
        busy_run = asyncio.create_task(
            post_stream(http, SLOW, {"input": slow_input(10), **opened}, headers=token)
        )
        while not server.host.runtime.runs:  # the run is live: the session is leased
            await asyncio.sleep(0.01)
        busy = await http.post(
            "/api/agents/slow/invoke", json={"input": slow_input(0), **opened}, headers=token
        )
        assert busy.status_code == 409
        assert busy.json()["error"]["code"] == "BUSY"
        assert_well_formed(await busy_run)  # it ends at the deadline, with one terminal event
