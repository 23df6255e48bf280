"""Faults of real components: a Redis server of the test's own killed and restarted under two
booth replicas, and a replica killed with -9 mid-run.

What must hold: every open stream ends with exactly one terminal event, soon; a request while
the store is down gets a JSON 503 with Retry-After; service comes back by itself; a crashed
replica's sessions and runs are free again within seconds.
"""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
from httpx_sse import aconnect_sse

from tests.support.servers import ProcessServer, RedisServer
from tests.support.sse import assert_well_formed, post_stream

DEADLINE = 20.0  # the replicas' run deadline (seconds)
TERMINAL_WITHIN = DEADLINE + 5.0  # every stream's end, whatever the store does
RECOVERY_WITHIN = 10.0  # new requests succeed this soon after Redis is back
CRASH_RECOVERY_WITHIN = 15.0  # a killed replica's session takes a new run this soon


@pytest.fixture
def redis_server():
    server = RedisServer().start()
    yield server
    server.kill()


@pytest.fixture
def replicas(redis_server):
    env = {
        "BOOTH_STORE": redis_server.url,
        "BOOTH_UI": "0",
        "BOOTH_RUN_DEADLINE": str(DEADLINE),
        "BOOTH_STORE_TIMEOUT": "1",
        "BOOTH_LOG_LEVEL": "WARNING",
    }
    servers = [ProcessServer(env).start(), ProcessServer(env).start()]
    yield servers
    for server in servers:
        if server.process is not None and server.process.poll() is None:
            server.kill()


class Stream:
    """One open SSE stream: its response headers, and its events read on demand."""

    def __init__(self, context) -> None:
        self.context = context

    async def open(self) -> Stream:
        self.source = await self.context.__aenter__()
        self.headers = self.source.response.headers
        self.events = self.source.aiter_sse()
        return self

    @property
    def token(self) -> dict[str, str]:
        return {"X-Session-Token": self.headers["x-session-token"]}

    async def first(self) -> str:
        return (await anext(self.events)).event

    async def rest(self) -> list[dict]:
        return [
            {"id": sse.id, "event": sse.event, "data": json.loads(sse.data)}
            async for sse in self.events
            if sse.data  # not a heartbeat comment (httpx-sse yields it as an empty event)
        ]

    async def close(self) -> None:
        await self.context.__aexit__(None, None, None)


async def open_run(http: httpx.AsyncClient, url: str, query: str, delay: float) -> Stream:
    """Start a slow run and read its first event."""
    body = {"query": query, "delay": delay}
    stream = await Stream(aconnect_sse(http, "POST", url + "/test/stream", json=body)).open()
    assert await stream.first() == "status"
    return stream


async def follow(http: httpx.AsyncClient, url: str, run_id: str, token: dict) -> Stream:
    headers = {**token, "Last-Event-ID": "1"}
    context = aconnect_sse(http, "GET", f"{url}/api/runs/{run_id}/events", headers=headers)
    stream = await Stream(context).open()
    assert stream.source.response.status_code == 200
    return stream


def assert_one_end(events: list[dict]) -> None:
    ends = [e for e in events if e["event"] in ("complete", "error")]
    assert len(ends) == 1 and events[-1] is ends[0], [e["event"] for e in events]


async def until(check, within: float, every: float = 0.2):
    """Call `check` until it returns something truthy; fail after `within` seconds."""
    give_up = time.monotonic() + within
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > give_up:
            raise AssertionError(f"not reached within {within} s")
        await asyncio.sleep(every)


