"""Admission before creation: a request turned away (429) creates nothing and changes nothing.

So a client that names its own session id and retries as Retry-After says gets in; and with
Redis the per-client cap holds across replicas.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from httpx_sse import aconnect_sse

from booth.config import Settings
from booth.server import create_app
from tests.support.servers import ProcessServer, ThreadServer
from tests.support.sse import assert_well_formed, post_stream
from tests.support.testapp import create_router


@pytest.fixture
def one_run_per_client():
    settings = Settings(store="memory", ui=False, max_runs_per_client=1, memory_max_sessions=50)
    live = ThreadServer(create_app(settings, routers=[create_router])).start()
    yield live
    live.stop()


async def test_a_refused_request_creates_nothing_and_its_retry_with_the_same_id_succeeds(
    one_run_per_client,
):
    server = one_run_per_client
    sessions = server.host.sessions
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        async with aconnect_sse(
            http, "POST", "/test/stream", json={"query": "hold the slot", "delay": 0.5}
        ) as holder:
            holder_events = holder.aiter_sse()
            await anext(holder_events)
            refused = await asyncio.gather(
                *[
                    http.post(
                        "/test/stream",
                        json={"query": "let me in", "session_id": f"my-own-id-{n:04d}"},
                    )
                    for n in range(100)
                ]
            )
            assert {r.status_code for r in refused} == {429}
            assert all(r.json()["error"]["code"] == "RATE_LIMITED" for r in refused)
            assert all(int(r.headers["retry-after"]) >= 1 for r in refused)
            # Nothing was created: only the holder's session exists (and the LRU cap of 50
            # evicted no one, whatever 100 refusals tried).
            assert server.call(sessions.count()) == 1
            assert server.call(sessions.get("my-own-id-0000")) is None
            await asyncio.sleep(int(refused[0].headers["retry-after"]))
            _ = [sse async for sse in holder_events]
        retried = await post_stream(
            http, "/test/stream", {"query": "let me in", "session_id": "my-own-id-0000"}
        )
    assert retried.status_code == 200
    assert_well_formed(retried)
    assert retried.headers["x-session-id"] == "my-own-id-0000"
    assert retried.headers["x-session-token"]
    assert server.host.runtime.admission.active == 0


@pytest.fixture
def capped_replicas(redis_url):
    env = {"BOOTH_STORE": redis_url, "BOOTH_UI": "0", "BOOTH_MAX_RUNS_PER_CLIENT": "1"}
    servers = [ProcessServer(env).start(), ProcessServer(env).start()]
    yield servers
    for server in servers:
        server.stop()


async def test_with_redis_the_per_client_cap_holds_across_replicas(capped_replicas):
    a, b = capped_replicas
    async with httpx.AsyncClient(timeout=30) as http:
        async with aconnect_sse(
            http, "POST", a.url + "/test/stream", json={"query": "on replica a", "delay": 0.2}
        ) as holder:
            events = holder.aiter_sse()
            await anext(events)
            refused = await http.post(b.url + "/test/stream", json={"query": "on replica b"})
            assert refused.status_code == 429
            assert refused.json()["error"]["code"] == "RATE_LIMITED"
            _ = [sse async for sse in events]
        admitted = await post_stream(http, b.url + "/test/stream", {"query": "on replica b"})
    assert_well_formed(admitted)
