"""The SessionStore contract every backend fulfils.

A session holds a token hash, a context (one JSON object, versioned for optimistic concurrency)
and an append-only list of turns. Appending a turn never rewrites earlier turns, so its cost does
not grow with the conversation. The single-run lease lives here too, because "one run per session
at a time" must hold across every process that shares the store.
"""

from __future__ import annotations

import asyncio
import builtins
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from booth.core.errors import BoothError, ErrorCode

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

    async def renew_lease(self, session_id: str, owner: str, ttl: float) -> bool:
        """Extend `owner`'s lease to `ttl` seconds from now; False when it is no longer theirs
        (released, lapsed or taken): a renewal never takes a lease back."""
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
    ) -> builtins.list[tuple[str, bytes]]:
        """Records with `start <= key < end` (no `end`: to the last), in key order or reversed."""
        ...

    async def delete_entries(self, session_id: str, start: str, end: str | None = None) -> int:
        """Delete the records with `start <= key < end`; returns how many went."""
        ...


UPDATE_ATTEMPTS = 40  # optimistic tries before a context update gives up (as 409 BUSY)
UPDATE_BACKOFF_BASE = 0.002  # seconds; doubled per lost try, with full jitter …
UPDATE_BACKOFF_CAP = 0.1  # … up to this


async def update_context(
    store: SessionStore,
    session_id: str,
    change: Callable[[dict[str, Any]], dict[str, Any]],
    attempts: int = UPDATE_ATTEMPTS,
) -> dict[str, Any]:
    """Read-modify-write of a session's context that never loses a concurrent update.

    A writer that loses the race waits a random, growing while (so 50 concurrent writers spread
    out instead of colliding again) and retries. One that still cannot win is told BUSY
    (409, retryable); nothing was written for it.
    """
    for attempt in range(attempts):
        record = await store.get(session_id)
        if record is None:
            raise SessionNotFound(session_id)
        new_context = change(dict(record.context))
        try:
            await store.set_context(session_id, new_context, record.version)
            return new_context
        except VersionConflict:
            ceiling = min(UPDATE_BACKOFF_CAP, UPDATE_BACKOFF_BASE * 2**attempt)
            await asyncio.sleep(random.uniform(0, ceiling))
    raise BoothError(
        ErrorCode.BUSY,
        "This session's context is being changed by many requests at once; retry.",
        retry_after=1.0,
    )
