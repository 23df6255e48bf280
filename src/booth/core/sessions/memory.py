"""In-process session store: for tests, development and single-process use.

Bounded: past `max_sessions` the least recently used session is evicted.
"""

from __future__ import annotations

import asyncio
import copy
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from booth.core.sessions.base import (
    Clock,
    Expiry,
    SessionExists,
    SessionNotFound,
    SessionRecord,
    VersionConflict,
    wall_clock,
)
from booth.core.sessions.entries import SortedEntries
from booth.core.sessions.memory_entries import MemoryEntries


class MemorySessionStore(MemoryEntries):
    def __init__(
        self,
        expiry: Expiry = Expiry(),
        max_sessions: int = 10_000,
        clock: Clock = wall_clock,
        on_evict: Callable[[], object] | None = None,
    ) -> None:
        self.expiry = expiry
        self.max_sessions = max_sessions
        self.clock = clock
        self.on_evict = on_evict
        self._sessions: OrderedDict[str, SessionRecord] = OrderedDict()
        self._turns: dict[str, list[dict[str, Any]]] = {}
        self._leases: dict[str, tuple[str, float]] = {}
        self._entries: dict[str, SortedEntries] = {}
        self._fence = 0
        self._lock = asyncio.Lock()

    def _live(self, session_id: str) -> SessionRecord | None:
        record = self._sessions.get(session_id)
        if record is None:
            return None
        if self.expiry.expired(record.created_at, record.last_seen, self.clock()):
            self._drop(session_id)
            return None
        return record

    def _drop(self, session_id: str) -> None:
        self._sessions.pop(session_id, None)
        self._turns.pop(session_id, None)
        self._leases.pop(session_id, None)
        self._entries.pop(session_id, None)

    async def create(self, session_id: str, token_hash: str) -> SessionRecord:
        if self._live(session_id) is not None:
            raise SessionExists(session_id)
        now = self.clock()
        record = SessionRecord(session_id, token_hash, created_at=now, last_seen=now)
        self._sessions[session_id] = record
        self._turns[session_id] = []
        while len(self._sessions) > self.max_sessions:
            oldest, _ = self._sessions.popitem(last=False)
            self._drop(oldest)
            if self.on_evict:
                self.on_evict()
        return copy.deepcopy(record)

    async def get(self, session_id: str) -> SessionRecord | None:
        record = self._live(session_id)
        if record is None:
            return None
        self._sessions.move_to_end(session_id)
        return copy.deepcopy(record)

    async def touch(self, session_id: str) -> None:
        record = self._live(session_id)
        if record is None:
            raise SessionNotFound(session_id)
        record.last_seen = self.clock()
        self._sessions.move_to_end(session_id)

    async def append_turn(self, session_id: str, turn: dict[str, Any]) -> int:
        record = self._live(session_id)
        if record is None:
            raise SessionNotFound(session_id)
        turns = self._turns[session_id]
        turns.append(copy.deepcopy(turn))
        record.turn_count = len(turns)
        record.last_seen = self.clock()
        return len(turns) - 1

    async def recent_turns(self, session_id: str, limit: int = 20) -> list[dict[str, Any]]:
        if self._live(session_id) is None:
            return []
        return copy.deepcopy(self._turns[session_id][-limit:]) if limit > 0 else []

    async def set_context(
        self, session_id: str, context: dict[str, Any], expected_version: int
    ) -> int:
        record = self._live(session_id)
        if record is None:
            raise SessionNotFound(session_id)
        if record.version != expected_version:
            raise VersionConflict(session_id)
        record.context = copy.deepcopy(context)
        record.version += 1
        record.last_seen = self.clock()
        return record.version

    async def delete(self, session_id: str) -> bool:
        existed = self._live(session_id) is not None
        self._drop(session_id)
        return existed

    async def list(self, limit: int = 100, offset: int = 0) -> list[SessionRecord]:
        await self.purge_expired()
        records = sorted(self._sessions.values(), key=lambda r: r.created_at)
        return [copy.deepcopy(r) for r in records[offset : offset + limit]]

    async def count(self) -> int:
        await self.purge_expired()
        return len(self._sessions)

    async def purge_expired(self) -> int:
        now = self.clock()
        gone = [
            sid
            for sid, r in self._sessions.items()
            if self.expiry.expired(r.created_at, r.last_seen, now)
        ]
        for sid in gone:
            self._drop(sid)
        return len(gone)

    async def acquire_lease(self, session_id: str, owner: str, ttl: float) -> int | None:
        now = self.clock()
        held = self._leases.get(session_id)
        if held is not None and held[1] > now and held[0] != owner:
            return None
        self._fence += 1
        self._leases[session_id] = (owner, now + ttl)
        return self._fence

    async def renew_lease(self, session_id: str, owner: str, ttl: float) -> bool:
        now = self.clock()
        held = self._leases.get(session_id)
        if held is None or held[0] != owner or held[1] <= now:
            return False
        self._leases[session_id] = (owner, now + ttl)
        return True

    async def release_lease(self, session_id: str, owner: str) -> None:
        held = self._leases.get(session_id)
        if held is not None and held[0] == owner:
            del self._leases[session_id]

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        return None
