"""Admission control, circuit breakers and timeouts: saying no early and failing fast.

Admission caps run before a run starts, so overload turns into a quick 429 instead of everyone
getting slow. A breaker stops calling an upstream that keeps failing and lets one probe through
after a cool-down.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import TypeVar

from booth.core.errors import BoothError, ErrorCode

T = TypeVar("T")


class AdmissionControl:
    """Caps on concurrent runs in this process: in total and per client IP."""

    def __init__(self, max_runs: int, max_runs_per_client: int, retry_after: float = 1.0) -> None:
        self.max_runs = max_runs
        self.max_runs_per_client = max_runs_per_client
        self.retry_after = retry_after
        self.active = 0
        self._per_client: Counter[str] = Counter()

    def admit(self, client: str | None) -> None:
        """Count a run in, or raise RATE_LIMITED; pair every admit with one `release`."""
        if self.active >= self.max_runs:
            raise BoothError(
                ErrorCode.RATE_LIMITED,
                f"The server is at its limit of {self.max_runs} concurrent runs; retry shortly.",
                retry_after=self.retry_after,
            )
        key = client or "unknown"
        if self._per_client[key] >= self.max_runs_per_client:
            raise BoothError(
                ErrorCode.RATE_LIMITED,
                f"Too many concurrent runs from this client (limit {self.max_runs_per_client}).",
                retry_after=self.retry_after,
            )
        self.active += 1
        self._per_client[key] += 1

    def release(self, client: str | None) -> None:
        key = client or "unknown"
        self.active -= 1
        self._per_client[key] -= 1
        if self._per_client[key] <= 0:
            del self._per_client[key]


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """closed → open after `failure_threshold` failures in a row → half-open after `reset_after`.

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
        self.opened_at = 0.0
        self._state = BreakerState.CLOSED
        self._probing = False

    @property
    def state(self) -> BreakerState:
        if self._state is BreakerState.OPEN and self.clock() - self.opened_at >= self.reset_after:
            self._state = BreakerState.HALF_OPEN
        return self._state

    def _before_call(self) -> None:
        state = self.state
        if state is BreakerState.OPEN or (state is BreakerState.HALF_OPEN and self._probing):
            raise BoothError(
                ErrorCode.UPSTREAM_UNAVAILABLE,
                f"{self.name} is unavailable (circuit open); retry later.",
                retry_after=max(0.0, self.reset_after - (self.clock() - self.opened_at)),
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
            self.opened_at = self.clock()

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
