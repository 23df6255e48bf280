"""A small TTL cache kept in booth's session store, so every backend (and replica) shares it.

An entry is a store record under `cache:<key>`, holding the JSON value and its expiry time. Its
token hash is one no token can match, so no client can open it as a session. Keys are built by
the provider from what booth built (a normalised search query), never a user's raw text.
The interface (`get(key)`, `set(key, value, ttl)`) is the one any provider cache offers.
"""

from __future__ import annotations

import hashlib
from typing import Any, Protocol

from booth.core.sessions.base import SessionExists, SessionRecord, SessionStore, VersionConflict

UNOPENABLE = "cache-entry"  # not a token hash: no token opens a cache entry


class Cache(Protocol):
    async def get(self, key: str) -> Any | None: ...

    async def set(self, key: str, value: Any, ttl: float) -> None: ...


def cache_key(namespace: str, built: str) -> str:
    """A bounded key for `built` (booth's own normalised query) under `namespace`."""
    return f"{namespace}:{hashlib.sha256(built.encode()).hexdigest()[:40]}"


class StoreCache:
    def __init__(self, store: SessionStore) -> None:
        self.store = store

    async def get(self, key: str) -> Any | None:
        record = await self.store.get(f"cache:{key}")
        if record is None or record.context.get("expires_at", 0) <= self.store.clock():
            return None
        return record.context.get("value")

    async def set(self, key: str, value: Any, ttl: float) -> None:
        entry_id = f"cache:{key}"
        record: SessionRecord | None
        try:
            record = await self.store.create(entry_id, UNOPENABLE)
        except SessionExists:
            record = await self.store.get(entry_id)
        if record is None:
            return
        entry = {"value": value, "expires_at": self.store.clock() + ttl}
        try:
            await self.store.set_context(entry_id, entry, record.version)
        except VersionConflict:
            return  # another request filled it at the same moment: theirs is as good
