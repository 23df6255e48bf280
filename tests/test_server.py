"""End to end: a real uvicorn server on loopback, the runtime's promises seen from outside.

The runs here come from the test app (tests/support/testapp.py): 8 phases whose every event
carries the caller's canary, so any event that reaches the wrong stream is caught.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import httpx
import pytest
from httpx_sse import aconnect_sse

from booth.config import Settings
from booth.server import create_app
from tests.support.servers import ProcessServer, ThreadServer
from tests.support.sse import assert_well_formed, post_stream
from tests.support.testapp import PHASES, create_router


def serve(**overrides) -> ThreadServer:
    settings = dict(store="memory", ui=False, max_runs=500, max_runs_per_client=500)
    settings.update(overrides)
    return ThreadServer(create_app(Settings(**settings), routers=[create_router])).start()


@pytest.fixture
def server():
    live = serve()
    yield live
    live.stop()


def client(server, **kwargs) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=1000)
    return httpx.AsyncClient(base_url=server.url, timeout=60, limits=limits, **kwargs)


async def wait_until(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


async def test_a_stream_follows_the_wire_contract(server):
    async with client(server) as http:
        got = await post_stream(http, "/test/stream", {"query": "hello world"})
    assert got.status_code == 200
    assert got.headers["cache-control"] == "no-cache"
    assert got.headers["x-accel-buffering"] == "no"
    assert got.headers["x-run-id"].startswith("run_")
    session_id = got.headers["x-session-id"]
    token = got.headers["x-session-token"]
    assert_well_formed(got)
    status = got.events[0]
    assert status["event"] == "status"
    assert status["data"]["run_id"] == got.headers["x-run-id"]
    assert status["data"]["session_id"] == session_id
    assert status["data"]["session_token"] == token
    assert [d["phase"] for d in got.of("phase")] == list(PHASES)
    assert [d["step"] for d in got.of("thought")] == list(range(1, 9))
    assert got.types[-2:] == ["result", "complete"]


async def test_200_concurrent_runs_each_see_only_their_own_events(server):
    canaries = [f"canary-{uuid.uuid4().hex}" for _ in range(200)]
    async with client(server) as http:
        results = await asyncio.gather(
            *[post_stream(http, "/test/stream", {"query": c, "delay": 0.01}) for c in canaries]
        )
        for canary, got in zip(canaries, results, strict=True):
            assert got.status_code == 200
            assert_well_formed(got)
            assert got.events[-1]["event"] == "complete"
            for event in got.events:
                text = str(event["data"])
                others = [c for c in canaries if c in text and c != canary]
                assert not others, f"{canary} saw {others}"
            for event in got.events[1:-1]:  # every event but status and complete names its canary
                assert canary in str(event["data"])
        # Stored history, read with each session's own token, holds only its own canary.
        for canary, got in zip(canaries[:50], results[:50], strict=True):
            history = await http.get(
                f"/test/sessions/{got.headers['x-session-id']}/history",
                headers={"X-Session-Token": got.headers["x-session-token"]},
            )
            turns = history.json()["turns"]
            assert [t["query"] for t in turns] == [canary]


async def test_a_follow_up_needs_the_session_token(server):
    async with client(server) as http:
        first = await post_stream(http, "/test/stream", {"query": "mine alone"})
        session_id = first.headers["x-session-id"]
        token = first.headers["x-session-token"]
        stranger = await post_stream(
            http, "/test/stream", {"query": "intruder", "session_id": session_id}
        )
        assert stranger.status_code == 403
        assert stranger.body["error"]["code"] == "FORBIDDEN"
        wrong = await http.get(
            f"/test/sessions/{session_id}/history", headers={"X-Session-Token": "guess"}
        )
        assert wrong.status_code == 403
        owner = await post_stream(
            http,
            "/test/stream",
            {"query": "mine again", "session_id": session_id},
            headers={"X-Session-Token": token},
        )
        assert owner.status_code == 200 and "x-session-token" not in owner.headers
        history = await http.get(
            f"/test/sessions/{session_id}/history", headers={"X-Session-Token": token}
        )
        assert [t["query"] for t in history.json()["turns"]] == ["mine alone", "mine again"]


async def test_session_id_resolution_and_validation(server):
    async with client(server) as http:
        by_header = await post_stream(
            http, "/test/stream", {"query": "hi there"}, headers={"X-Session-ID": "from-header-1"}
        )
        assert by_header.headers["x-session-id"] == "from-header-1"
        by_body = await post_stream(
            http,
            "/test/stream",
            {"query": "hi there", "session_id": "from-body-01"},
            headers={"X-Session-ID": "from-header-2"},
        )
        assert by_body.headers["x-session-id"] == "from-body-01"
        bad = await http.post("/test/stream", json={"query": "hi there", "session_id": "bad id!"})
        assert bad.status_code == 422
        assert bad.json()["error"]["code"] == "INVALID_QUERY"
        assert "session id" in bad.json()["error"]["message"]
        short = await http.post("/test/stream", json={"query": "x"})
        assert short.status_code == 422 and "query" in short.json()["error"]["message"]


async def test_a_second_run_on_a_busy_session_is_409_busy(server):
    async with client(server) as http:
        first = asyncio.create_task(
            post_stream(
                http,
                "/test/stream",
                {"query": "slow one", "session_id": "busy-session", "delay": 0.1},
            )
        )
        await wait_until(lambda: len(server.host.runtime.runs) == 1)
        second = await http.post(
            "/test/stream", json={"query": "again", "session_id": "busy-session"}
        )
        # Without the token: forbidden before anything else.
        assert second.status_code == 403
        done = await first
        assert_well_formed(done)
        owner = {"X-Session-Token": done.headers["x-session-token"]}
        third = asyncio.create_task(
            post_stream(
                http,
                "/test/stream",
                {"query": "slow two", "session_id": "busy-session", "delay": 0.1},
                headers=owner,
            )
        )
        await wait_until(lambda: len(server.host.runtime.runs) == 1)
        busy = await http.post(
            "/test/stream", json={"query": "again", "session_id": "busy-session"}, headers=owner
        )
        assert busy.status_code == 409
        assert busy.json()["error"]["code"] == "BUSY"
        assert busy.headers["retry-after"] == "1"
        assert_well_formed(await third)


async def test_enqueue_policy_runs_the_second_request_after_the_first():
    live = serve(busy_policy="enqueue")
    try:
        async with client(live) as http:
            first = await post_stream(
                http, "/test/stream", {"query": "warm up", "session_id": "queued-session"}
            )
            owner = {"X-Session-Token": first.headers["x-session-token"]}
            a, b = await asyncio.gather(
                post_stream(
                    http,
                    "/test/stream",
                    {"query": "first q", "session_id": "queued-session", "delay": 0.05},
                    headers=owner,
                ),
                post_stream(
                    http,
                    "/test/stream",
                    {"query": "second q", "session_id": "queued-session", "delay": 0.05},
                    headers=owner,
                ),
            )
        assert a.status_code == b.status_code == 200
        assert a.events[-1]["event"] == b.events[-1]["event"] == "complete"
    finally:
        live.stop()


async def test_past_the_admission_cap_a_run_is_429_with_retry_after():
    live = serve(max_runs=2, max_runs_per_client=2)
    try:
        async with client(live) as http:
            slow = [
                asyncio.create_task(
                    post_stream(http, "/test/stream", {"query": f"slow {i}", "delay": 0.1})
                )
                for i in range(2)
            ]
            await wait_until(lambda: len(live.host.runtime.runs) == 2)
            refused = await http.post("/test/stream", json={"query": "one too many"})
            assert refused.status_code == 429
            assert refused.json()["error"] == {
                "code": "RATE_LIMITED",
                "message": refused.json()["error"]["message"],
                "retryable": True,
            }
            assert int(refused.headers["retry-after"]) >= 1
            for task in slow:
                assert_well_formed(await task)
            metrics = (await http.get("/metrics")).text
            assert 'booth_rejections_total{reason="rate_limited"} 1.0' in metrics
    finally:
        live.stop()


async def test_a_run_past_its_deadline_ends_with_timeout():
    live = serve(run_deadline=0.3)
    try:
        async with client(live) as http:
            got = await post_stream(http, "/test/stream", {"query": "too slow", "delay": 0.2})
        assert_well_formed(got)
        assert got.events[-1]["event"] == "error"
        assert got.events[-1]["data"]["code"] == "TIMEOUT"
        assert got.events[-1]["data"]["retryable"] is True
    finally:
        live.stop()


async def test_a_failing_pipeline_ends_with_one_error_event(server):
    async with client(server) as http:
        got = await post_stream(http, "/test/stream", {"query": "boom boom", "fail": True})
    assert_well_formed(got)
    assert got.events[-1]["data"]["code"] == "PIPELINE_ERROR"
    assert "exploded" not in str(got.events[-1]["data"])  # internals stay in the log


async def test_a_dropped_client_cancels_its_run_and_the_task_is_gone(server):
    async with client(server) as http:
        got = await post_stream(
            http, "/test/stream", {"query": "leave early", "delay": 0.2}, stop_after=3
        )
        run_id = got.headers["x-run-id"]
        token = got.headers["x-session-token"]
        await wait_until(lambda: run_id not in server.host.runtime.runs)
        assert not [t for t in server.call(_tasks()) if "_execute" in repr(t.get_coro())], (
            "a run task outlived its client"
        )
        # Its log says why it ended.
        replay = await post_stream(
            http,
            f"/api/runs/{run_id}/events",
            {},
            method="GET",
            headers={"X-Session-Token": token, "Last-Event-ID": "3"},
        )
        assert replay.events[-1]["data"]["code"] == "CANCELLED"
        assert_well_formed_from(replay, 4)


async def _tasks():
    return list(asyncio.all_tasks())


def assert_well_formed_from(received, first_id: int) -> None:
    ids = [int(e["id"]) for e in received.events]
    assert ids == list(range(first_id, first_id + len(ids)))
    assert len(received.terminal) == 1 and received.events[-1]["event"] in ("complete", "error")


async def test_with_detach_a_dropped_client_resumes_from_last_event_id():
    live = serve(disconnect_policy="detach", detach_grace=10)
    try:
        async with client(live) as http:
            first = await post_stream(
                http, "/test/stream", {"query": "come back", "delay": 0.05}, stop_after=5
            )
            run_id = first.headers["x-run-id"]
            token = first.headers["x-session-token"]
            rest = await post_stream(
                http,
                f"/api/runs/{run_id}/events",
                {},
                method="GET",
                headers={"X-Session-Token": token, "Last-Event-ID": "5"},
            )
            assert rest.status_code == 200
            assert_well_formed_from(rest, 6)
            assert rest.events[-1]["event"] == "complete"
            whole = first.events + rest.events
            assert [
                d["phase"] for d in [e["data"] for e in whole if e["event"] == "phase"]
            ] == list(PHASES)
            # Someone else's token gets nothing.
            denied = await http.get(
                f"/api/runs/{run_id}/events", headers={"X-Session-Token": "nope"}
            )
            assert denied.status_code == 403
            missing = await http.get(
                "/api/runs/run_missing/events", headers={"X-Session-Token": token}
            )
            assert missing.status_code == 404
    finally:
        live.stop()


async def test_cancel_endpoint_ends_a_running_run_only_for_its_owner(server):
    """A stranger's cancel is refused and changes nothing; the owner's stops the run mid-way."""
    async with client(server) as http:
        body = {"query": "cancel me", "delay": 0.3}
        async with aconnect_sse(http, "POST", "/test/stream", json=body) as source:
            events = source.aiter_sse()
            first = await anext(events)
            status = json.loads(first.data)
            run_id, token = status["run_id"], status["session_token"]
            assert (await http.post(f"/api/runs/{run_id}/cancel")).status_code == 403
            stranger = {"X-Session-Token": "not-the-token"}
            refused = await http.post(f"/api/runs/{run_id}/cancel", headers=stranger)
            assert refused.status_code == 403
            assert run_id in server.host.runtime.runs  # still running
            owner = {"X-Session-Token": token}
            answer = await http.post(f"/api/runs/{run_id}/cancel", headers=owner)
            assert answer.json() == {"run_id": run_id, "cancelled": True}
            rest = [(sse.event, json.loads(sse.data)) async for sse in events]
    assert rest[-1][0] == "error" and rest[-1][1]["code"] == "CANCELLED"
    assert [kind for kind, _ in rest].count("error") == 1
    phases_done = [kind for kind, _ in rest].count("phase_complete")
    assert phases_done < len(PHASES)  # the run stopped; it did not run to its end
    assert "result" not in [kind for kind, _ in rest]


async def test_cancel_endpoint_with_token(server):
    async with client(server) as http:
        first = await post_stream(
            http, "/test/stream", {"query": "warm up", "session_id": "cancel-session"}
        )
        owner = {"X-Session-Token": first.headers["x-session-token"]}
        task = asyncio.create_task(
            post_stream(
                http,
                "/test/stream",
                {"query": "cancel me", "session_id": "cancel-session", "delay": 0.3},
                headers=owner,
            )
        )
        await wait_until(lambda: len(server.host.runtime.runs) == 1)
        run_id = next(iter(server.host.runtime.runs))
        answer = await http.post(f"/api/runs/{run_id}/cancel", headers=owner)
        assert answer.json() == {"run_id": run_id, "cancelled": True}
        got = await task
        assert_well_formed(got)
        assert got.events[-1]["data"]["code"] == "CANCELLED"


async def test_health_and_metrics(server):
    async with client(server) as http:
        await post_stream(http, "/test/stream", {"query": "count me"})
        health = (await http.get("/health")).json()
        assert health["status"] == "healthy"
        assert health["store"] == {"backend": "memory", "reachable": True}
        metrics = (await http.get("/metrics")).text
        assert 'booth_runs_total{app="canary",outcome="complete"} 1.0' in metrics
        assert "booth_active_sessions 1.0" in metrics
        assert "booth_events_total" in metrics


def test_shutdown_ends_open_streams_with_shutting_down(tmp_path):
    server = ProcessServer(
        {"BOOTH_STORE": f"sqlite:///{tmp_path}/b.db", "BOOTH_UI": "0", "BOOTH_SHUTDOWN_GRACE": "3"}
    ).start()
    try:

        async def scenario():
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
                task = asyncio.create_task(
                    post_stream(http, "/test/stream", {"query": "long run", "delay": 2})
                )
                await asyncio.sleep(0.5)
                await asyncio.to_thread(server.terminate)
                return await task

        got = asyncio.run(scenario())
        assert_well_formed(got)
        assert got.events[-1]["event"] == "error"
        assert got.events[-1]["data"]["code"] == "SHUTTING_DOWN"
        # uvicorn re-raises SIGTERM after a clean shutdown, so -15 is a clean exit too.
        assert server.process.returncode in (0, -15)
        assert b"Traceback" not in server.output
    finally:
        server.stop()


async def test_a_quiet_stream_carries_heartbeat_comments():
    live = serve(heartbeat=0.1)
    try:
        async with client(live) as http:
            async with http.stream(
                "POST", "/test/stream", json={"query": "slow beat", "delay": 0.1}
            ) as r:
                lines = [line async for line in r.aiter_lines()]
        comments = [line for line in lines if line.startswith(":")]
        assert len(comments) >= 3
        assert [line for line in lines if line.startswith("event:")][-1] == "event: complete"
    finally:
        live.stop()
