"""Entries (see entries.py) for the in-process store."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from booth.core.sessions.base import SessionNotFound
from booth.core.sessions.entries import SortedEntries


class MemoryEntries:
    """Mixed into MemorySessionStore, whose `_live` and `_entries` it uses."""

    _entries: dict[str, SortedEntries]

    if TYPE_CHECKING:  # provided by MemorySessionStore

        def _live(self, session_id: str) -> Any: ...

    def _space(self, session_id: str) -> SortedEntries | None:
        if self._live(session_id) is None:
            return None
        return self._entries.setdefault(session_id, SortedEntries())

    async def put_entries(self, session_id: str, entries: Mapping[str, bytes]) -> None:
        space = self._space(session_id)
        if space is None:
            raise SessionNotFound(session_id)
        space.put(entries)

    async def get_entries(self, session_id: str, keys: Sequence[str]) -> dict[str, bytes]:
        space = self._space(session_id)
        return space.get(keys) if space is not None else {}

    async def scan_entries(
        self,
        session_id: str,
        start: str = "",
        end: str | None = None,
        *,
        limit: int | None = None,
        reverse: bool = False,
    ) -> list[tuple[str, bytes]]:
        space = self._space(session_id)
        return space.scan(start, end, limit, reverse) if space is not None else []

    async def delete_entries(self, session_id: str, start: str, end: str | None = None) -> int:
        space = self._space(session_id)
        return space.delete(start, end) if space is not None else 0
