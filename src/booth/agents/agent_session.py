"""An OpenAI Agents SDK `Session` on booth's session store (session id = booth's session id).

Each conversation item is its own entry (`oa␟<position>`, zero-padded so keys sort in order),
so adding a turn's items writes only those items, and reading the last `limit` items is one
range read however long the conversation is. One run per session at a time (booth's lease) means
positions are never claimed twice.
"""

from __future__ import annotations

import json
from typing import Any

from booth.core.sessions.base import SessionStore
from booth.core.sessions.entries import prefix_end

PREFIX = "oa\x1f"
WIDTH = 12


def _key(position: int) -> str:
    return f"{PREFIX}{position:0{WIDTH}d}"


class StoreSession:
    """The SDK's `Session` protocol: get_items, add_items, pop_item, clear_session."""

    session_settings: Any = None

    def __init__(self, sessions: SessionStore, session_id: str) -> None:
        self.sessions = sessions
        self.session_id = session_id

    async def get_items(self, limit: int | None = None) -> list[Any]:
        """The latest `limit` items (all when None), oldest first."""
        rows = await self.sessions.scan_entries(
            self.session_id, PREFIX, prefix_end(PREFIX), limit=limit, reverse=True
        )
        return [json.loads(value) for _, value in reversed(rows)]

    async def add_items(self, items: list[Any]) -> None:
        if not items:
            return
        start = await self._next_position()
        entries = {
            _key(start + offset): json.dumps(item, ensure_ascii=False).encode()
            for offset, item in enumerate(items)
        }
        await self.sessions.put_entries(self.session_id, entries)

    async def pop_item(self) -> Any | None:
        last = await self._last()
        if last is None:
            return None
        key, value = last
        await self.sessions.delete_entries(self.session_id, key, key + "\x00")
        return json.loads(value)

    async def clear_session(self) -> None:
        await self.sessions.delete_entries(self.session_id, PREFIX, prefix_end(PREFIX))

    async def _last(self) -> tuple[str, bytes] | None:
        rows = await self.sessions.scan_entries(
            self.session_id, PREFIX, prefix_end(PREFIX), limit=1, reverse=True
        )
        return rows[0] if rows else None

    async def _next_position(self) -> int:
        last = await self._last()
        return 0 if last is None else int(last[0].removeprefix(PREFIX)) + 1
