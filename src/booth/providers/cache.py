"""A small TTL cache kept in booth's session store, so every backend (and replica) shares it.

An entry is a store record under a key booth builds (`cache:<namespace>:<digest>`), holding the
value and its expiry time. Its token hash is one no token can match, so no client can open it as
a session. Keys come from what booth built (a normalised search query), never a user's raw text.
"""

from __future__ import annotations

import hashlib
from typing import Any

from booth.core.sessions.base import SessionExists, SessionRecord, SessionStore, VersionConflict

UNOPENABLE = "cache-entry"  # not a token hash: no token opens a cache entry


class StoreCache:
    def __init__(self, store: SessionStore, namespace: str, ttl: float) -> None:
        self.store = store
        self.namespace = namespace
        self.ttl = ttl

    def key(self, built: str) -> str:
        digest = hashlib.sha256(built.encode()).hexdigest()[:40]
        return f"cache:{self.namespace}:{digest}"

    async def get(self, built: str) -> Any | None:
        record = await self.store.get(self.key(built))
        if record is None or record.context.get("expires_at", 0) <= self.store.clock():
            return None
        return record.context.get("value")

    async def put(self, built: str, value: Any) -> None:
        key = self.key(built)
        record: SessionRecord | None
        try:
            record = await self.store.create(key, UNOPENABLE)
        except SessionExists:
            record = await self.store.get(key)
        if record is None:
            return
        entry = {"value": value, "expires_at": self.store.clock() + self.ttl}
        try:
            await self.store.set_context(key, entry, record.version)
        except VersionConflict:
            return  # another request filled it at the same moment: theirs is as good
