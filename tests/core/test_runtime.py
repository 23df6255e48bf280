"""The runtime in process: readers, slow consumers, log context."""

from __future__ import annotations

import asyncio
import io
import json
import time

import pytest

from booth.core.errors import BoothError, ErrorCode
from booth.core.eventlog.memory import MemoryEventLog
from booth.core.events import EventType
from booth.core.observability import Metrics, configure_logging
from booth.core.payloads import CompletePayload
from booth.core.resilience import AdmissionControl
from booth.core.runs import YIELD_AFTER
from booth.core.runtime import RunLimits, Runtime
from booth.core.sessions.memory import MemorySessionStore


def make_runtime(**limits) -> Runtime:
    return Runtime(
        sessions=MemorySessionStore(),
        event_log=MemoryEventLog(),
        admission=AdmissionControl(10, 10),
        metrics=Metrics(),
        limits=RunLimits(**limits),
    )


async def chatty(ctx):
    for i in range(200):
        await ctx.thought("reasoning", "connecting", f"step {i}")


async def test_a_reader_that_stops_reading_is_dropped_not_buffered_without_bound():
    runtime = make_runtime(queue_size=16, disconnect_policy="detach", detach_grace=5)
    await runtime.sessions.create("session-slow", "h")
    run, subscriber = await runtime.start(app="t", session_id="session-slow", pipeline=chatty)
    await run.finished()
    assert subscriber.overflowed
    assert len(subscriber) == 16
    received = [e async for e in runtime.events(run, subscriber, replay=False)]
    assert len(received) < 20  # what was queued, then the stream closed
    assert not received or not received[-1].terminal
    # The log kept everything: the dropped reader can resume where it stopped.
    resumed = [e async for e in runtime.stream(run.id, after=received[-1].seq)]
    assert resumed[-1].type.value == "complete"
    assert [e.seq for e in received + resumed] == list(range(1, 203))


async def test_events_after_the_terminal_one_are_ignored():
    runtime = make_runtime()
    await runtime.sessions.create("session-one", "h")

    async def late_emitter(ctx):
        raise BoothError(ErrorCode.INVALID_QUERY, "no")

    run, subscriber = await runtime.start(app="t", session_id="session-one", pipeline=late_emitter)
    await runtime.collect(run, subscriber)
    await run.emit(EventType.COMPLETE, CompletePayload(duration_ms=1))
    assert [e.type.value for e in await runtime.event_log.read(run.id)] == ["status", "error"]


async def test_shutdown_refuses_new_runs():
    runtime = make_runtime()
    await runtime.sessions.create("session-one", "h")
    await runtime.shutdown()
    with pytest.raises(BoothError) as refused:
        await runtime.start(app="t", session_id="session-one", pipeline=chatty)
    assert refused.value.code is ErrorCode.SHUTTING_DOWN


async def test_every_log_line_of_a_run_names_its_session_and_run():
    out = io.StringIO()
    configure_logging("json", stream=out)
    runtime = make_runtime()
    await runtime.sessions.create("session-logged", "h")

    async def noisy(ctx):
        import logging

        logging.getLogger("booth.test").info("inside the pipeline")

    run, subscriber = await runtime.start(app="t", session_id="session-logged", pipeline=noisy)
    await runtime.collect(run, subscriber)
    await run.task
    configure_logging("text")
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    mine = [
        line
        for line in lines
        if line["message"] in ("inside the pipeline",) or "run ended" in line["message"]
    ]
    assert len(mine) == 2
    assert all(line["session_id"] == "session-logged" and line["run_id"] == run.id for line in mine)


async def slow(ctx):
    for phase in ("connecting", "deep_research", "content_enrich"):
        await ctx.phase(phase, "working")
        await asyncio.sleep(0.2)


async def very_slow(ctx):
    await ctx.phase("connecting", "working")
    await asyncio.sleep(30)


async def test_a_detached_run_without_readers_is_cancelled_after_the_grace_period():
    runtime = make_runtime(disconnect_policy="detach", detach_grace=0.5)
    await runtime.sessions.create("session-gone", "h")
    run, subscriber = await runtime.start(app="t", session_id="session-gone", pipeline=very_slow)
    stream = runtime.events(run, subscriber, replay=False)
    await anext(stream)
    await stream.aclose()  # the reader leaves
    await asyncio.sleep(0.05)
    assert not run.task.done()  # still within the grace period
    await asyncio.wait_for(run.finished(), 10)
    log = await runtime.event_log.read(run.id)
    assert log[-1].type.value == "error" and log[-1].data["code"] == "CANCELLED"


async def test_a_reader_returning_within_the_grace_period_keeps_the_run_alive():
    runtime = make_runtime(disconnect_policy="detach", detach_grace=0.3)
    await runtime.sessions.create("session-back", "h")
    run, subscriber = await runtime.start(app="t", session_id="session-back", pipeline=slow)
    stream = runtime.events(run, subscriber, replay=False)
    first = await anext(stream)
    await stream.aclose()
    rest = [e async for e in runtime.stream(run.id, after=first.seq)]
    assert rest[-1].type.value == "complete"


