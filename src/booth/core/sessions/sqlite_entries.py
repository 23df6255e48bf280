"""Entries (see entries.py) for the SQLite store: one row per entry, keyed (session, key).

Every statement joins the session row and its liveness window, so an expired session's entries
read as none even before the sweep removes them; `_forget` deletes them with the session.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from booth.core.sessions.base import SessionNotFound

ENTRIES_SCHEMA = """
CREATE TABLE IF NOT EXISTS session_entries (
    session_id TEXT NOT NULL,
    key TEXT NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (session_id, key)
) WITHOUT ROWID;
"""

# The session row is live; parameters: session id, seen after, born after.
LIVE_SESSION = "id = ? AND last_seen >= ? AND created_at >= ?"

# SQLite allows 32766 bound parameters; 3 per entry, with room to spare.
ROWS_PER_STATEMENT = 2000


class SqliteEntries:
    """Mixed into SqliteSessionStore, whose `_rows` and `_window` it uses.

    Every call is one statement in one trip to aiosqlite's thread (`RETURNING` gives counts).
    """

    if TYPE_CHECKING:  # provided by SqliteSessionStore

        async def _rows(self, sql: str, params: Any = ()) -> list[Any]: ...

        def _window(self, **params: Any) -> dict[str, Any]: ...

    def _live_params(self, session_id: str) -> list[Any]:
        window = self._window()
        return [session_id, window["seen_after"], window["born_after"]]

    async def put_entries(self, session_id: str, entries: Mapping[str, bytes]) -> None:
        items = list(entries.items())
        if not items:
            if not await self._rows(
                f"SELECT 1 FROM sessions WHERE {LIVE_SESSION}", self._live_params(session_id)
            ):
                raise SessionNotFound(session_id)
            return
        for at in range(0, len(items), ROWS_PER_STATEMENT):
            chunk = items[at : at + ROWS_PER_STATEMENT]
            values = ", ".join("(?, ?)" for _ in chunk)
            params: list[Any] = [session_id]
            for key, value in chunk:
                params += [key, bytes(value)]
            written = await self._rows(
                "INSERT OR REPLACE INTO session_entries (session_id, key, value) "
                f"SELECT ?, column1, column2 FROM (VALUES {values}) "
                f"WHERE EXISTS (SELECT 1 FROM sessions WHERE {LIVE_SESSION}) RETURNING 1",
                params + self._live_params(session_id),
            )
            if not written:
                raise SessionNotFound(session_id)

    async def get_entries(self, session_id: str, keys: Sequence[str]) -> dict[str, bytes]:
        if not keys:
            return {}
        marks = ", ".join("?" for _ in keys)
        rows = await self._rows(
            f"SELECT key, value FROM session_entries WHERE session_id = ? AND key IN ({marks}) "
            f"AND EXISTS (SELECT 1 FROM sessions WHERE {LIVE_SESSION})",
            [session_id, *keys, *self._live_params(session_id)],
        )
        return {key: bytes(value) for key, value in rows}

    async def scan_entries(
        self,
        session_id: str,
        start: str = "",
        end: str | None = None,
        *,
        limit: int | None = None,
        reverse: bool = False,
    ) -> list[tuple[str, bytes]]:
        upper = "AND key < ?" if end is not None else ""
        order = "DESC" if reverse else "ASC"
        rows = await self._rows(
            "SELECT key, value FROM session_entries WHERE session_id = ? AND key >= ? "
            f"{upper} AND EXISTS (SELECT 1 FROM sessions WHERE {LIVE_SESSION}) "
            f"ORDER BY key {order} LIMIT ?",
            [
                session_id,
                start,
                *([end] if end is not None else []),
                *self._live_params(session_id),
                -1 if limit is None else max(0, limit),
            ],
        )
        return [(key, bytes(value)) for key, value in rows]

    async def delete_entries(self, session_id: str, start: str, end: str | None = None) -> int:
        upper = "AND key < ?" if end is not None else ""
        gone = await self._rows(
            f"DELETE FROM session_entries WHERE session_id = ? AND key >= ? {upper} RETURNING 1",
            [session_id, start, *([end] if end is not None else [])],
        )
        return len(gone)
