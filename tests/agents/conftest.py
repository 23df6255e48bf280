"""The three session stores the adapters run on: memory, SQLite and the real Redis."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from booth.core.sessions.base import Expiry
from booth.core.sessions.memory import MemorySessionStore
from booth.core.sessions.redis import RedisSessionStore
from booth.core.sessions.sqlite import SqliteSessionStore

EXPIRY = Expiry(idle_ttl=60, max_age=600)


@pytest.fixture(params=["memory", "sqlite", "redis"])
async def store(request, clock, tmp_path):
    if request.param == "memory":
        made = MemorySessionStore(EXPIRY, clock=clock)
    elif request.param == "sqlite":
        made = SqliteSessionStore(tmp_path / "sessions.db", EXPIRY, clock=clock)
    else:
        url = request.getfixturevalue("redis_url")
        made = RedisSessionStore(Redis.from_url(url), EXPIRY, clock=clock)
    yield made
    await made.close()