async def test_a_finished_runs_log_is_kept_for_the_retention_period_only():
    runtime = make_runtime(retention=1.0)
    await runtime.sessions.create("session-kept", "h")
    run, subscriber = await runtime.start(app="t", session_id="session-kept", pipeline=chatty)
    await runtime.collect(run, subscriber)
    await run.task
    assert (await runtime.event_log.meta(run.id))["done"] is True
    assert len(await runtime.event_log.read(run.id)) == 202
    await asyncio.sleep(1.2)
    assert await runtime.event_log.meta(run.id) is None
    assert await runtime.event_log.read(run.id) == []


async def _log_of_one_run(runtime: Runtime, session_id: str, query: str) -> str:
    out = io.StringIO()
    configure_logging("text", stream=out)
    await runtime.sessions.create(session_id, "h")
    run, subscriber = await runtime.start(
        app="t",
        session_id=session_id,
        pipeline=chatty,
        query=query,
        private_status={"session_token": "tok-SECRET"},
    )
    await runtime.collect(run, subscriber)
    await run.task
    configure_logging("text")
    return out.getvalue()


async def test_the_log_shows_only_the_length_and_a_hash_of_user_text_and_never_the_token():
    text = await _log_of_one_run(make_runtime(), "session-quiet", "sk-live-4242")
    assert "run started: t" in text and "session=session-quiet" in text
    assert "sk-live" not in text and "len=12 sha256=" in text
    assert "tok-SECRET" not in text


async def test_with_log_user_text_the_log_shows_user_text_truncated():
    runtime = make_runtime()
    runtime.log_user_text = True
    secret = "my private job description " * 10
    text = await _log_of_one_run(runtime, "session-chatty", secret)
    assert secret not in text and "my private job description my" in text
    assert "len=270" in text and "tok-SECRET" not in text


# -- leases: one renewal loop for every run of the process ----------------------------------------
async def test_runs_longer_than_the_lease_keep_their_sessions_while_they_run():
    runtime = make_runtime(lease_ttl=0.3, lease_renew_every=0.05)
    release = asyncio.Event()

    async def long_run(ctx):
        await release.wait()

    runs = []
    for name in ("session-a", "session-b"):
        await runtime.sessions.create(name, "h")
        runs.append(await runtime.start(app="t", session_id=name, pipeline=long_run))
    await asyncio.sleep(1.0)  # over three lease lifetimes
    for name in ("session-a", "session-b"):
        with pytest.raises(BoothError) as busy:
            await runtime.start(app="t", session_id=name, pipeline=long_run)
        assert busy.value.code is ErrorCode.BUSY
    release.set()
    for run, subscriber in runs:
        events = await runtime.collect(run, subscriber)
        assert events[-1].type is EventType.COMPLETE


async def test_a_run_whose_lease_is_no_longer_its_own_ends_with_upstream_unavailable():
    runtime = make_runtime(lease_ttl=0.3, lease_renew_every=0.05)
    await runtime.sessions.create("session-lost", "h")
    run, subscriber = await runtime.start(
        app="t", session_id="session-lost", pipeline=lambda ctx: asyncio.Event().wait()
    )
    await runtime.sessions.release_lease("session-lost", run.id)  # as if it lapsed and was taken
    assert await runtime.sessions.acquire_lease("session-lost", "someone-else", 30) is not None
    events = await asyncio.wait_for(runtime.collect(run, subscriber), 5)
    assert events[-1].type is EventType.ERROR
    assert events[-1].data["code"] == "UPSTREAM_UNAVAILABLE"


async def test_the_renewal_loop_stops_with_the_last_run_and_starts_with_the_next():
    runtime = make_runtime(lease_ttl=0.3, lease_renew_every=0.05)
    await runtime.sessions.create("session-r", "h")

    async def short(ctx):
        await asyncio.sleep(0.2)

    for _ in range(2):
        run, subscriber = await runtime.start(app="t", session_id="session-r", pipeline=short)
        assert runtime._renewer is not None and not runtime._renewer.done()
        await runtime.collect(run, subscriber)
        await run.finished()
        assert runtime._renewer is None


def busy(seconds: float) -> None:
    """Keep the loop, as a phase doing real work does."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        continue


async def test_a_run_busy_between_checkpoints_lets_other_runs_have_the_loop():
    runtime = make_runtime()
    await runtime.sessions.create("session-busy", "h")
    others_ran = asyncio.Event()

    async def spinning(ctx):
        while not others_ran.is_set():  # ends only if a checkpoint gives the loop away
            busy(YIELD_AFTER)
            await ctx.checkpoint()

    async def other() -> None:
        others_ran.set()

    run, subscriber = await runtime.start(app="t", session_id="session-busy", pipeline=spinning)
    neighbour = asyncio.ensure_future(other())
    events = await asyncio.wait_for(runtime.collect(run, subscriber), 30)
    await neighbour
    assert events[-1].type is EventType.COMPLETE


async def test_a_cancel_lands_at_the_next_checkpoint_of_a_busy_run():
    runtime = make_runtime()
    await runtime.sessions.create("session-spin", "h")

    async def forever(ctx):
        while True:
            busy(YIELD_AFTER)
            await ctx.checkpoint()

    run, subscriber = await runtime.start(app="t", session_id="session-spin", pipeline=forever)
    asyncio.get_running_loop().call_soon(run.cancel, ErrorCode.CANCELLED)
    events = await asyncio.wait_for(runtime.collect(run, subscriber), 30)
    assert events[-1].type is EventType.ERROR
    assert events[-1].data["code"] == ErrorCode.CANCELLED
