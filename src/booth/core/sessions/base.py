"""The SessionStore contract every backend fulfils.

A session holds a token hash, a context (one JSON object, versioned for optimistic concurrency)
and an append-only list of turns. Appending a turn never rewrites earlier turns, so its cost does
not grow with the conversation. The single-run lease lives here too, because "one run per session
at a time" must hold across every process that shares the store.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

Clock = Callable[[], float]


def wall_clock() -> float:
    return time.time()


@dataclass(frozen=True, slots=True)
class Expiry:
    """When a session is gone: idle longer than `idle_ttl` or older than `max_age` (seconds)."""

    idle_ttl: float = 30 * 60
    max_age: float = 24 * 60 * 60

    def expired(self, created_at: float, last_seen: float, now: float) -> bool:
        return now - last_seen > self.idle_ttl or now - created_at > self.max_age

    def remaining(self, created_at: float, last_seen: float, now: float) -> float:
        """Seconds until expiry (used as a Redis TTL)."""
        return max(0.0, min(last_seen + self.idle_ttl, created_at + self.max_age) - now)


@dataclass(slots=True)
class SessionRecord:
    id: str
    token_hash: str
    created_at: float
    last_seen: float
    context: dict[str, Any] = field(default_factory=dict)
    version: int = 0
    turn_count: int = 0


class SessionExists(Exception):
    """`create` was asked for an id that is already live."""


class SessionNotFound(Exception):
    """The session does not exist or has expired."""


class VersionConflict(Exception):
    """The context changed since it was read; re-read and retry."""


@runtime_checkable
class SessionStore(Protocol):
    """Async storage of sessions; see the conformance suite in tests/core/sessions/."""

    expiry: Expiry
    clock: Clock

    async def create(self, session_id: str, token_hash: str) -> SessionRecord: ...

    async def get(self, session_id: str) -> SessionRecord | None: ...

    async def touch(self, session_id: str) -> None: ...

    async def append_turn(self, session_id: str, turn: dict[str, Any]) -> int:
        """Append a turn; returns its index (0-based)."""
        ...

    async def recent_turns(self, session_id: str, limit: int = 20) -> list[dict[str, Any]]:
        """The last `limit` turns, oldest first."""
        ...

    async def set_context(
        self, session_id: str, context: dict[str, Any], expected_version: int
    ) -> int:
        """Replace the context if its version is still `expected_version`; returns the new one."""
        ...

    async def delete(self, session_id: str) -> bool: ...

    async def list(self, limit: int = 100, offset: int = 0) -> list[SessionRecord]: ...

    async def count(self) -> int: ...

    async def purge_expired(self) -> int:
        """Delete every expired session; returns how many went."""
        ...

    async def acquire_lease(self, session_id: str, owner: str, ttl: float) -> int | None:
        """Take the session's run lease for `ttl` seconds; returns a fencing number or None."""
        ...

    async def release_lease(self, session_id: str, owner: str) -> None: ...

    async def ping(self) -> bool: ...

    async def close(self) -> None: ...

    # -- entries: the session's own ordered key-value space (see sessions/entries.py) ----------
    async def put_entries(self, session_id: str, entries: Mapping[str, bytes]) -> None:
        """Insert or replace keyed records in the session's space; SessionNotFound if gone."""
        ...

    async def get_entries(self, session_id: str, keys: Sequence[str]) -> dict[str, bytes]:
        """The named records that exist (a missing or expired session has none)."""
        ...

    async def scan_entries(
        self,
        session_id: str,
        start: str = "",
        end: str | None = None,
        *,
        limit: int | None = None,
        reverse: bool = False,
    ) -> list[tuple[str, bytes]]:
        """Records with `start <= key < end` (no `end`: to the last), in key order or reversed."""
        ...

    async def delete_entries(self, session_id: str, start: str, end: str | None = None) -> int:
        """Delete the records with `start <= key < end`; returns how many went."""
        ...


async def update_context(
    store: SessionStore,
    session_id: str,
    change: Callable[[dict[str, Any]], dict[str, Any]],
    attempts: int = 8,
) -> dict[str, Any]:
    """Read-modify-write of a session's context that never loses a concurrent update."""
    for _ in range(attempts):
        record = await store.get(session_id)
        if record is None:
            raise SessionNotFound(session_id)
        new_context = change(dict(record.context))
        try:
            await store.set_context(session_id, new_context, record.version)
            return new_context
        except VersionConflict:
            continue
    raise VersionConflict(f"context of {session_id} kept changing ({attempts} attempts)")
