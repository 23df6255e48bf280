"""Where providers keep what they share between requests and replicas: a cache and a rate.

A provider's responses are cached under keys booth builds (method and normalised arguments, never
a user's raw text) with a TTL, and its request rate is a token bucket per API key. With Redis both
live in Redis, so every replica shares them; otherwise they live in this process.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, Protocol

from redis.asyncio import Redis

from booth.core.sessions.base import SessionStore

PREFIX = "booth:provider:"

# KEYS[1] bucket; ARGV: now, rate per second, burst. Takes one token, or returns the seconds
# until one is available (without taking it).
TAKE_TOKEN = """
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local now, rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', now)
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 60)
return tostring(wait)
"""


class ProviderStore(Protocol):
    """A TTL cache of JSON values and token buckets, shared as widely as the session store."""

    async def get(self, key: str) -> Any | None: ...

    async def set(self, key: str, value: Any, ttl: float) -> None: ...

    async def take_token(self, bucket: str, rate: float, burst: int) -> float:
        """Take one token, or return the seconds to wait before one is free (0 when taken)."""
        ...


class MemoryProviderStore:
    """This process's cache and buckets (memory and SQLite stores run one process)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_entries: int = 10_000):
        self.clock = clock
        self.max_entries = max_entries
        self._values: dict[str, tuple[float, str]] = {}
        self._buckets: dict[str, tuple[float, float]] = {}

    async def get(self, key: str) -> Any | None:
        entry = self._values.get(key)
        if entry is None:
            return None
        expires, raw = entry
        if self.clock() >= expires:
            del self._values[key]
            return None
        return json.loads(raw)

    async def set(self, key: str, value: Any, ttl: float) -> None:
        if len(self._values) >= self.max_entries:  # drop the entry closest to expiry
            del self._values[min(self._values, key=lambda k: self._values[k][0])]
        self._values[key] = (self.clock() + ttl, json.dumps(value))

    async def take_token(self, bucket: str, rate: float, burst: int) -> float:
        now = self.clock()
        tokens, at = self._buckets.get(bucket, (float(burst), now))
        tokens = min(float(burst), tokens + max(0.0, now - at) * rate)
        if tokens >= 1:
            self._buckets[bucket] = (tokens - 1, now)
            return 0.0
        self._buckets[bucket] = (tokens, now)
        return (1 - tokens) / rate


class RedisProviderStore:
    """The cache and buckets in Redis, shared by every replica on the same database."""

    def __init__(self, redis: Redis, clock: Callable[[], float] = time.time) -> None:
        self.redis = redis
        self.clock = clock
        self._take = redis.register_script(TAKE_TOKEN)

    async def get(self, key: str) -> Any | None:
        raw = await self.redis.get(PREFIX + key)
        return None if raw is None else json.loads(raw)

    async def set(self, key: str, value: Any, ttl: float) -> None:
        await self.redis.set(PREFIX + key, json.dumps(value), px=max(1, int(ttl * 1000)))

    async def take_token(self, bucket: str, rate: float, burst: int) -> float:
        wait = await self._take(
            keys=[PREFIX + "bucket:" + bucket], args=[self.clock(), rate, burst]
        )
        return float(wait.decode() if isinstance(wait, bytes) else wait)


def provider_store_for(sessions: SessionStore) -> ProviderStore:
    """Redis when the sessions live there (so replicas share), else this process's memory."""
    redis = getattr(sessions, "redis", None)
    if isinstance(redis, Redis):
        return RedisProviderStore(redis)
    return MemoryProviderStore()
