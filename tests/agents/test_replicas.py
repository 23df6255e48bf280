"""Hosted agents on two server processes sharing Redis: a thread does not depend on the replica."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.agents.crowd import Visitor
from tests.support.servers import ProcessServer
from tests.support.sse import assert_well_formed, post_stream

MEMO = "/api/agents/memo/stream"


@pytest.fixture
def replicas(redis_url):
    env = {
        "BOOTH_STORE": redis_url,
        "BOOTH_UI": "0",
        "BOOTH_APPS": "memo=tests.agents.graphs:memo",
        "BOOTH_MAX_RUNS_PER_CLIENT": "100",
    }
    servers = [ProcessServer(env, test_app=False).start() for _ in range(2)]
    yield servers
    for server in servers:
        server.stop()


async def alternate(http: httpx.AsyncClient, urls: list[str], visitor: Visitor) -> list[list[str]]:
    """Four turns of one user, each on the next replica; the notes after each turn."""
    notes = []
    for turn in range(4):
        body = {"input": f"{visitor.canary} turn {turn}", "session_id": visitor.session_id}
        headers = {"X-Session-Token": visitor.session_token} if visitor.session_token else {}
        got = await post_stream(http, urls[turn % 2] + MEMO, body, headers=headers)
        assert_well_formed(got)
        assert got.types[-1] == "complete", got.of("error")
        visitor.session_id = got.headers["x-session-id"]
        visitor.session_token = visitor.session_token or got.headers["x-session-token"]
        notes.append(got.of("result")[0]["notes"])
    return notes


async def test_a_thread_continues_whichever_replica_serves_the_turn(replicas):
    urls = [server.url for server in replicas]
    visitors = [Visitor() for _ in range(10)]
    async with httpx.AsyncClient(timeout=60) as http:
        results = await asyncio.gather(*[alternate(http, urls, v) for v in visitors])
    for visitor, notes in zip(visitors, results, strict=True):
        expected = [f"{visitor.canary} turn {n}" for n in range(4)]
        assert notes == [expected[: n + 1] for n in range(4)]
