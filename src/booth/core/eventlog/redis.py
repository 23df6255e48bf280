"""Event log in Redis streams, so a client can resume a run on any replica.

One stream per run (`booth:run:<id>:events`) whose entry ids are `0-<seq>`, so "events after n"
is a plain XRANGE/XREAD from `0-n`. Metadata is a hash beside it. Cancellation requests travel on
a pub/sub channel that every replica listens to; the one that owns the run acts on it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from redis.asyncio import Redis
from redis.typing import EncodableT, FieldT

from booth.core.events import Event, EventType, dumps

CANCEL_CHANNEL = "booth:cancel"


def _events_key(run_id: str) -> str:
    return f"booth:run:{run_id}:events"


def _meta_key(run_id: str) -> str:
    return f"booth:run:{run_id}:meta"


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _decode(entry: Any) -> Event:
    """One stream entry, `(entry_id, {t: type, d: json})`, as the event it stores."""
    entry_id, fields = entry
    seq = int(_text(entry_id).split("-")[1])
    raw_type = fields.get(b"t", fields.get("t"))
    raw_data = fields.get(b"d", fields.get("d"))
    return Event(seq=seq, type=EventType(_text(raw_type)), data=json.loads(raw_data))


class RedisEventLog:
    def __init__(self, redis: Redis, ttl_ceiling: float = 3600) -> None:
        self.redis = redis
        # A run whose process dies before `finish` still has its log expire.
        self.ttl_ceiling = max(1, int(ttl_ceiling))

    async def open(self, run_id: str, meta: dict[str, Any], ttl: float) -> None:
        key = _meta_key(run_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={"json": dumps(meta)})
            pipe.expire(key, max(1, int(ttl)))
            await pipe.execute()

    async def append(self, run_id: str, event: Event) -> None:
        key = _events_key(run_id)
        fields: dict[FieldT, EncodableT] = {"t": event.type.value, "d": event.json_data()}
        if event.seq != 1:
            await self.redis.xadd(key, fields, id=f"0-{event.seq}")
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.xadd(key, fields, id=f"0-{event.seq}")
            pipe.expire(key, self.ttl_ceiling)
            await pipe.execute()

    async def read(self, run_id: str, after: int = 0) -> list[Event]:
        entries: Any = await self.redis.xrange(_events_key(run_id), min=f"({'0-' + str(after)}")
        return [_decode(entry) for entry in entries]

    async def follow(self, run_id: str, after: int, timeout: float) -> list[Event]:
        reply: Any = await self.redis.xread(
            {_events_key(run_id): f"0-{after}"}, block=max(1, int(timeout * 1000))
        )
        if not reply:
            return []
        _, entries = reply[0]
        return [_decode(entry) for entry in entries]

    async def meta(self, run_id: str) -> dict[str, Any] | None:
        raw = await self.redis.hget(_meta_key(run_id), "json")
        if raw is None:
            return None
        meta: dict[str, Any] = json.loads(raw)
        done = await self.redis.hget(_meta_key(run_id), "done")
        meta["done"] = done is not None
        return meta

    async def finish(self, run_id: str, retention: float) -> None:
        seconds = max(1, int(retention))
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(_meta_key(run_id), "done", "1")
            pipe.expire(_meta_key(run_id), seconds)
            pipe.expire(_events_key(run_id), seconds)
            await pipe.execute()

    async def request_cancel(self, run_id: str) -> None:
        await self.redis.publish(CANCEL_CHANNEL, run_id)

    async def cancel_requests(self) -> AsyncIterator[str]:
        pubsub = self.redis.pubsub()
        await pubsub.subscribe(CANCEL_CHANNEL)
        try:
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    data = message["data"]
                    yield data.decode() if isinstance(data, bytes) else data
        finally:
            await pubsub.aclose()

    async def purge_expired(self) -> int:
        return 0  # Redis expires keys itself.

    async def close(self) -> None:
        return None
