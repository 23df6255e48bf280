"""Building the session store and event log that a store URL names."""

from __future__ import annotations

from dataclasses import dataclass

from booth.core.eventlog.base import EventLog
from booth.core.eventlog.memory import MemoryEventLog
from booth.core.sessions.base import Clock, Expiry, SessionStore, wall_clock


@dataclass
class Stores:
    sessions: SessionStore
    event_log: EventLog

    async def close(self) -> None:
        await self.event_log.close()
        await self.sessions.close()


def build_stores(
    url: str,
    expiry: Expiry = Expiry(),
    *,
    memory_max_sessions: int = 10_000,
    event_ttl_ceiling: float = 3600,
    clock: Clock = wall_clock,
) -> Stores:
    """`memory`, `sqlite:///path.db` or `redis://host:port/db`.

    With Redis the event log is shared too, so a run can be resumed on any replica; otherwise it
    lives in the process. Nothing connects here: backends connect on first use, so an app can be
    built outside an event loop.
    """
    if url == "memory":
        from booth.core.sessions.memory import MemorySessionStore

        memory = MemorySessionStore(expiry, max_sessions=memory_max_sessions, clock=clock)
        return Stores(memory, MemoryEventLog())
    if url.startswith("sqlite:///"):
        from booth.core.sessions.sqlite import SqliteSessionStore

        sqlite = SqliteSessionStore(url.removeprefix("sqlite:///"), expiry, clock=clock)
        return Stores(sqlite, MemoryEventLog())
    if url.startswith(("redis://", "rediss://", "unix://")):
        from redis.asyncio import Redis

        from booth.core.eventlog.redis import RedisEventLog
        from booth.core.sessions.redis import RedisSessionStore

        client = Redis.from_url(url)
        store = RedisSessionStore(client, expiry, clock=clock)
        return Stores(store, RedisEventLog(client, ttl_ceiling=event_ttl_ceiling))
    raise ValueError(
        f"Unknown store {url!r}: use memory, sqlite:///path.db or redis://host:port/db"
    )
