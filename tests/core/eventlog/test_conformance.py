"""The EventLog contract, run against every backend: a backend is done when this passes.

What a resuming reader relies on: events come back in order, exactly as written (same types, same
JSON), from any `after`; past the end there is nothing, never an error; a finished run is still
readable and says it is done; a cancel request reaches the listener. Expiry by time is checked on
the memory log with an injected clock (Redis expires keys on its own clock).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from booth.core.eventlog.base import EventLog
from booth.core.eventlog.memory import MemoryEventLog
from booth.core.eventlog.redis import RedisEventLog
from booth.core.events import Event, EventType
from booth.core.payloads import (
    CompletePayload,
    PhasePayload,
    ResultPayload,
    StatusPayload,
    ThoughtPayload,
)

BACKENDS = ["memory", "redis"]
META = {"session_id": "session-1", "app": "test", "started": 1_700_000_000.0}


@pytest.fixture(params=BACKENDS)
async def log(request) -> AsyncIterator[EventLog]:
    if request.param == "memory":
        made: EventLog = MemoryEventLog()
        yield made
    else:
        client = Redis.from_url(request.getfixturevalue("redis_url"))
        made = RedisEventLog(client)
        yield made
        await client.aclose()
    await made.close()


def a_run() -> list[Event]:
    """A short run with every kind of payload shape: extras, nesting, unicode, newlines."""
    return [
        Event.of(
            1,
            EventType.STATUS,
            StatusPayload(status="started", message="go", run_id="r", session_id="s", model_id="m"),
        ),
        Event.of(2, EventType.PHASE, PhasePayload(phase="plan", message="Zürich → 東京")),
        Event.of(
            3,
            EventType.THOUGHT,
            ThoughtPayload(
                step=1, type="tool_call", phase="plan", tool="t", input={"q": ["a", None]}
            ),
        ),
        Event.of(4, EventType.RESULT, ResultPayload({"text": "line one\nline two", "n": 1.5})),
        Event.of(5, EventType.COMPLETE, CompletePayload(duration_ms=12)),
    ]


async def write(log: EventLog, run_id: str, events: list[Event]) -> None:
    await log.open(run_id, META, ttl=60)
    for event in events:
        await log.append(run_id, event)


def run_id() -> str:
    return f"run_{uuid.uuid4().hex[:12]}"


async def test_events_read_back_exactly_as_written(log):
    rid, events = run_id(), a_run()
    await write(log, rid, events)
    back = await log.read(rid)
    assert back == events
    assert [e.encode() for e in back] == [e.encode() for e in events]  # byte for byte
    assert [type(e.payload()) for e in back] == [type(e.payload()) for e in events]


async def test_reading_after_n_gives_what_came_after_and_nothing_past_the_end(log):
    rid, events = run_id(), a_run()
    await write(log, rid, events)
    for after in range(len(events) + 1):
        assert [e.seq for e in await log.read(rid, after)] == [e.seq for e in events[after:]]
    assert await log.read(rid, 99) == []


async def test_a_finished_run_is_still_readable_and_says_it_is_done(log):
    rid, events = run_id(), a_run()
    await write(log, rid, events)
    assert await log.meta(rid) == {**META, "done": False}
    await log.finish(rid, retention=60)
    meta = await log.meta(rid)
    assert meta is not None and meta["done"] is True and meta["session_id"] == "session-1"
    assert await log.read(rid) == events
    assert [e.seq for e in await log.read(rid, 3)] == [4, 5]
    assert await log.follow(rid, 5, timeout=0.05) == []


async def test_an_unknown_run_has_no_meta_and_no_events(log):
    assert await log.meta("run_never_opened") is None
    assert await log.read("run_never_opened") == []


async def test_follow_waits_for_the_next_event_and_times_out_empty(log):
    rid, events = run_id(), a_run()
    await write(log, rid, events[:2])
    assert await log.follow(rid, 2, timeout=0.05) == []

    async def later() -> None:
        await asyncio.sleep(0.05)
        await log.append(rid, events[2])

    writer = asyncio.create_task(later())
    got = await log.follow(rid, 2, timeout=5)
    await writer
    assert got == [events[2]]


async def test_runs_do_not_see_each_others_events(log):
    first, second = run_id(), run_id()
    await write(log, first, a_run()[:2])
    await write(log, second, a_run()[:3])
    assert [e.seq for e in await log.read(first)] == [1, 2]
    assert [e.seq for e in await log.read(second)] == [1, 2, 3]


async def test_a_beating_owner_is_alive_and_a_finished_one_is_not(log):
    rid = run_id()
    await write(log, rid, a_run()[:1])
    assert await log.alive(rid) is False
    await log.beat(rid, ttl=30)
    assert await log.alive(rid) is True
    await log.finish(rid, retention=60)
    assert await log.alive(rid) is False


async def test_a_cancel_request_reaches_the_listener(log):
    rid = run_id()
    requests = log.cancel_requests()
    listener = asyncio.create_task(anext(requests))
    await asyncio.sleep(0.2)  # the listener subscribes before the request is sent
    await log.request_cancel(rid)
    assert await asyncio.wait_for(listener, 5) == rid
    await requests.aclose()


# -- expiry, on the memory log's injected clock ------------------------------------------------
async def test_a_run_past_its_ttl_or_its_retention_is_gone(clock):
    log = MemoryEventLog(clock=clock)
    live, finished = run_id(), run_id()
    await write(log, live, a_run()[:2])
    await write(log, finished, a_run())
    await log.finish(finished, retention=30)
    clock.advance(29)
    assert await log.read(finished) != [] and await log.meta(live) is not None
    clock.advance(2)
    assert await log.read(finished) == [] and await log.meta(finished) is None
    assert await log.meta(live) is not None  # its ttl is 60
    clock.advance(30)
    assert await log.meta(live) is None and await log.read(live) == []
    assert await log.purge_expired() == 0  # reading already dropped both


async def test_an_owner_that_stops_beating_is_not_alive_after_its_ttl(clock):
    log = MemoryEventLog(clock=clock)
    rid = run_id()
    await write(log, rid, a_run()[:1])
    await log.beat(rid, ttl=5)
    clock.advance(4.9)
    assert await log.alive(rid) is True
    clock.advance(0.2)
    assert await log.alive(rid) is False
