"""The Python client against a real server: sessions remembered, errors raised, runs resumed."""

from __future__ import annotations

import pytest

from booth.client import BoothClient, BoothClientError
from tests.test_server import serve


@pytest.fixture
def server():
    live = serve(disconnect_policy="detach", detach_grace=10)
    yield live
    live.stop()


async def test_the_client_streams_a_run_and_keeps_its_session(server):
    async with BoothClient(server.url) as client:
        events = [e async for e in client.stream("/test/stream", {"query": "first turn"})]
        assert [e.id for e in events] == list(range(1, len(events) + 1))
        assert events[0].type == "status" and events[-1].type == "complete"
        session_id, token = client.session_id, client.session_token
        assert session_id and token
        await _drain(client.stream("/test/stream", {"query": "second turn"}))
        assert client.session_id == session_id  # the follow-up used the same session
        history = await client.get(f"/test/sessions/{session_id}/history")
        assert [t["query"] for t in history["turns"]] == ["first turn", "second turn"]


async def test_the_client_resumes_from_the_last_event_it_saw(server):
    async with BoothClient(server.url) as client:
        stream = client.stream("/test/stream", {"query": "interrupted", "delay": 0.05})
        seen = [await anext(stream) for _ in range(4)]
        await stream.aclose()  # the connection is gone; the run goes on (policy detach)
        rest = [e async for e in client.resume(client.last_run_id, seen[-1].id)]
        assert [e.id for e in seen + rest] == list(range(1, len(seen) + len(rest) + 1))
        assert rest[-1].type == "complete"


async def test_refusals_raise_with_the_error_code(server):
    async with BoothClient(server.url) as owner:
        await _drain(owner.stream("/test/stream", {"query": "mine only"}))
        async with BoothClient(server.url, session_id=owner.session_id) as stranger:
            with pytest.raises(BoothClientError) as refused:
                await _drain(stranger.stream("/test/stream", {"query": "let me in"}))
            assert refused.value.status == 403 and refused.value.code == "FORBIDDEN"


async def _drain(stream) -> None:
    [_ async for _ in stream]


async def test_heartbeats_between_events_are_not_events():
    """A heartbeat comment between two events is no event (the SSE spec dispatches nothing)."""
    live = serve(heartbeat=0.02)
    try:
        async with BoothClient(live.url) as client:
            body = {"query": "slow enough for heartbeats", "delay": 0.06}
            events = [e async for e in client.stream("/test/stream", body)]
    finally:
        live.stop()
    assert [e.id for e in events] == list(range(1, len(events) + 1))
    assert events[-1].type == "complete"
    assert all(e.type for e in events)
