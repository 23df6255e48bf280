"""Admission control, circuit breakers and timeouts: saying no early and failing fast.

Admission caps run before a run starts, so overload turns into a quick 429 instead of everyone
getting slow. A breaker stops calling an upstream that keeps failing and lets one probe through
after a cool-down.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, TypeVar

from redis.asyncio import Redis

from booth.core.errors import BoothError, ErrorCode

log = logging.getLogger("booth.admission")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Slot:
    """One admitted run's place: whose it is (the client key) and its own id."""

    client: str
    id: str = field(default_factory=lambda: uuid.uuid4().hex)


class ClientSlots(Protocol):
    """Per-client run slots shared by every replica, each expiring unless renewed.

    A crashed replica's slots lapse after their ttl, so they cannot leak.
    """

    async def take(self, slot: Slot, limit: int, ttl: float) -> bool: ...

    async def renew(self, slot: Slot, ttl: float) -> None: ...

    async def give_back(self, slot: Slot) -> None: ...


class AdmissionControl:
    """Caps on concurrent runs: in total per process, and per client key.

    The client key is whatever identifies a caller (its address by default; the host decides).
    With `shared` slots (Redis) the per-client cap holds across every replica; without, per
    process. `admit` is called before anything is created, so a refusal changes nothing.
    """

    def __init__(
        self,
        max_runs: int,
        max_runs_per_client: int,
        retry_after: float = 1.0,
        *,
        shared: ClientSlots | None = None,
        slot_ttl: float = 5.0,
    ) -> None:
        self.max_runs = max_runs
        self.max_runs_per_client = max_runs_per_client
        self.retry_after = retry_after
        self.shared = shared
        self.slot_ttl = slot_ttl
        self.active = 0
        self._per_client: Counter[str] = Counter()

    async def admit(self, client: str | None) -> Slot:
        """Count a run in, or raise RATE_LIMITED; pair every admit with one `release`."""
        if self.active >= self.max_runs:
            raise BoothError(
                ErrorCode.RATE_LIMITED,
                f"The server is at its limit of {self.max_runs} concurrent runs; retry shortly.",
                retry_after=self.retry_after,
            )
        slot = Slot(client or "unknown")
        if self.shared is None:
            admitted = self._per_client[slot.client] < self.max_runs_per_client
        else:
            admitted = await self.shared.take(slot, self.max_runs_per_client, self.slot_ttl)
        if not admitted:
            raise BoothError(
                ErrorCode.RATE_LIMITED,
                f"Too many concurrent runs from this client (limit {self.max_runs_per_client}).",
                retry_after=self.retry_after,
            )
        self.active += 1
        self._per_client[slot.client] += 1
        return slot

    async def renew(self, slot: Slot) -> None:
        if self.shared is not None:
            await self.shared.renew(slot, self.slot_ttl)

    async def release(self, slot: Slot) -> None:
        """Give the slot back; never raises (a shared slot lapses by itself if this fails)."""
        self.active -= 1
        self._per_client[slot.client] -= 1
        if self._per_client[slot.client] <= 0:
            del self._per_client[slot.client]
        if self.shared is not None:
            try:
                await self.shared.give_back(slot)
            except Exception as exc:
                log.warning("could not give back an admission slot: %s", exc)


# KEYS: the client's slot set  ARGV: slot id, limit, ttl_ms. Scores are expiry times (ms).
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
"""

# KEYS: the client's slot set  ARGV: slot id, ttl_ms
_RENEW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""


class RedisClientSlots:
    """`ClientSlots` in Redis: a sorted set per client, scored by each slot's expiry time."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._take = redis.register_script(_TAKE)
        self._renew = redis.register_script(_RENEW)

    @staticmethod
    def _key(slot: Slot) -> str:
        return f"booth:admission:{slot.client}"

    async def take(self, slot: Slot, limit: int, ttl: float) -> bool:
        ms = max(1, int(ttl * 1000))
        return bool(await self._take(keys=[self._key(slot)], args=[slot.id, limit, ms]))

    async def renew(self, slot: Slot, ttl: float) -> None:
        await self._renew(keys=[self._key(slot)], args=[slot.id, max(1, int(ttl * 1000))])

    async def give_back(self, slot: Slot) -> None:
        await self.redis.zrem(self._key(slot), slot.id)


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """closed → open after `failure_threshold` failures in a row → half-open after `reset_after`.

    `hold_open` opens it for as long as an upstream asked (a 429's Retry-After).

    In half-open exactly one probe call runs; success closes the breaker, failure opens it again.
    A probe that is cancelled counts as neither: the breaker returns to half-open so the next
    caller may probe, instead of staying stuck with a probe that will never report.
    """

    def __init__(
        self,
        name: str,
        failure_threshold: int = 5,
        reset_after: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.failure_threshold = failure_threshold
        self.reset_after = reset_after
        self.clock = clock
        self.failures = 0
        self.probe_at = 0.0  # while open: when the next probe may go
        self._state = BreakerState.CLOSED
        self._probing = False

    @property
    def state(self) -> BreakerState:
        if self._state is BreakerState.OPEN and self.clock() >= self.probe_at:
            self._state = BreakerState.HALF_OPEN
        return self._state

    def _before_call(self) -> None:
        state = self.state
        if state is BreakerState.OPEN or (state is BreakerState.HALF_OPEN and self._probing):
            raise BoothError(
                ErrorCode.UPSTREAM_UNAVAILABLE,
                f"{self.name} is unavailable (circuit open); retry later.",
                retry_after=max(0.0, self.probe_at - self.clock()),
            )
        if state is BreakerState.HALF_OPEN:
            self._probing = True

    def record_success(self) -> None:
        self._probing = False
        self.failures = 0
        self._state = BreakerState.CLOSED

    def record_failure(self) -> None:
        self._probing = False
        self.failures += 1
        if self._state is BreakerState.HALF_OPEN or self.failures >= self.failure_threshold:
            self._state = BreakerState.OPEN
            self.probe_at = self.clock() + self.reset_after

    def hold_open(self, seconds: float) -> None:
        """Open for at least `seconds` from now, as an upstream's Retry-After asks."""
        was_open = self._state is BreakerState.OPEN
        self._probing = False
        self._state = BreakerState.OPEN
        self.probe_at = max(self.probe_at if was_open else 0.0, self.clock() + seconds)

    async def call(self, fn: Callable[[], Awaitable[T]], timeout: float | None = None) -> T:
        """Run `fn` under the breaker (and a timeout, which counts as a failure)."""
        self._before_call()
        try:
            result = await asyncio.wait_for(fn(), timeout) if timeout else await fn()
        except asyncio.CancelledError:
            self._probing = False
            raise
        except Exception:
            self.record_failure()
            raise
        self.record_success()
        return result
