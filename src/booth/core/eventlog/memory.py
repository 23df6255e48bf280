"""In-process event log: for one server process (the embedded default) and tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from booth.core.events import Event


@dataclass
class _RunLog:
    meta: dict[str, Any]
    expires_at: float
    events: list[Event] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)


class MemoryEventLog:
    def __init__(self) -> None:
        self._runs: dict[str, _RunLog] = {}
        self._cancels: asyncio.Queue[str] = asyncio.Queue()

    def _live(self, run_id: str) -> _RunLog | None:
        log = self._runs.get(run_id)
        if log is not None and log.expires_at < time.monotonic():
            del self._runs[run_id]
            return None
        return log

    async def open(self, run_id: str, meta: dict[str, Any], ttl: float) -> None:
        self._runs[run_id] = _RunLog(meta=dict(meta), expires_at=time.monotonic() + ttl)

    async def append(self, run_id: str, event: Event) -> None:
        log = self._runs.get(run_id)
        if log is None:
            return
        log.events.append(event)
        log.changed.set()
        log.changed = asyncio.Event()

    async def read(self, run_id: str, after: int = 0) -> list[Event]:
        log = self._live(run_id)
        if log is None:
            return []
        # seq is gap-free from 1, so the index of seq n is n-1.
        return log.events[max(after, 0) :]

    async def follow(self, run_id: str, after: int, timeout: float) -> list[Event]:
        log = self._live(run_id)
        if log is None:
            return []
        if len(log.events) <= after:
            try:
                await asyncio.wait_for(log.changed.wait(), timeout)
            except TimeoutError:
                return []
        return log.events[after:]

    async def meta(self, run_id: str) -> dict[str, Any] | None:
        log = self._live(run_id)
        return None if log is None else dict(log.meta)

    async def finish(self, run_id: str, retention: float) -> None:
        log = self._runs.get(run_id)
        if log is not None:
            log.meta["done"] = True
            log.expires_at = time.monotonic() + retention

    async def request_cancel(self, run_id: str) -> None:
        self._cancels.put_nowait(run_id)

    async def cancel_requests(self) -> AsyncIterator[str]:
        while True:
            yield await self._cancels.get()

    async def purge_expired(self) -> int:
        now = time.monotonic()
        gone = [run_id for run_id, log in self._runs.items() if log.expires_at < now]
        for run_id in gone:
            del self._runs[run_id]
        return len(gone)

    async def close(self) -> None:
        self._runs.clear()
