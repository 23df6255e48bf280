"""The SessionStore contract, run against every backend: a backend is done when this passes."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from booth.core.sessions.base import (
    Expiry,
    SessionExists,
    SessionNotFound,
    VersionConflict,
    update_context,
)
from booth.core.sessions.entries import prefix_end
from booth.core.sessions.memory import MemorySessionStore
from booth.core.sessions.redis import RedisSessionStore
from booth.core.sessions.sqlite import SqliteSessionStore

EXPIRY = Expiry(idle_ttl=60, max_age=600)
BACKENDS = ["memory", "sqlite", "redis"]


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture
async def make_store(backend, clock, tmp_path, request):
    """Build stores of the backend under test; two calls share the same data (two processes)."""
    shared_memory = {}
    made = []

    def make(**kwargs):
        if backend == "memory":
            # One process only: "two instances" of the memory store are the same instance.
            if "store" not in shared_memory:
                shared_memory["store"] = MemorySessionStore(EXPIRY, clock=clock, **kwargs)
            return shared_memory["store"]
        if backend == "sqlite":
            store = SqliteSessionStore(tmp_path / "sessions.db", EXPIRY, clock=clock)
        else:
            url = request.getfixturevalue("redis_url")
            store = RedisSessionStore(Redis.from_url(url), EXPIRY, clock=clock)
        made.append(store)
        return store

    yield make
    for store in made:
        await store.close()


@pytest.fixture
def store(make_store):
    return make_store()


async def test_create_then_get_returns_the_session(store):
    created = await store.create("session-one", "hash-1")
    got = await store.get("session-one")
    assert got is not None
    assert (got.id, got.token_hash, got.version, got.turn_count) == ("session-one", "hash-1", 0, 0)
    assert got.context == {}
    assert created.created_at == got.created_at


async def test_create_refuses_a_live_id(store):
    await store.create("session-one", "hash-1")
    with pytest.raises(SessionExists):
        await store.create("session-one", "hash-2")
    assert (await store.get("session-one")).token_hash == "hash-1"


async def test_unknown_session_is_none(store):
    assert await store.get("no-such-session") is None
    assert await store.recent_turns("no-such-session") == []
    with pytest.raises(SessionNotFound):
        await store.append_turn("no-such-session", {"q": 1})
    with pytest.raises(SessionNotFound):
        await store.set_context("no-such-session", {}, 0)


async def test_turns_are_appended_in_order_and_read_back_bounded(store):
    await store.create("session-one", "h")
    for i in range(30):
        assert await store.append_turn("session-one", {"i": i}) == i
    recent = await store.recent_turns("session-one", limit=5)
    assert [t["i"] for t in recent] == [25, 26, 27, 28, 29]
    assert (await store.get("session-one")).turn_count == 30
    assert await store.recent_turns("session-one", limit=0) == []


async def test_context_update_is_versioned(store):
    await store.create("session-one", "h")
    assert await store.set_context("session-one", {"a": 1}, 0) == 1
    with pytest.raises(VersionConflict):
        await store.set_context("session-one", {"a": 2}, 0)
    record = await store.get("session-one")
    assert (record.context, record.version) == ({"a": 1}, 1)


async def test_two_concurrent_writers_lose_no_update(make_store):
    """Two store instances (two processes) increment one counter 25 times each."""
    first, second = make_store(), make_store()
    await first.create("session-one", "h")

    def bump(context):
        return {**context, "n": context.get("n", 0) + 1}

    async def writer(store):
        for _ in range(25):
            await update_context(store, "session-one", bump, attempts=200)

    await asyncio.gather(writer(first), writer(second))
    assert (await first.get("session-one")).context["n"] == 50
    assert (await second.get("session-one")).version == 50


async def test_idle_sessions_expire_for_good(store, clock):
    await store.create("session-one", "h")
    clock.advance(59)
    assert await store.get("session-one") is not None  # a read does not extend the session
    await store.touch("session-one")
    clock.advance(59)
    assert await store.get("session-one") is not None
    clock.advance(2)
    assert await store.get("session-one") is None
    assert await store.recent_turns("session-one") == []
    # A new session under the same id starts empty.
    await store.create("session-one", "h2")
    assert (await store.get("session-one")).turn_count == 0


async def test_activity_keeps_a_session_alive_until_its_max_age(store, clock):
    await store.create("session-one", "h")
    for _ in range(11):
        clock.advance(50)
        await store.append_turn("session-one", {"x": 1})
    assert await store.get("session-one") is not None  # 550 s old, active
    clock.advance(55)  # 605 s: older than max_age 600, though active 55 s ago
    assert await store.get("session-one") is None


async def test_touch_of_an_expired_session_fails(store, clock):
    await store.create("session-one", "h")
    clock.advance(61)
    with pytest.raises(SessionNotFound):
        await store.touch("session-one")


async def test_purge_removes_only_expired_sessions(store, clock):
    await store.create("old-session", "h")
    clock.advance(40)
    await store.create("new-session", "h")
    clock.advance(30)
    assert await store.purge_expired() == 1
    assert await store.count() == 1
    assert [r.id for r in await store.list()] == ["new-session"]


async def test_delete_removes_everything(store):
    await store.create("session-one", "h")
    await store.append_turn("session-one", {"q": "x"})
    assert await store.delete("session-one") is True
    assert await store.get("session-one") is None
    assert await store.delete("session-one") is False


async def test_list_and_count(store, clock):
    for i in range(5):
        await store.create(f"session-{i:03d}", "h")
        clock.advance(1)
    assert await store.count() == 5
    listed = await store.list(limit=2, offset=1)
    assert [r.id for r in listed] == ["session-001", "session-002"]


async def test_lease_admits_one_owner_across_instances(make_store, clock):
    first, second = make_store(), make_store()
    await first.create("session-one", "h")
    fence = await first.acquire_lease("session-one", "run-a", ttl=30)
    assert fence is not None
    assert await second.acquire_lease("session-one", "run-b", ttl=30) is None
    await second.release_lease("session-one", "run-b")  # not the owner: no effect
    assert await second.acquire_lease("session-one", "run-b", ttl=30) is None
    await first.release_lease("session-one", "run-a")
    later = await second.acquire_lease("session-one", "run-b", ttl=30)
    assert later is not None and later > fence  # fencing numbers only grow


async def test_concurrent_lease_attempts_have_one_winner(make_store):
    stores = [make_store(), make_store()]
    await stores[0].create("session-one", "h")
    results = await asyncio.gather(
        *[stores[i % 2].acquire_lease("session-one", f"run-{i}", ttl=30) for i in range(10)]
    )
    assert sum(r is not None for r in results) == 1


async def test_memory_store_evicts_least_recently_used(clock):
    evicted = []
    store = MemorySessionStore(
        EXPIRY, max_sessions=3, clock=clock, on_evict=lambda: evicted.append(1)
    )
    for name in ("session-a", "session-b", "session-c"):
        await store.create(name, "h")
    await store.get("session-a")  # now most recently used
    await store.create("session-d", "h")
    assert await store.get("session-b") is None
    assert await store.get("session-a") is not None
    assert await store.count() == 3
    assert evicted == [1]


# -- entries: the session's ordered key-value space ----------------------------------------------


async def test_entries_are_put_read_back_and_replaced(store):
    await store.create("session-one", "h")
    await store.put_entries("session-one", {"a/1": b"one", "a/2": b"\x00\xffbinary"})
    await store.put_entries("session-one", {"a/1": b"uno"})
    assert await store.get_entries("session-one", ["a/1", "a/2", "a/3"]) == {
        "a/1": b"uno",
        "a/2": b"\x00\xffbinary",
    }
    assert await store.get_entries("session-one", []) == {}


async def test_entries_scan_in_key_order_within_a_range(store):
    await store.create("session-one", "h")
    await store.put_entries("session-one", {f"k/{i:03d}": str(i).encode() for i in (5, 1, 9, 3)})
    await store.put_entries("session-one", {"j/000": b"before", "l/000": b"after"})
    assert [k for k, _ in await store.scan_entries("session-one", "k/", prefix_end("k/"))] == [
        "k/001",
        "k/003",
        "k/005",
        "k/009",
    ]
    latest = await store.scan_entries("session-one", "k/", prefix_end("k/"), limit=1, reverse=True)
    assert latest == [("k/009", b"9")]
    assert [k for k, _ in await store.scan_entries("session-one", "k/003", "k/009")] == [
        "k/003",
        "k/005",
    ]
    assert [k for k, _ in await store.scan_entries("session-one", "k/005")] == [
        "k/005",
        "k/009",
        "l/000",
    ]
    assert await store.scan_entries("session-one", "k/", limit=0) == []


async def test_entries_delete_by_range(store):
    await store.create("session-one", "h")
    await store.put_entries("session-one", {f"k/{i}": b"x" for i in range(6)} | {"z": b"keep"})
    assert await store.delete_entries("session-one", "k/0", "k/3") == 3
    assert [k for k, _ in await store.scan_entries("session-one")] == ["k/3", "k/4", "k/5", "z"]
    assert await store.delete_entries("session-one", "k/", prefix_end("k/")) == 3
    assert await store.scan_entries("session-one") == [("z", b"keep")]


async def test_entries_belong_to_their_session_only(make_store):
    first, second = make_store(), make_store()
    await first.create("session-one", "h")
    await first.create("session-two", "h")
    await first.put_entries("session-one", {"k": b"mine"})
    assert await second.get_entries("session-one", ["k"]) == {"k": b"mine"}  # another process
    assert await second.get_entries("session-two", ["k"]) == {}
    assert await second.scan_entries("session-two") == []


async def test_entries_need_a_live_session(store, clock):
    with pytest.raises(SessionNotFound):
        await store.put_entries("no-such-session", {"k": b"v"})
    assert await store.get_entries("no-such-session", ["k"]) == {}
    assert await store.scan_entries("no-such-session") == []
    await store.create("session-one", "h")
    await store.put_entries("session-one", {"k": b"v"})
    clock.advance(61)  # idle past the TTL
    assert await store.get_entries("session-one", ["k"]) == {}
    with pytest.raises(SessionNotFound):
        await store.put_entries("session-one", {"k": b"v2"})


async def test_a_new_session_under_an_old_id_has_no_entries(store, clock):
    await store.create("session-one", "h")
    await store.put_entries("session-one", {"secret": b"old owner"})
    clock.advance(61)
    await store.create("session-one", "h2")
    assert await store.get_entries("session-one", ["secret"]) == {}
    assert await store.scan_entries("session-one") == []
    await store.put_entries("session-one", {"k": b"new owner"})
    assert await store.scan_entries("session-one") == [("k", b"new owner")]


async def test_deleting_a_session_deletes_its_entries(store):
    await store.create("session-one", "h")
    await store.put_entries("session-one", {"k": b"v"})
    await store.delete("session-one")
    await store.create("session-one", "h2")
    assert await store.scan_entries("session-one") == []


async def test_many_entries_round_trip(store):
    await store.create("session-one", "h")
    entries = {f"i/{n:06d}": n.to_bytes(4, "big") for n in range(3000)}
    await store.put_entries("session-one", entries)
    assert dict(await store.scan_entries("session-one", "i/", prefix_end("i/"))) == entries
    assert await store.delete_entries("session-one", "i/", prefix_end("i/")) == 3000


async def test_only_the_owner_renews_a_lease_and_never_after_releasing_it(make_store):
    first, second = make_store(), make_store()
    await first.create("session-one", "h")
    assert await first.acquire_lease("session-one", "run-a", ttl=30) is not None
    assert await first.renew_lease("session-one", "run-a", ttl=30)
    assert not await second.renew_lease("session-one", "run-b", ttl=30)
    await first.release_lease("session-one", "run-a")
    # A renewal that arrives after the release must not take the lease back.
    assert not await first.renew_lease("session-one", "run-a", ttl=30)
    assert await second.acquire_lease("session-one", "run-b", ttl=30) is not None
