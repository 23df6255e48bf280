"""SQLite session store: the embedded default, one file, safe for several processes.

WAL mode lets readers and one writer work at once; every write is a short `BEGIN IMMEDIATE`
transaction, so two processes sharing the file see one consistent order. Turns live in their
own table keyed by (session, index): appending one is an insert, whatever the history length.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import aiosqlite

from booth.core.sessions.base import (
    Clock,
    Expiry,
    SessionExists,
    SessionNotFound,
    SessionRecord,
    VersionConflict,
    wall_clock,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL,
    created_at REAL NOT NULL,
    last_seen REAL NOT NULL,
    context TEXT NOT NULL DEFAULT '{}',
    version INTEGER NOT NULL DEFAULT 0,
    turn_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS turns (
    session_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (session_id, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS leases (
    session_id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS fences (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""

COLUMNS = "id, token_hash, created_at, last_seen, context, version, turn_count"


def _record(row: Any) -> SessionRecord:
    return SessionRecord(
        id=row[0],
        token_hash=row[1],
        created_at=row[2],
        last_seen=row[3],
        context=json.loads(row[4]),
        version=row[5],
        turn_count=row[6],
    )


class SqliteSessionStore:
    def __init__(self, path: str | Path, expiry: Expiry = Expiry(), clock: Clock = wall_clock):
        self.path = Path(path)
        self.expiry = expiry
        self.clock = clock
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    async def _db(self) -> aiosqlite.Connection:
        """The connection, opened and migrated on first use."""
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = await aiosqlite.connect(self.path, isolation_level=None, timeout=30)
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA synchronous=NORMAL")
            await conn.execute("PRAGMA busy_timeout=30000")
            await conn.executescript(SCHEMA)
            self._conn = conn
        return self._conn

    async def _write(self, fn):
        """Run `fn(conn)` in one IMMEDIATE transaction, serialised within this process."""
        async with self._lock:
            conn = await self._db()
            await conn.execute("BEGIN IMMEDIATE")
            try:
                result = await fn(conn)
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            await conn.execute("COMMIT")
            return result

    async def _live_row(self, conn: aiosqlite.Connection, session_id: str):
        """The session's row, or None; an expired session is deleted on sight."""
        async with conn.execute(f"SELECT {COLUMNS} FROM sessions WHERE id = ?", (session_id,)) as c:
            row = await c.fetchone()
        if row is None:
            return None
        if self.expiry.expired(row[2], row[3], self.clock()):
            await self._delete_rows(conn, session_id)
            return None
        return row

    @staticmethod
    async def _delete_rows(conn: aiosqlite.Connection, session_id: str) -> None:
        await conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
        await conn.execute("DELETE FROM turns WHERE session_id = ?", (session_id,))
        await conn.execute("DELETE FROM leases WHERE session_id = ?", (session_id,))

    async def create(self, session_id: str, token_hash: str) -> SessionRecord:
        async def tx(conn):
            if await self._live_row(conn, session_id) is not None:
                raise SessionExists(session_id)
            now = self.clock()
            await conn.execute(
                "INSERT INTO sessions (id, token_hash, created_at, last_seen) VALUES (?, ?, ?, ?)",
                (session_id, token_hash, now, now),
            )
            return SessionRecord(session_id, token_hash, now, now)

        return await self._write(tx)

    async def get(self, session_id: str) -> SessionRecord | None:
        row = await self._write(lambda conn: self._live_row(conn, session_id))
        return None if row is None else _record(row)

    async def touch(self, session_id: str) -> None:
        async def tx(conn):
            if await self._live_row(conn, session_id) is None:
                raise SessionNotFound(session_id)
            await conn.execute(
                "UPDATE sessions SET last_seen = ? WHERE id = ?", (self.clock(), session_id)
            )

        await self._write(tx)

    async def append_turn(self, session_id: str, turn: dict[str, Any]) -> int:
        async def tx(conn):
            row = await self._live_row(conn, session_id)
            if row is None:
                raise SessionNotFound(session_id)
            index = row[6]
            await conn.execute(
                "INSERT INTO turns (session_id, idx, body) VALUES (?, ?, ?)",
                (session_id, index, json.dumps(turn, ensure_ascii=False)),
            )
            await conn.execute(
                "UPDATE sessions SET turn_count = ?, last_seen = ? WHERE id = ?",
                (index + 1, self.clock(), session_id),
            )
            return index

        return await self._write(tx)

    async def recent_turns(self, session_id: str, limit: int = 20) -> list[dict[str, Any]]:
        if limit <= 0:
            return []

        async def tx(conn):
            if await self._live_row(conn, session_id) is None:
                return []
            async with conn.execute(
                "SELECT body FROM turns WHERE session_id = ? ORDER BY idx DESC LIMIT ?",
                (session_id, limit),
            ) as cursor:
                rows = await cursor.fetchall()
            return [json.loads(r[0]) for r in reversed(rows)]

        return await self._write(tx)

    async def set_context(
        self, session_id: str, context: dict[str, Any], expected_version: int
    ) -> int:
        async def tx(conn):
            row = await self._live_row(conn, session_id)
            if row is None:
                raise SessionNotFound(session_id)
            if row[5] != expected_version:
                raise VersionConflict(session_id)
            await conn.execute(
                "UPDATE sessions SET context = ?, version = ?, last_seen = ? WHERE id = ?",
                (json.dumps(context, ensure_ascii=False), expected_version + 1, self.clock(),
                 session_id),
            )
            return expected_version + 1

        return await self._write(tx)

    async def delete(self, session_id: str) -> bool:
        async def tx(conn):
            existed = await self._live_row(conn, session_id) is not None
            await self._delete_rows(conn, session_id)
            return existed

        return await self._write(tx)

    async def list(self, limit: int = 100, offset: int = 0) -> list[SessionRecord]:
        await self.purge_expired()

        async def tx(conn):
            async with conn.execute(
                f"SELECT {COLUMNS} FROM sessions ORDER BY created_at LIMIT ? OFFSET ?",
                (limit, offset),
            ) as cursor:
                return [_record(row) for row in await cursor.fetchall()]

        return await self._write(tx)

    async def count(self) -> int:
        await self.purge_expired()

        async def tx(conn):
            async with conn.execute("SELECT COUNT(*) FROM sessions") as cursor:
                return (await cursor.fetchone())[0]

        return await self._write(tx)

    async def purge_expired(self) -> int:
        now = self.clock()
        idle_cutoff = now - self.expiry.idle_ttl
        age_cutoff = now - self.expiry.max_age

        async def tx(conn):
            async with conn.execute(
                "SELECT id FROM sessions WHERE last_seen < ? OR created_at < ?",
                (idle_cutoff, age_cutoff),
            ) as cursor:
                ids = [row[0] for row in await cursor.fetchall()]
            for session_id in ids:
                await self._delete_rows(conn, session_id)
            return len(ids)

        return await self._write(tx)

    async def acquire_lease(self, session_id: str, owner: str, ttl: float) -> int | None:
        async def tx(conn):
            now = self.clock()
            async with conn.execute(
                "SELECT owner, expires_at FROM leases WHERE session_id = ?", (session_id,)
            ) as cursor:
                held = await cursor.fetchone()
            if held is not None and held[1] > now and held[0] != owner:
                return None
            await conn.execute(
                "INSERT INTO leases (session_id, owner, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT(session_id) DO UPDATE SET owner = excluded.owner, "
                "expires_at = excluded.expires_at",
                (session_id, owner, now + ttl),
            )
            await conn.execute(
                "INSERT INTO fences (name, value) VALUES ('lease', 1) "
                "ON CONFLICT(name) DO UPDATE SET value = value + 1"
            )
            async with conn.execute("SELECT value FROM fences WHERE name = 'lease'") as cursor:
                return (await cursor.fetchone())[0]

        return await self._write(tx)

    async def release_lease(self, session_id: str, owner: str) -> None:
        async def tx(conn):
            await conn.execute(
                "DELETE FROM leases WHERE session_id = ? AND owner = ?", (session_id, owner)
            )

        await self._write(tx)

    async def ping(self) -> bool:
        async with self._lock:
            conn = await self._db()
            async with conn.execute("SELECT 1") as cursor:
                return (await cursor.fetchone())[0] == 1

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None
