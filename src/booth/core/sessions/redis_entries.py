"""Entries (see entries.py) for the Redis store: a hash of values and a sorted set of keys.

Per session: `booth:s:<id>:entries` (hash key → value), `booth:s:<id>:entry-keys` (sorted set,
all scores 0, so ZRANGEBYLEX walks keys in byte order) and `booth:s:<id>:entries-born` (the
`created_at` of the session they belong to). Each call is one Lua script that checks the session
is live and that the entries are its own — leftovers of an earlier session under the same id are
dropped, never shown. The keys expire at the session's absolute end (`created_at + max_age`), so
they never vanish before their session; deleting the session deletes them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from redis.asyncio import Redis

from booth.core.sessions.base import Clock, Expiry, SessionNotFound

# KEYS: session hash, values, keys, born   ARGV: now, idle, max_age, ...
# Sets `own` to true when the session is live; stale entries of an earlier session are dropped.
_OWN = """
local now, idle, max_age = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local f = redis.call('HMGET', KEYS[1], 'created_at', 'last_seen')
local own = false
if f[1] then
  local created, seen = tonumber(f[1]), tonumber(f[2])
  own = not (now - seen > idle or now - created > max_age)
end
local born = redis.call('GET', KEYS[4])
if born and ((not own) or born ~= f[1]) then
  redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
end
"""

# ARGV[4..]: key, value pairs
PUT = (
    _OWN
    + """
if not own then return -1 end
redis.call('SET', KEYS[4], f[1])
for i = 4, #ARGV, 2 do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  redis.call('ZADD', KEYS[3], 0, ARGV[i])
end
local ms = math.max(1, math.floor((tonumber(f[1]) + max_age - now) * 1000))
redis.call('PEXPIRE', KEYS[2], ms)
redis.call('PEXPIRE', KEYS[3], ms)
redis.call('PEXPIRE', KEYS[4], ms)
return 1
"""
)

# ARGV[4..]: keys
GET = (
    _OWN
    + """
if not own or #ARGV < 4 then return {} end
return redis.call('HMGET', KEYS[2], unpack(ARGV, 4))
"""
)

# ARGV[4]: low bound, ARGV[5]: high bound (ZRANGEBYLEX syntax), ARGV[6]: limit (-1: all),
# ARGV[7]: '1' for reverse order. Returns key, value, key, value, ...
SCAN = (
    _OWN
    + """
if not own then return {} end
local found
if ARGV[7] == '1' then
  found = redis.call('ZREVRANGEBYLEX', KEYS[3], ARGV[5], ARGV[4], 'LIMIT', 0, ARGV[6])
else
  found = redis.call('ZRANGEBYLEX', KEYS[3], ARGV[4], ARGV[5], 'LIMIT', 0, ARGV[6])
end
local out = {}
for i = 1, #found, 500 do
  local last = math.min(i + 499, #found)
  local values = redis.call('HMGET', KEYS[2], unpack(found, i, last))
  for j = i, last do
    out[#out + 1] = found[j]
    out[#out + 1] = values[j - i + 1]
  end
end
return out
"""
)

# ARGV[4]: low bound, ARGV[5]: high bound
DELETE = (
    _OWN
    + """
if not own then return 0 end
local found = redis.call('ZRANGEBYLEX', KEYS[3], ARGV[4], ARGV[5])
for i = 1, #found, 500 do
  local part = {unpack(found, i, math.min(i + 499, #found))}
  redis.call('HDEL', KEYS[2], unpack(part))
  redis.call('ZREM', KEYS[3], unpack(part))
end
return #found
"""
)


def entry_keys(session_id: str) -> list[str]:
    base = f"booth:s:{session_id}"
    return [base, base + ":entries", base + ":entry-keys", base + ":entries-born"]


def _bounds(start: str, end: str | None) -> tuple[bytes, bytes]:
    low = b"[" + start.encode()
    high = b"+" if end is None else b"(" + end.encode()
    return low, high


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else value


class RedisEntries:
    """Mixed into RedisSessionStore (uses its `redis`, `clock` and `expiry`)."""

    redis: Redis
    clock: Clock
    expiry: Expiry

    def _entry_script(self, name: str, source: str) -> Any:
        scripts = self.__dict__.setdefault("_entry_scripts", {})
        if name not in scripts:
            scripts[name] = self.redis.register_script(source)
        return scripts[name]

    async def _entries_call(self, name: str, source: str, session_id: str, *args: Any) -> Any:
        script = self._entry_script(name, source)
        window = [self.clock(), self.expiry.idle_ttl, self.expiry.max_age]
        return await script(keys=entry_keys(session_id), args=[*window, *args])

    async def put_entries(self, session_id: str, entries: Mapping[str, bytes]) -> None:
        pairs: list[Any] = []
        for key, value in entries.items():
            pairs += [key, bytes(value)]
        if await self._entries_call("put", PUT, session_id, *pairs) < 0:
            raise SessionNotFound(session_id)

    async def get_entries(self, session_id: str, keys: Sequence[str]) -> dict[str, bytes]:
        if not keys:
            return {}
        values = await self._entries_call("get", GET, session_id, *keys)
        return {key: bytes(v) for key, v in zip(keys, values, strict=False) if v is not None}

    async def scan_entries(
        self,
        session_id: str,
        start: str = "",
        end: str | None = None,
        *,
        limit: int | None = None,
        reverse: bool = False,
    ) -> list[tuple[str, bytes]]:
        if limit is not None and limit <= 0:
            return []
        low, high = _bounds(start, end)
        flat = await self._entries_call(
            "scan", SCAN, session_id, low, high, -1 if limit is None else limit, int(reverse)
        )
        return [(_text(flat[i]), bytes(flat[i + 1])) for i in range(0, len(flat), 2)]

    async def delete_entries(self, session_id: str, start: str, end: str | None = None) -> int:
        low, high = _bounds(start, end)
        return int(await self._entries_call("delete", DELETE, session_id, low, high))

    def _entries_keys_to_delete(self, session_id: str) -> list[str]:
        """The keys `delete` removes along with the session's own."""
        return entry_keys(session_id)[1:]
