"""In-process event log: for one server process (the embedded default) and tests.

A run's events are kept as their SSE bytes - what a resuming reader is sent anyway, at a
fraction of the objects' memory (live readers get the objects from the runtime, not from here).
When the run finishes its log is packed into one bytes object and kept for the retention time.
Finished logs are also capped in total bytes: past the cap the oldest are dropped first, as each
run finishes, so memory does not grow with request volume.
"""

from __future__ import annotations

import asyncio
import sys
import time
from array import array
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from booth.core.events import Event, EventType

DEFAULT_RETENTION_BYTES = 64 * 1024 * 1024
ENTRY_OVERHEAD = 200  # bytes of a finished log's index entry (its slot in the ordered dict, keys)


@dataclass(slots=True)
class _RunLog:
    meta: dict[str, Any]
    expires_at: float
    messages: list[bytes] = field(default_factory=list)  # messages[i] is event seq i + 1
    # Made only while a follower waits (a reader of a run this process is not running): a live
    # run's own readers are handed its events by the runtime, so most logs never need one.
    changed: asyncio.Event | None = None

    def wake(self) -> None:
        if self.changed is not None:
            self.changed.set()
            self.changed = None

    def events_after(self, after: int) -> list[Event]:
        return [_decode(message) for message in self.messages[max(after, 0) :]]


@dataclass(slots=True)
class _Finished:
    """A finished run's log: its SSE bytes, where each event starts in them, and its meta."""

    session_id: str
    app: str
    started: float
    expires_at: float
    encoded: bytes
    starts: array[int]  # starts[i] is the offset of event seq i + 1
    size: int = 0  # bytes held, bookkeeping included: what the retention cap counts

    @classmethod
    def pack(cls, log: _RunLog, expires_at: float) -> _Finished:
        starts, offset = array("I"), 0
        for message in log.messages:
            starts.append(offset)
            offset += len(message)
        meta = log.meta
        packed = cls(
            str(meta.get("session_id", "")),
            str(meta.get("app", "")),
            float(meta.get("started", 0.0)),
            expires_at,
            b"".join(log.messages),
            starts,
        )
        packed.size = (
            sys.getsizeof(packed)
            + sys.getsizeof(packed.encoded)
            + sys.getsizeof(packed.starts)
            + sys.getsizeof(packed.session_id)
            + ENTRY_OVERHEAD
        )
        return packed

    @property
    def meta(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "app": self.app,
            "started": self.started,
            "done": True,
        }

    def events_after(self, after: int) -> list[Event]:
        if after >= len(self.starts):
            return []
        text = self.encoded[self.starts[max(after, 0)] :]
        return [_decode(message) for message in text.split(b"\n\n") if message]


def _decode(message: bytes) -> Event:
    """One SSE message as `Event.sse` wrote it: id, event and a single data line."""
    seq_line, type_line, data_line = message.rstrip(b"\n").split(b"\n", 2)
    return Event.stored(
        int(seq_line.removeprefix(b"id: ")),
        EventType(type_line.removeprefix(b"event: ").decode()),
        data_line.removeprefix(b"data: "),
    )


class MemoryEventLog:
    def __init__(
        self,
        retention_bytes: int = DEFAULT_RETENTION_BYTES,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.retention_bytes = retention_bytes
        self.clock = clock  # seconds; injectable so tests reach expiry without waiting
        self._runs: dict[str, _RunLog] = {}
        self._finished: OrderedDict[str, _Finished] = OrderedDict()  # oldest finish first
        self._finished_bytes = 0
        self._alive_until: dict[str, float] = {}
        self._cancels: asyncio.Queue[str] = asyncio.Queue()

    # -- a live run ---------------------------------------------------------------------------
    def _live(self, run_id: str) -> _RunLog | None:
        log = self._runs.get(run_id)
        if log is not None and log.expires_at < self.clock():
            self._runs.pop(run_id, None)
            return None
        return log

    def _done(self, run_id: str) -> _Finished | None:
        done = self._finished.get(run_id)
        if done is not None and done.expires_at < self.clock():
            self._forget(run_id)
            return None
        return done

    async def open(self, run_id: str, meta: dict[str, Any], ttl: float) -> None:
        self._runs[run_id] = _RunLog(meta=dict(meta), expires_at=self.clock() + ttl)

    async def append(self, run_id: str, event: Event) -> None:
        log = self._runs.get(run_id)
        if log is None:
            return
        log.messages.append(event.sse())
        log.wake()

    async def read(self, run_id: str, after: int = 0) -> list[Event]:
        log = self._live(run_id)
        if log is not None:
            # seq is gap-free from 1, so the index of seq n is n-1.
            return log.events_after(after)
        done = self._done(run_id)
        return [] if done is None else done.events_after(after)

    async def follow(self, run_id: str, after: int, timeout: float) -> list[Event]:
        log = self._live(run_id)
        if log is None:
            return await self.read(run_id, after)
        if len(log.messages) <= after:
            if log.changed is None:
                log.changed = asyncio.Event()
            try:
                await asyncio.wait_for(log.changed.wait(), timeout)
            except TimeoutError:
                return []
        return log.events_after(after)

    async def meta(self, run_id: str) -> dict[str, Any] | None:
        log = self._live(run_id)
        if log is not None:
            return {**log.meta, "done": False}
        done = self._done(run_id)
        return None if done is None else done.meta

    async def beat(self, run_id: str, ttl: float) -> bool:
        self._alive_until[run_id] = self.clock() + ttl
        return False  # cancellations in one process travel on the queue

    async def alive(self, run_id: str) -> bool:
        return self._alive_until.get(run_id, 0) > self.clock()

    # -- a finished run -----------------------------------------------------------------------
    async def finish(self, run_id: str, retention: float) -> None:
        log = self._runs.pop(run_id, None)
        self._alive_until.pop(run_id, None)
        if log is None:
            return
        log.wake()  # a follower waiting on the live log looks again, and finds the end
        now = self.clock()
        packed = _Finished.pack(log, now + retention)
        self._finished[run_id] = packed
        self._finished_bytes += packed.size
        self._trim(now)

    def _trim(self, now: float) -> None:
        """Drop finished logs past their age or over the byte cap, oldest first."""
        while self._finished:
            oldest_id, oldest = next(iter(self._finished.items()))
            if oldest.expires_at >= now and self._finished_bytes <= self.retention_bytes:
                return
            self._forget(oldest_id)

    def _forget(self, run_id: str) -> None:
        gone = self._finished.pop(run_id, None)
        if gone is not None:
            self._finished_bytes -= gone.size

    @property
    def retained_bytes(self) -> int:
        return self._finished_bytes

    # -- cancellation, expiry -----------------------------------------------------------------
    async def request_cancel(self, run_id: str) -> None:
        self._cancels.put_nowait(run_id)

    async def cancel_requests(self) -> AsyncIterator[str]:
        while True:
            yield await self._cancels.get()

    async def purge_expired(self) -> int:
        now = self.clock()
        gone = [run_id for run_id, log in self._runs.items() if log.expires_at < now]
        for run_id in gone:
            del self._runs[run_id]
        before = len(self._finished)
        self._trim(now)
        return len(gone) + before - len(self._finished)

    async def close(self) -> None:
        self._runs.clear()
        self._finished.clear()
        self._finished_bytes = 0
