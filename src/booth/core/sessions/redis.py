"""Redis session store: for many server processes sharing one Redis (plain data types only).

Per session: a hash (`booth:s:<id>`) with the token hash, timestamps, context JSON and version,
and a list of turns (`booth:s:<id>:turns`, RPUSH: appending is O(1), reading the last n is
O(n)). Multi-step updates are small Lua scripts, so each is atomic on the server; keys carry a
TTL equal to the session's remaining life, and an index sorted set supports listing and purging.
The run lease is `SET NX PX` with a fencing counter.
"""

from __future__ import annotations

import json
from typing import Any

from redis.asyncio import Redis

from booth.core.sessions.base import (
    Clock,
    Expiry,
    SessionExists,
    SessionNotFound,
    SessionRecord,
    VersionConflict,
    wall_clock,
)
from booth.core.sessions.redis_entries import RedisEntries

INDEX = "booth:sessions"
FENCE = "booth:lease-fence"

# Shared Lua: refresh both keys' TTL to the session's remaining life.
_REFRESH = """
local function refresh(now, created, idle, max_age)
  local ttl = math.min(now + idle, created + max_age) - now
  local ms = math.max(1, math.floor(ttl * 1000))
  redis.call('PEXPIRE', KEYS[1], ms)
  redis.call('PEXPIRE', KEYS[2], ms)
end
local function expired(now, idle, max_age)
  local f = redis.call('HMGET', KEYS[1], 'created_at', 'last_seen')
  if not f[1] then return nil end
  local created, seen = tonumber(f[1]), tonumber(f[2])
  if now - seen > idle or now - created > max_age then return true, created end
  return false, created
end
"""

# KEYS: hash, turns, lease  ARGV: id, token_hash, now, idle, max_age
CREATE = (
    _REFRESH
    + """
local now, idle, max_age = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local gone = expired(now, idle, max_age)
if gone == false then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
redis.call('HSET', KEYS[1], 'token_hash', ARGV[2], 'created_at', ARGV[3], 'last_seen', ARGV[3],
           'context', '{}', 'version', 0, 'turn_count', 0)
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[1])
refresh(now, now, idle, max_age)
return 1
"""
)

# KEYS: hash, turns  ARGV: turn_json, now, idle, max_age
APPEND = (
    _REFRESH
    + """
local now, idle, max_age = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local gone, created = expired(now, idle, max_age)
if gone ~= false then return -1 end
local n = redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[1], 'turn_count', n, 'last_seen', ARGV[2])
refresh(now, created, idle, max_age)
return n - 1
"""
)

# KEYS: hash, turns  ARGV: expected_version, context_json, now, idle, max_age
SET_CONTEXT = (
    _REFRESH
    + """
local now, idle, max_age = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local gone, created = expired(now, idle, max_age)
if gone ~= false then return -1 end
local v = tonumber(redis.call('HGET', KEYS[1], 'version'))
if v ~= tonumber(ARGV[1]) then return -2 end
redis.call('HSET', KEYS[1], 'context', ARGV[2], 'version', v + 1, 'last_seen', ARGV[3])
refresh(now, created, idle, max_age)
return v + 1
"""
)

# KEYS: hash, turns  ARGV: now, idle, max_age
TOUCH = (
    _REFRESH
    + """
local now, idle, max_age = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local gone, created = expired(now, idle, max_age)
if gone ~= false then return -1 end
redis.call('HSET', KEYS[1], 'last_seen', ARGV[1])
refresh(now, created, idle, max_age)
return 1
"""
)

# KEYS: lease  ARGV: owner, ttl_ms
RENEW = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""

# KEYS: lease  ARGV: owner
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _keys(session_id: str) -> list[str]:
    base = f"booth:s:{session_id}"
    return [base, base + ":turns", base + ":lease"]


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else value


