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
CANCEL_POLL_SECONDS = 1.0  # below the socket timeout, so a quiet channel is not an error


def _events_key(run_id: str) -> str:
    return f"booth:run:{run_id}:events"


def _meta_key(run_id: str) -> str:
    return f"booth:run:{run_id}:meta"


def _alive_key(run_id: str) -> str:
    return f"booth:run:{run_id}:alive"


def _cancel_key(run_id: str) -> str:
    return f"booth:run:{run_id}:cancel"


def _after(seq: int) -> str:
    """The stream id after which to read; ids are `0-<seq>`, seq a non-negative integer."""
    return f"0-{max(0, int(seq))}"


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _decode(entry_id: Any, fields: Any) -> Event:
    """One stream entry (Redis replies bytes or str) as the event it stores."""
    seq = int(_text(entry_id).split("-")[1])
    raw_type = fields.get(b"t", fields.get("t"))
    raw_data = fields.get(b"d", fields.get("d"))
    raw = raw_data if isinstance(raw_data, bytes) else str(raw_data).encode()
    return Event.stored(seq, EventType(_text(raw_type)), raw)


class RedisEventLog:
    def __init__(self, redis: Redis, ttl_ceiling: float = 3600, max_block: float = 1.0) -> None:
        self.redis = redis
        # A blocking read must return before the client's socket timeout, or it is an error.
        self.max_block = max_block
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
        fields: dict[FieldT, EncodableT] = {"t": event.type.value, "d": event.json_bytes()}
        if event.seq != 1:
            await self.redis.xadd(key, fields, id=f"0-{event.seq}")
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.xadd(key, fields, id=f"0-{event.seq}")
            pipe.expire(key, self.ttl_ceiling)
            await pipe.execute()

    async def read(self, run_id: str, after: int = 0) -> list[Event]:
        entries: Any = await self.redis.xrange(_events_key(run_id), min="(" + _after(after))
        return [_decode(entry_id, fields) for entry_id, fields in entries]

    async def follow(self, run_id: str, after: int, timeout: float) -> list[Event]:
        reply: Any = await self.redis.xread(
            {_events_key(run_id): _after(after)},
            block=max(1, int(min(timeout, self.max_block) * 1000)),
        )
        if not reply:
            return []
        _, entries = reply[0]
        return [_decode(entry_id, fields) for entry_id, fields in entries]

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
            pipe.delete(_alive_key(run_id), _cancel_key(run_id))
            await pipe.execute()

    async def beat(self, run_id: str, ttl: float) -> bool:
        """The owner is alive for `ttl` more seconds; returns whether a cancel was asked for.

        The cancel flag is the durable half of cancellation: a pub/sub message sent while the
        owner's subscription was down is lost, the flag is not.
        """
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.set(_alive_key(run_id), "1", px=max(1, int(ttl * 1000)))
            pipe.exists(_cancel_key(run_id))
            _, cancelled = await pipe.execute()
        return bool(cancelled)

    async def alive(self, run_id: str) -> bool:
        return bool(await self.redis.exists(_alive_key(run_id)))

    async def request_cancel(self, run_id: str) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.set(_cancel_key(run_id), "1", ex=self.ttl_ceiling)
            pipe.publish(CANCEL_CHANNEL, run_id)
            await pipe.execute()

    async def cancel_requests(self) -> AsyncIterator[str]:
        """Run ids from the cancel channel; raises when the connection drops (resubscribe)."""
        pubsub = self.redis.pubsub()
        try:
            await pubsub.subscribe(CANCEL_CHANNEL)
            while True:
                message = await pubsub.get_message(
                    ignore_subscribe_messages=True, timeout=CANCEL_POLL_SECONDS
                )
                if message is not None and message.get("type") == "message":
                    data = message["data"]
                    yield data.decode() if isinstance(data, bytes) else data
        finally:
            await pubsub.aclose()

    async def purge_expired(self) -> int:
        return 0  # Redis expires keys itself.

    async def close(self) -> None:
        return None
