"""Building the session store and event log that a store URL names."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import ConnectionError, TimeoutError

from booth.core.eventlog.base import EventLog
from booth.core.eventlog.memory import DEFAULT_RETENTION_BYTES, MemoryEventLog
from booth.core.resilience import ClientSlots, RedisClientSlots
from booth.core.sessions.base import Clock, Expiry, SessionStore, wall_clock
from booth.core.storeguard import guard

DEFAULT_STORE_TIMEOUT = 5.0  # seconds a store call (queueing included) may take before it fails
REDIS_HEALTH_CHECK_INTERVAL = 5  # seconds idle before a pooled connection is PINGed on reuse
REDIS_RETRIES = 3  # a dropped connection is retried this often, with backoff, per command
REDIS_BACKOFF_BASE, REDIS_BACKOFF_CAP = 0.05, 0.5  # seconds


@dataclass
class Stores:
    sessions: SessionStore
    event_log: EventLog
    client_slots: ClientSlots | None = None  # shared per-client admission slots (Redis)

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
    timeout: float = DEFAULT_STORE_TIMEOUT,
    retention_bytes: int = DEFAULT_RETENTION_BYTES,
) -> Stores:
    """`memory`, `sqlite:///path.db` or `redis://host:port/db`.

    With Redis the event log is shared too, so a run can be resumed on any replica; otherwise it
    lives in the process (finished runs capped at `retention_bytes`). Every call to a store that
    can fail (SQLite, Redis) is bounded by `timeout` seconds (see storeguard). Nothing connects
    here: backends connect on first use, so an app can be built outside an event loop.
    """
    if url == "memory":
        from booth.core.sessions.memory import MemorySessionStore

        store = MemorySessionStore(expiry, max_sessions=memory_max_sessions, clock=clock)
        return Stores(store, MemoryEventLog(retention_bytes))
    if url.startswith("sqlite:///"):
        from booth.core.sessions.sqlite import SqliteSessionStore

        sqlite = SqliteSessionStore(url.removeprefix("sqlite:///"), expiry, clock=clock)
        return Stores(guard(sqlite, timeout, "The session store"), MemoryEventLog(retention_bytes))
    if url.startswith(("redis://", "rediss://", "unix://")):
        from booth.core.eventlog.redis import RedisEventLog
        from booth.core.sessions.redis import RedisSessionStore

        client = redis_client(url, timeout)
        shared = RedisSessionStore(client, expiry, clock=clock)
        events = RedisEventLog(client, ttl_ceiling=event_ttl_ceiling, max_block=timeout / 2)
        return Stores(
            guard(shared, timeout, "The session store"),
            guard(events, timeout, "The event log"),
            guard(RedisClientSlots(client), timeout, "The admission store"),
        )
    raise ValueError(
        f"Unknown store {url!r}: use memory, sqlite:///path.db or redis://host:port/db"
    )


def redis_client(url: str, timeout: float) -> Redis:
    """A Redis client that recovers by itself: stale pooled connections are health-checked
    before reuse, and a command that hits a dropped connection is retried with backoff."""
    return Redis.from_url(
        url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        health_check_interval=REDIS_HEALTH_CHECK_INTERVAL,
        retry=Retry(
            ExponentialWithJitterBackoff(cap=REDIS_BACKOFF_CAP, base=REDIS_BACKOFF_BASE),
            REDIS_RETRIES,
        ),
        retry_on_error=[ConnectionError, TimeoutError],
    )
