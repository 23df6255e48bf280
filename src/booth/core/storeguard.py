"""Every call to a shared store under a timeout, its failures turned into one clear error.

A store that is down, restarting or too slow must not hang a request or a stream, nor surface as
a plain-text 500. Wrapped in a guard, each store method either answers within `timeout` seconds
or raises `BoothError(UPSTREAM_UNAVAILABLE)` (a JSON 503 with Retry-After for a request, a
terminal `error` event for a stream). The store's own answers (SessionExists, VersionConflict …)
pass through untouched.

Methods that wait on purpose take a `timeout` keyword (the event log's `follow`): their budget
is that wait plus the guard's timeout.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from redis.exceptions import RedisError

from booth.core.errors import store_unavailable

log = logging.getLogger("booth.store")

T = TypeVar("T")

# What a store that is down or slow raises; anything else is a bug and propagates as such.
STORE_FAILURES: tuple[type[BaseException], ...] = (RedisError, OSError, TimeoutError, sqlite3.Error)


class StoreGuard:
    """A proxy of a store whose coroutine methods are bounded by `timeout` seconds."""

    def __init__(self, store: Any, timeout: float, name: str) -> None:
        self._store = store
        self._timeout = timeout
        self._name = name
        self._methods: dict[str, Callable[..., Awaitable[Any]]] = {}  # guarded, made once each

    def __getattr__(self, attr: str) -> Any:
        guarded = self._methods.get(attr)
        if guarded is not None:
            return guarded
        value = getattr(self._store, attr)
        if not inspect.iscoroutinefunction(value):
            return value  # plain attributes, and async generators (they pace themselves)
        guarded = self._methods[attr] = self._guarded(value)
        return guarded

    def __setattr__(self, attr: str, value: Any) -> None:
        if attr.startswith("_"):
            object.__setattr__(self, attr, value)
        else:  # settings such as a callback belong to the store itself
            setattr(self._store, attr, value)

    def _guarded(self, method: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
        @functools.wraps(method)
        async def call(*args: Any, **kwargs: Any) -> T:
            budget = self._timeout + float(kwargs.get("timeout", 0) or 0)
            try:
                async with asyncio.timeout(budget):
                    return await method(*args, **kwargs)
            except STORE_FAILURES as exc:
                log.warning(
                    "%s.%s failed: %s", self._name, method.__name__, str(exc) or type(exc).__name__
                )
                raise store_unavailable(self._name) from exc

        return call


def guard(store: T, timeout: float, name: str) -> T:
    """`store` with every call bounded and its failures made `UPSTREAM_UNAVAILABLE`."""
    return cast(T, StoreGuard(store, timeout, name))
