"""Several server processes sharing one store: what a user sees must not depend on the replica."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from httpx_sse import aconnect_sse

from tests.support.servers import ProcessServer
from tests.support.sse import assert_well_formed, post_stream


@pytest.fixture
def replicas(redis_url):
    env = {
        "BOOTH_STORE": redis_url,
        "BOOTH_UI": "0",
        "BOOTH_DISCONNECT_POLICY": "detach",
        "BOOTH_DETACH_GRACE": "10",
    }
    servers = [ProcessServer(env).start(), ProcessServer(env).start()]
    yield servers
    for server in servers:
        server.stop()


async def test_a_run_started_on_one_replica_resumes_on_another(replicas):
    a, b = replicas
    async with httpx.AsyncClient(timeout=30) as http:
        first = await post_stream(
            http, a.url + "/test/stream", {"query": "roaming user", "delay": 0.05}, stop_after=4
        )
        run_id = first.headers["x-run-id"]
        token = {"X-Session-Token": first.headers["x-session-token"]}
        rest = await post_stream(
            http,
            f"{b.url}/api/runs/{run_id}/events",
            {},
            method="GET",
            headers={**token, "Last-Event-ID": "4"},
        )
        assert rest.status_code == 200
        ids = [int(e["id"]) for e in rest.events]
        assert ids == list(range(5, 5 + len(ids)))
        assert rest.events[-1]["event"] == "complete"
        assert all("roaming user" in str(e["data"]) for e in rest.events[:-1])
        # The session, its token and its history are shared too.
        session_id = first.headers["x-session-id"]
        follow_up = await post_stream(
            http,
            b.url + "/test/stream",
            {"query": "second turn", "session_id": session_id},
            headers=token,
        )
        assert_well_formed(follow_up)
        history = await http.get(f"{a.url}/test/sessions/{session_id}/history", headers=token)
        assert [t["query"] for t in history.json()["turns"]] == ["roaming user", "second turn"]
        stranger = await http.get(f"{b.url}/test/sessions/{session_id}/history")
        assert stranger.status_code == 403


async def test_one_run_per_session_holds_across_replicas(replicas):
    a, b = replicas
    async with httpx.AsyncClient(timeout=30) as http:
        first = await post_stream(
            http, a.url + "/test/stream", {"query": "claim it", "session_id": "shared-session"}
        )
        token = {"X-Session-Token": first.headers["x-session-token"]}
        slow = asyncio.create_task(
            post_stream(
                http,
                a.url + "/test/stream",
                {"query": "slow run", "session_id": "shared-session", "delay": 0.2},
                headers=token,
            )
        )
        await asyncio.sleep(0.5)
        busy = await http.post(
            b.url + "/test/stream",
            json={"query": "meanwhile", "session_id": "shared-session"},
            headers=token,
        )
        assert busy.status_code == 409 and busy.json()["error"]["code"] == "BUSY"
        assert_well_formed(await slow)


async def test_cancel_reaches_the_replica_that_owns_the_run(replicas):
    a, b = replicas
    async with httpx.AsyncClient(timeout=30) as http:
        async with aconnect_sse(
            http, "POST", a.url + "/test/stream", json={"query": "far away", "delay": 0.3}
        ) as source:
            run_id = source.response.headers["x-run-id"]
            token = {"X-Session-Token": source.response.headers["x-session-token"]}
            events = source.aiter_sse()
            first = await anext(events)
            assert first.event == "status"
            refused = await http.post(f"{b.url}/api/runs/{run_id}/cancel")
            assert refused.status_code == 403
            answer = await http.post(f"{b.url}/api/runs/{run_id}/cancel", headers=token)
            assert answer.json() == {"run_id": run_id, "cancelled": True}
            rest = [sse async for sse in events]
        assert rest[-1].event == "error"
        assert json.loads(rest[-1].data)["code"] == "CANCELLED"
        assert [s.event for s in rest].count("error") == 1
