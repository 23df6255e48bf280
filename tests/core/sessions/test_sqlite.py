"""The SQLite store's two connections: statements run on the loop's own connection, which never
waits for a lock; while another process holds the file's write lock they wait on aiosqlite's
thread instead, so they are neither lost nor fail, and the loop keeps serving."""

from __future__ import annotations

import asyncio
import sqlite3

from booth.core.sessions.base import Expiry
from booth.core.sessions.sqlite import CHECKPOINT_AFTER_CHANGES, SqliteSessionStore

EXPIRY = Expiry(idle_ttl=60, max_age=600)


def other_process(path) -> sqlite3.Connection:
    """A connection of its own, as another booth process on the same file would have."""
    return sqlite3.connect(path, isolation_level=None, timeout=0)


async def test_a_write_waits_for_another_process_lock_and_then_lands(tmp_path):
    path = tmp_path / "sessions.db"
    store = SqliteSessionStore(path, EXPIRY)
    await store.create("s-1", "hash")
    holder = other_process(path)
    holder.execute("BEGIN IMMEDIATE")  # the other process holds the write lock
    try:
        append = asyncio.create_task(store.append_turn("s-1", {"q": "first"}))
        ticks = 0
        for _ in range(20):  # the loop keeps running while the write waits in the thread
            await asyncio.sleep(0.01)
            ticks += 1
        assert not append.done()
    finally:
        holder.execute("COMMIT")
        holder.close()
    assert await asyncio.wait_for(append, 10) == 0
    assert ticks == 20
    assert await store.recent_turns("s-1") == [{"q": "first"}]
    await store.close()


async def test_reads_do_not_wait_for_another_process_write_lock(tmp_path):
    path = tmp_path / "sessions.db"
    store = SqliteSessionStore(path, EXPIRY)
    await store.create("s-1", "hash")
    holder = other_process(path)
    holder.execute("BEGIN IMMEDIATE")
    try:
        record = await asyncio.wait_for(store.get("s-1"), 1)
        assert record is not None and record.id == "s-1"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    await store.close()


async def test_an_expired_session_is_forgotten_whole_while_the_file_is_locked(tmp_path):
    now = [1000.0]
    path = tmp_path / "sessions.db"
    store = SqliteSessionStore(path, EXPIRY, clock=lambda: now[0])
    await store.create("s-1", "hash")
    await store.append_turn("s-1", {"q": "old"})
    now[0] += EXPIRY.idle_ttl + 1
    holder = other_process(path)
    holder.execute("BEGIN IMMEDIATE")
    forgetting = asyncio.create_task(store.get("s-1"))
    await asyncio.sleep(0.05)
    holder.execute("COMMIT")
    holder.close()
    assert await asyncio.wait_for(forgetting, 10) is None
    check = other_process(path)
    assert check.execute("SELECT COUNT(*) FROM turns").fetchone()[0] == 0
    check.close()
    await store.close()


async def test_the_write_ahead_log_is_checkpointed_into_the_file_while_the_store_runs(tmp_path):
    path = tmp_path / "sessions.db"
    store = SqliteSessionStore(path, EXPIRY)
    await store.create("s-0", "hash")
    empty = path.stat().st_size  # the schema only: every row so far sits in the WAL
    for n in range(1, CHECKPOINT_AFTER_CHANGES + 1):
        await store.create(f"s-{n}", "hash")
    for _ in range(100):  # the checkpoint runs in aiosqlite's thread, soon after
        if path.stat().st_size > empty:
            break
        await asyncio.sleep(0.05)
    assert path.stat().st_size > empty
    await store.close()
