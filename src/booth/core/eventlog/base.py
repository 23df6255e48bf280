"""The per-run event log: what lets a client that dropped catch up, on any replica.

Every event a run emits is appended here in order. A reader names the last sequence number it
saw (the SSE `Last-Event-ID`) and gets what it missed, then follows the live run. A finished
run's log is kept for a retention period and then dropped.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Protocol

from booth.core.events import Event


class EventLog(Protocol):
    async def open(self, run_id: str, meta: dict[str, Any], ttl: float) -> None:
        """Start a run's log with its metadata (session id, app); kept `ttl` seconds at most."""
        ...

    async def append(self, run_id: str, event: Event) -> None: ...

    async def read(self, run_id: str, after: int = 0) -> list[Event]: ...

    async def follow(self, run_id: str, after: int, timeout: float) -> list[Event]:
        """Events after `after`, waiting up to `timeout` seconds for the first one."""
        ...

    async def meta(self, run_id: str) -> dict[str, Any] | None: ...

    async def beat(self, run_id: str, ttl: float) -> bool:
        """The owning process is alive for `ttl` more seconds; True if a cancel was requested."""
        ...

    async def alive(self, run_id: str) -> bool:
        """Whether the owning process beat within its last ttl (False once it stopped)."""
        ...

    async def finish(self, run_id: str, retention: float) -> None:
        """The run ended: keep its log `retention` seconds more."""
        ...

    async def request_cancel(self, run_id: str) -> None:
        """Ask whichever process owns the run to cancel it."""
        ...

    def cancel_requests(self) -> AsyncIterator[str]:
        """Run ids whose cancellation other processes asked for."""
        ...

    async def purge_expired(self) -> int: ...

    async def close(self) -> None: ...
