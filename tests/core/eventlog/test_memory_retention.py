"""The in-process event log keeps finished runs as SSE bytes, capped by bytes and by age."""

from __future__ import annotations

import asyncio

from booth.core.eventlog.memory import MemoryEventLog
from booth.core.events import Event, EventType


async def write_run(log: MemoryEventLog, run_id: str, events: int, retention: float = 60) -> None:
    await log.open(run_id, {"session_id": "s", "app": "t"}, ttl=600)
    for seq in range(1, events):
        await log.append(run_id, Event(seq, EventType.THOUGHT, {"step": seq, "content": "x" * 50}))
    await log.append(run_id, Event(events, EventType.COMPLETE, {"duration_ms": 1}))
    await log.finish(run_id, retention)


async def test_a_finished_run_reads_back_exactly_as_it_was_written():
    log = MemoryEventLog()
    await write_run(log, "run-a", 5)
    events = await log.read("run-a")
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].data == {"step": 1, "content": "x" * 50}
    assert events[-1].type is EventType.COMPLETE
    assert [e.seq for e in await log.read("run-a", 3)] == [4, 5]
    assert await log.read("run-a", 5) == [] and await log.read("run-a", 99) == []
    assert (await log.meta("run-a"))["done"] is True


async def test_past_the_byte_cap_the_oldest_finished_runs_go_first_as_runs_finish():
    log = MemoryEventLog(retention_bytes=4_000)
    for n in range(20):
        await write_run(log, f"run-{n:02d}", 10)  # ~1 KB each
        assert log.retained_bytes <= 4_000
    assert await log.meta("run-00") is None and await log.read("run-00") == []
    assert await log.meta("run-19") is not None
    kept = [n for n in range(20) if await log.meta(f"run-{n:02d}") is not None]
    assert kept == list(range(kept[0], 20))  # a contiguous run of the newest


async def test_past_their_age_finished_runs_go_without_waiting_for_the_sweep():
    log = MemoryEventLog()
    await write_run(log, "run-old", 3, retention=0.05)
    one_run = log.retained_bytes
    await asyncio.sleep(0.1)
    await write_run(log, "run-new", 3, retention=60)  # finishing one trims the others
    assert log.retained_bytes == one_run  # only the new one is held
    assert await log.meta("run-old") is None
    assert await log.meta("run-new") is not None
