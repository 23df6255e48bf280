"""SQLite session store: the embedded default, one file, safe for several processes.

WAL mode lets readers and one writer work at once. Every operation is one or two single
statements whose WHERE clauses carry the conditions (live session, expected version, free
lease), so each is atomic on its own across processes without holding a transaction open. Turns
live in their own table keyed by (session, index): appending one is an insert, whatever the
history length.

Each statement first runs on the event loop's own connection, which never waits for a lock
(busy timeout 0): uncontended, a statement takes tens of microseconds, far less than handing it
to a thread, which under load costs ten times that in GIL hand-offs (bench/stream_cost.py).
When another process holds the write lock, the statement (not applied: SQLite takes the lock
before it changes anything) is run again on aiosqlite's connection, whose thread waits for the
lock. That connection also does the WAL checkpoints, so the loop never waits on an fsync.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
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
from booth.core.sessions.sqlite_entries import ENTRIES_SCHEMA, SqliteEntries

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
CREATE TABLE IF NOT EXISTS run_leases (
    session_id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires_at REAL NOT NULL,
    fence INTEGER NOT NULL
);
"""

COLUMNS = "id, token_hash, created_at, last_seen, context, version, turn_count"
LOCK_WAIT_MS = 30_000  # how long the waiting connection waits for another process's write lock
CHECKPOINT_AFTER_CHANGES = 1_000  # rows the loop's connection changes between WAL checkpoints
BUSY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})