async def test_redis_killed_mid_run_and_restarted(replicas, redis_server):
    a, b = replicas
    async with httpx.AsyncClient(timeout=60) as http:
        # Streams open on A, and a reader on B following one of A's runs.
        opened = [await open_run(http, a.url, f"user {n}", delay=1.0) for n in range(3)]
        remote = await follow(http, b.url, opened[0].headers["x-run-id"], opened[0].token)

        redis_server.kill()
        killed = time.monotonic()
        ends = await asyncio.wait_for(
            asyncio.gather(*[stream.rest() for stream in [*opened, remote]]),
            timeout=TERMINAL_WITHIN,
        )
        assert time.monotonic() - killed < TERMINAL_WITHIN
        for events in ends:
            assert_one_end(events)
            assert events[-1]["event"] == "error"
            assert events[-1]["data"]["retryable"] is True
        for stream in [*opened, remote]:
            await stream.close()

        # While Redis is down: a JSON 503 with Retry-After, and /health says degraded.
        refused = await http.post(a.url + "/test/stream", json={"query": "while down"})
        assert refused.status_code == 503
        assert refused.json()["error"]["code"] == "UPSTREAM_UNAVAILABLE"
        assert refused.json()["detail"]
        assert int(refused.headers["retry-after"]) >= 1
        health = await http.get(b.url + "/health")
        assert health.status_code == 503 and health.json()["status"] == "degraded"

        redis_server.start()
        back = time.monotonic()

        async def served() -> bool:
            got = await post_stream(http, b.url + "/test/stream", {"query": "after restart"})
            return got.status_code == 200 and got.types[-1] == "complete"

        await until(served, within=RECOVERY_WITHIN)
        assert time.monotonic() - back < RECOVERY_WITHIN
        assert (await http.get(a.url + "/health")).json()["status"] == "healthy"

        # A cancel sent through the other replica after the restart cancels.
        doomed = await open_run(http, a.url, "cancel me", delay=1.0)
        run_id = doomed.headers["x-run-id"]
        answer = await http.post(f"{b.url}/api/runs/{run_id}/cancel", headers=doomed.token)
        assert answer.json() == {"run_id": run_id, "cancelled": True}
        rest = await asyncio.wait_for(doomed.rest(), timeout=10)
        await doomed.close()
    assert_one_end(rest)
    assert rest[-1]["data"]["code"] == "CANCELLED"


async def test_a_replica_killed_with_minus_9_frees_its_sessions_and_ends_its_readers(replicas):
    a, b = replicas
    async with httpx.AsyncClient(timeout=60) as http:
        doomed = await open_run(http, a.url, "on the doomed replica", delay=2.0)
        session_id = doomed.headers["x-session-id"]
        follower = await follow(http, b.url, doomed.headers["x-run-id"], doomed.token)

        a.kill()
        killed = time.monotonic()
        events = await asyncio.wait_for(follower.rest(), timeout=CRASH_RECOVERY_WITHIN)
        await follower.close()
        assert_one_end(events)
        assert events[-1]["event"] == "error"
        assert "stopped" in events[-1]["data"]["message"]
        assert events[-1]["data"]["retryable"] is True

        async def new_run() -> bool:
            got = await post_stream(
                http,
                b.url + "/test/stream",
                {"query": "next run", "session_id": session_id},
                headers=doomed.token,
            )
            if got.status_code == 409:
                return False
            assert_well_formed(got)
            return True

        await until(new_run, within=CRASH_RECOVERY_WITHIN)
        assert time.monotonic() - killed < CRASH_RECOVERY_WITHIN
        with pytest.raises(httpx.HTTPError):
            await doomed.rest()


async def test_a_hung_redis_gets_answers_within_the_store_timeout_not_hangs(redis_server):
    env = {
        "BOOTH_STORE": redis_server.url,
        "BOOTH_UI": "0",
        "BOOTH_RUN_DEADLINE": str(DEADLINE),
        "BOOTH_STORE_TIMEOUT": "1",
        "BOOTH_LOG_LEVEL": "WARNING",
    }
    server = ProcessServer(env).start()
    try:
        async with httpx.AsyncClient(timeout=60) as http:
            stream = await open_run(http, server.url, "before the hang", delay=1.0)
            redis_server.pause()
            started = time.monotonic()
            refused = await http.post(server.url + "/test/stream", json={"query": "during"})
            assert refused.status_code == 503
            assert refused.json()["error"]["code"] == "UPSTREAM_UNAVAILABLE"
            events = await asyncio.wait_for(stream.rest(), timeout=TERMINAL_WITHIN)
            await stream.close()
            assert time.monotonic() - started < TERMINAL_WITHIN
            assert_one_end(events)
            assert events[-1]["data"]["code"] == "UPSTREAM_UNAVAILABLE"
            redis_server.resume()

            async def served() -> bool:
                got = await post_stream(http, server.url + "/test/stream", {"query": "after"})
                return got.status_code == 200 and got.types[-1] == "complete"

            await until(served, within=RECOVERY_WITHIN)
    finally:
        redis_server.resume()
        server.kill()
