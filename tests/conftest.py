"""Shared fixtures: a controllable clock, the real Redis (database 15), real servers."""

from __future__ import annotations

import os

import pytest
import redis

REDIS_URL = os.environ.get("BOOTH_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


class FakeClock:
    """A clock tests move by hand, to reach expiry without waiting."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _redis_reachable() -> str | None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
        return None
    except Exception as exc:  # any failure to reach it is a reason to skip (or fail)
        return f"Redis at {REDIS_URL} unreachable: {exc}"


@pytest.fixture
def redis_url() -> str:
    """The test Redis database, flushed before and after; skips if absent (unless required)."""
    problem = _redis_reachable()
    if problem:
        if os.environ.get("BOOTH_REQUIRE_REDIS") == "1":
            pytest.fail(problem)
        pytest.skip(problem)
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()