def _busy(exc: sqlite3.OperationalError) -> bool:
    """The statement found the file locked by another connection (and changed nothing)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in BUSY_CODES


def live(table: str = "") -> str:
    """SQL: the session row is live (seen after now - idle TTL, born after now - max age)."""
    prefix = f"{table}." if table else ""
    return f"{prefix}last_seen >= :seen_after AND {prefix}created_at >= :born_after"


LIVE = live()


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


class SqliteSessionStore(SqliteEntries):
    def __init__(self, path: str | Path, expiry: Expiry = Expiry(), clock: Clock = wall_clock):
        self.path = Path(path)
        self.expiry = expiry
        self.clock = clock
        self._conn: aiosqlite.Connection | None = None  # waits for locks, in its own thread
        self._direct: sqlite3.Connection | None = None  # on the loop, never waits
        self._lock = asyncio.Lock()
        self._changes_checkpointed = 0
        self._checkpoint: asyncio.Task[None] | None = None

    async def _db(self) -> aiosqlite.Connection:
        """The waiting connection, opened and migrated on first use."""
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = await aiosqlite.connect(self.path, isolation_level=None, timeout=30)
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA synchronous=NORMAL")
            await conn.execute(f"PRAGMA busy_timeout={LOCK_WAIT_MS}")
            await conn.executescript(SCHEMA + ENTRIES_SCHEMA)
            self._conn = conn
        return self._conn

    async def _loop_connection(self) -> sqlite3.Connection:
        """The connection used on the loop: no lock waits, no checkpoints of its own."""
        if self._direct is not None:
            return self._direct
        async with self._lock:  # the first callers open both connections once
            if self._direct is None:
                await self._db()  # the file exists, in WAL mode, with its tables
                direct = sqlite3.connect(
                    self.path, isolation_level=None, timeout=0, check_same_thread=False
                )
                direct.execute("PRAGMA synchronous=NORMAL")
                direct.execute("PRAGMA wal_autocheckpoint=0")
                self._direct = direct
            return self._direct

    def _window(self, **params: Any) -> dict[str, Any]:
        now = self.clock()
        return {
            "now": now,
            "seen_after": now - self.expiry.idle_ttl,
            "born_after": now - self.expiry.max_age,
            **params,
        }

    async def _rows(self, sql: str, params: dict[str, Any] | tuple[Any, ...] = ()) -> list[Any]:
        """Execute one statement and fetch what it returns (see the module's docstring).

        Writes that must know whether they matched a row say `RETURNING`.
        """
        direct = await self._loop_connection()
        try:
            rows = direct.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            if not _busy(exc):
                raise
        else:
            self._after_write(direct)
            return rows
        async with self._lock:
            conn = await self._db()
            return list(await conn.execute_fetchall(sql, params))

    def _after_write(self, direct: sqlite3.Connection) -> None:
        """Start a WAL checkpoint on the waiting connection once enough rows have changed."""
        if direct.total_changes - self._changes_checkpointed < CHECKPOINT_AFTER_CHANGES:
            return
        if self._checkpoint is None or self._checkpoint.done():
            self._changes_checkpointed = direct.total_changes
            self._checkpoint = asyncio.get_running_loop().create_task(self._run_checkpoint())

    async def _run_checkpoint(self) -> None:
        try:
            conn = await self._db()
            await conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except Exception:  # the next one catches up; a store that is down says so elsewhere
            return

    async def _forget(self, session_id: str) -> None:
        """Remove a session's rows (an expired session is gone for good), in one transaction."""
        statements = [
            ("DELETE FROM sessions WHERE id = ?", (session_id,)),
            ("DELETE FROM turns WHERE session_id = ?", (session_id,)),
            ("DELETE FROM run_leases WHERE session_id = ?", (session_id,)),
            ("DELETE FROM session_entries WHERE session_id = ?", (session_id,)),
        ]
        direct = await self._loop_connection()
        try:
            direct.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if not _busy(exc):
                raise
        else:
            try:
                for sql, params in statements:
                    direct.execute(sql, params)
            except BaseException:
                direct.execute("ROLLBACK")
                raise
            direct.execute("COMMIT")
            self._after_write(direct)
            return
        async with self._lock:
            conn = await self._db()
            await conn.execute("BEGIN IMMEDIATE")
            try:
                for sql, params in statements:
                    await conn.execute(sql, params)
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            await conn.execute("COMMIT")

    async def create(self, session_id: str, token_hash: str) -> SessionRecord:
        now = self.clock()
        insert = (
            "INSERT INTO sessions (id, token_hash, created_at, last_seen) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(id) DO NOTHING RETURNING id"
        )
        params = (session_id, token_hash, now, now)
        if not await self._rows(insert, params):
            # The id is taken: by a live session (refuse) or an expired one (gone for good).
            if await self.get(session_id) is not None:
                raise SessionExists(session_id)
            if not await self._rows(insert, params):
                raise SessionExists(session_id)  # another process took it a moment ago
        return SessionRecord(session_id, token_hash, now, now)

    async def get(self, session_id: str) -> SessionRecord | None:
        rows = await self._rows(f"SELECT {COLUMNS} FROM sessions WHERE id = ?", (session_id,))
        if not rows:
            return None
        record = _record(rows[0])
        if self.expiry.expired(record.created_at, record.last_seen, self.clock()):
            await self._forget(session_id)
            return None
        return record

    async def touch(self, session_id: str) -> None:
        touched = await self._rows(
            f"UPDATE sessions SET last_seen = :now WHERE id = :id AND {LIVE} RETURNING 1",
            self._window(id=session_id),
        )
        if not touched:
            raise SessionNotFound(session_id)

    async def append_turn(self, session_id: str, turn: dict[str, Any]) -> int:
        # Claiming the index is one atomic UPDATE, so concurrent appenders get distinct indexes.
        rows = await self._rows(
            f"UPDATE sessions SET turn_count = turn_count + 1, last_seen = :now "
            f"WHERE id = :id AND {LIVE} RETURNING turn_count",
            self._window(id=session_id),
        )
        if not rows:
            raise SessionNotFound(session_id)
        index: int = rows[0][0] - 1
        await self._rows(
            "INSERT INTO turns (session_id, idx, body) VALUES (?, ?, ?)",
            (session_id, index, json.dumps(turn, ensure_ascii=False)),
        )
        return index

    async def recent_turns(self, session_id: str, limit: int = 20) -> list[dict[str, Any]]:
        if limit <= 0:
            return []
        rows = await self._rows(
            "SELECT t.body FROM turns t JOIN sessions s ON s.id = t.session_id "
            f"WHERE s.id = :id AND {live('s')} "
            "ORDER BY t.idx DESC LIMIT :limit",
            self._window(id=session_id, limit=limit),
        )
        return [json.loads(r[0]) for r in reversed(rows)]

    async def set_context(
        self, session_id: str, context: dict[str, Any], expected_version: int
    ) -> int:
        rows = await self._rows(
            "UPDATE sessions SET context = :context, version = version + 1, last_seen = :now "
            f"WHERE id = :id AND version = :version AND {LIVE} RETURNING version",
            self._window(
                id=session_id,
                version=expected_version,
                context=json.dumps(context, ensure_ascii=False),
            ),
        )
        if rows:
            version: int = rows[0][0]
            return version
        if await self.get(session_id) is None:
            raise SessionNotFound(session_id)
        raise VersionConflict(session_id)

    async def delete(self, session_id: str) -> bool:
        existed = await self.get(session_id) is not None
        await self._forget(session_id)
        return existed

    async def list(self, limit: int = 100, offset: int = 0) -> list[SessionRecord]:
        await self.purge_expired()
        rows = await self._rows(
            f"SELECT {COLUMNS} FROM sessions ORDER BY created_at LIMIT ? OFFSET ?", (limit, offset)
        )
        return [_record(row) for row in rows]

    async def count(self) -> int:
        await self.purge_expired()
        count: int = (await self._rows("SELECT COUNT(*) FROM sessions"))[0][0]
        return count

    async def purge_expired(self) -> int:
        rows = await self._rows(f"SELECT id FROM sessions WHERE NOT ({LIVE})", self._window())
        for (session_id,) in rows:
            await self._forget(session_id)
        return len(rows)

    async def acquire_lease(self, session_id: str, owner: str, ttl: float) -> int | None:
        # A released lease keeps its row, so the fencing number only ever grows per session.
        now = self.clock()
        rows = await self._rows(
            "INSERT INTO run_leases (session_id, owner, expires_at, fence) "
            "VALUES (:id, :owner, :until, 1) "
            "ON CONFLICT(session_id) DO UPDATE SET owner = excluded.owner, "
            "expires_at = excluded.expires_at, fence = run_leases.fence + 1 "
            "WHERE run_leases.expires_at <= :now OR run_leases.owner = excluded.owner "
            "RETURNING fence",
            {"id": session_id, "owner": owner, "until": now + ttl, "now": now},
        )
        fence: int | None = rows[0][0] if rows else None
        return fence

    async def renew_lease(self, session_id: str, owner: str, ttl: float) -> bool:
        now = self.clock()
        renewed = await self._rows(
            "UPDATE run_leases SET expires_at = :until "
            "WHERE session_id = :id AND owner = :owner AND expires_at > :now RETURNING 1",
            {"id": session_id, "owner": owner, "until": now + ttl, "now": now},
        )
        return bool(renewed)

    async def release_lease(self, session_id: str, owner: str) -> None:
        await self._rows(
            "UPDATE run_leases SET owner = '', expires_at = 0 WHERE session_id = ? AND owner = ?",
            (session_id, owner),
        )

    async def ping(self) -> bool:
        return bool((await self._rows("SELECT 1"))[0][0] == 1)

    async def close(self) -> None:
        if self._checkpoint is not None:
            with contextlib.suppress(Exception):
                await self._checkpoint
            self._checkpoint = None
        if self._direct is not None:
            self._direct.close()
            self._direct = None
        if self._conn is not None:
            await self._conn.close()
            self._conn = None