class RedisSessionStore(RedisEntries):
    def __init__(self, redis: Redis, expiry: Expiry = Expiry(), clock: Clock = wall_clock):
        self.redis = redis
        self.expiry = expiry
        self.clock = clock
        self._create = redis.register_script(CREATE)
        self._append = redis.register_script(APPEND)
        self._set_context = redis.register_script(SET_CONTEXT)
        self._touch = redis.register_script(TOUCH)
        self._release = redis.register_script(RELEASE)
        self._renew = redis.register_script(RENEW)

    def _ttl_args(self) -> list[float]:
        return [self.clock(), self.expiry.idle_ttl, self.expiry.max_age]

    async def create(self, session_id: str, token_hash: str) -> SessionRecord:
        now, idle, max_age = self._ttl_args()
        created = await self._create(
            keys=[*_keys(session_id), INDEX], args=[session_id, token_hash, now, idle, max_age]
        )
        if not created:
            raise SessionExists(session_id)
        return SessionRecord(session_id, token_hash, now, now)

    async def get(self, session_id: str) -> SessionRecord | None:
        raw = await self.redis.hgetall(_keys(session_id)[0])
        if not raw:
            return None
        fields = {_text(k): _text(v) for k, v in raw.items()}
        record = SessionRecord(
            id=session_id,
            token_hash=fields["token_hash"],
            created_at=float(fields["created_at"]),
            last_seen=float(fields["last_seen"]),
            context=json.loads(fields["context"]),
            version=int(fields["version"]),
            turn_count=int(fields["turn_count"]),
        )
        if self.expiry.expired(record.created_at, record.last_seen, self.clock()):
            await self.delete(session_id)
            return None
        return record

    async def touch(self, session_id: str) -> None:
        if await self._touch(keys=_keys(session_id)[:2], args=self._ttl_args()) < 0:
            raise SessionNotFound(session_id)

    async def append_turn(self, session_id: str, turn: dict[str, Any]) -> int:
        index = await self._append(
            keys=_keys(session_id)[:2],
            args=[json.dumps(turn, ensure_ascii=False), *self._ttl_args()],
        )
        if index < 0:
            raise SessionNotFound(session_id)
        return int(index)

    async def recent_turns(self, session_id: str, limit: int = 20) -> list[dict[str, Any]]:
        if limit <= 0:
            return []
        hash_key, turns_key, _ = _keys(session_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hmget(hash_key, "created_at", "last_seen")
            pipe.lrange(turns_key, -limit, -1)
            (created, seen), raw = await pipe.execute()
        if created is None or self.expiry.expired(float(created), float(seen), self.clock()):
            return []
        return [json.loads(item) for item in raw]

    async def set_context(
        self, session_id: str, context: dict[str, Any], expected_version: int
    ) -> int:
        version = await self._set_context(
            keys=_keys(session_id)[:2],
            args=[expected_version, json.dumps(context, ensure_ascii=False), *self._ttl_args()],
        )
        if version == -1:
            raise SessionNotFound(session_id)
        if version == -2:
            raise VersionConflict(session_id)
        return int(version)

    async def delete(self, session_id: str) -> bool:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(*_keys(session_id), *self._entries_keys_to_delete(session_id))
            pipe.zrem(INDEX, session_id)
            deleted, _ = await pipe.execute()
        return bool(deleted > 0)

    async def list(self, limit: int = 100, offset: int = 0) -> list[SessionRecord]:
        await self.purge_expired()
        ids = await self.redis.zrange(INDEX, offset, offset + limit - 1)
        records = [await self.get(_text(i)) for i in ids]
        return [r for r in records if r is not None]

    async def count(self) -> int:
        await self.purge_expired()
        return await self.redis.zcard(INDEX)

    async def purge_expired(self) -> int:
        ids = [_text(i) for i in await self.redis.zrange(INDEX, 0, -1)]
        if not ids:
            return 0
        async with self.redis.pipeline(transaction=False) as pipe:
            for session_id in ids:
                pipe.hmget(_keys(session_id)[0], "created_at", "last_seen")
            stamps = await pipe.execute()
        now = self.clock()
        gone = [
            session_id
            for session_id, (created, seen) in zip(ids, stamps, strict=True)
            if created is None or self.expiry.expired(float(created), float(seen), now)
        ]
        for session_id in gone:
            await self.delete(session_id)
        return len(gone)

    async def acquire_lease(self, session_id: str, owner: str, ttl: float) -> int | None:
        key = _keys(session_id)[2]
        taken = await self.redis.set(key, owner, nx=True, px=max(1, int(ttl * 1000)))
        if not taken and _text(await self.redis.get(key)) != owner:
            return None
        return int(await self.redis.incr(FENCE))

    async def renew_lease(self, session_id: str, owner: str, ttl: float) -> bool:
        ms = max(1, int(ttl * 1000))
        return bool(await self._renew(keys=[_keys(session_id)[2]], args=[owner, ms]))

    async def release_lease(self, session_id: str, owner: str) -> None:
        await self._release(keys=[_keys(session_id)[2]], args=[owner])

    async def ping(self) -> bool:
        return bool(await self.redis.ping())

    async def close(self) -> None:
        await self.redis.aclose()
