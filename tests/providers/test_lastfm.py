"""The Last.fm provider against a loopback server that speaks Last.fm's JSON API.

Its shapes (string numbers, one item sent as a bare object), its error codes and its outages are
real HTTP on 127.0.0.1; the cache and the rate bucket are the real memory and Redis stores.
"""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from booth.core.resilience import BreakerState, CircuitBreaker
from booth.providers.lastfm import (
    LastfmClient,
    LastfmConfig,
    LastfmError,
    LastfmNotFound,
    cache_key,
)
from booth.providers.store import MemoryProviderStore, RedisProviderStore
from tests.support.lastfm_server import API_KEY, LastfmServer


@pytest.fixture(scope="module")
def lastfm():
    server = LastfmServer().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def healed(lastfm):
    lastfm.world.heal()
    lastfm.world.calls.clear()
    yield
    lastfm.world.heal()


def client_for(lastfm, *, key: str = API_KEY, store=None, timeout: float = 2.0, **config):
    breaker = CircuitBreaker("lastfm", failure_threshold=3, reset_after=60)
    return LastfmClient(
        LastfmConfig(api_key=key, url=lastfm.url, timeout=timeout, **config),
        breaker,
        store or MemoryProviderStore(),
    )


async def test_the_seven_methods_read_lastfm_shapes(lastfm):
    client = client_for(lastfm)
    top = await client.artist_top_tracks("Veldt Orchard", 5)
    assert [t.name for t in top.track][:2] == ["Veldt Hymn 1", "Veldt Hymn 2"]
    assert top.track[0].listeners == 420_000 and isinstance(top.track[0].playcount, int)
    similar = await client.artist_similar("veldt orchard")
    assert similar.artist[0].name == "Copper Lanes" and similar.artist[0].match == 0.91
    assert similar.attr.artist == top.attr.artist == "Veldt Orchard"  # however it was asked
    single = await client.artist_similar("Juniper Vault")  # a one-item list as a bare object
    assert [a.name for a in single.artist] == ["Saffron Static"]
    tags = await client.artist_top_tags("Veldt Orchard")
    assert [t.name for t in tags.tag][0] == "fogwave" and tags.attr.artist == "Veldt Orchard"
    found = await client.artist_search("Copper")
    assert found.artistmatches.artist[0].name == "Copper Lanes"
    assert found.artistmatches.artist[0].listeners == 150_000
    tagged = await client.tag_top_tracks("glass folk", 10)
    assert {t.artist.name for t in tagged.track} <= {"Saffron Static", "Juniper Vault"}
    artists = await client.tag_top_artists("fogwave")
    assert "Hollow Meridian" in [a.name for a in artists.artist]
    info = await client.track_info("Veldt Orchard", "Veldt Hymn 2")
    assert info.album.title == "Veldt Orchard LP" and [t.name for t in info.toptags.tag] == [
        "fogwave"
    ]
    await client.close()


async def test_not_found_is_an_answer_not_a_failure(lastfm):
    client = client_for(lastfm)
    for _ in range(5):
        with pytest.raises(LastfmNotFound):
            await client.artist_top_tracks("Nobody At All")
    assert client.breaker.state is BreakerState.CLOSED
    assert lastfm.world.calls["artist.getTopTracks"] == 1  # the "not found" was cached
    await client.close()


@pytest.mark.parametrize("code", [10, 11, 16, 29])
async def test_error_codes_are_failures_the_breaker_counts(lastfm, code):
    lastfm.world.fail_with(code)
    client = client_for(lastfm)
    for name in ("Veldt Orchard", "Copper Lanes", "Hollow Meridian"):
        with pytest.raises(LastfmError) as raised:
            await client.artist_top_tags(name)
        assert raised.value.code == code
    assert client.breaker.state is BreakerState.OPEN
    before = sum(lastfm.world.calls.values())
    with pytest.raises(LastfmError, match="circuit open"):
        await client.artist_top_tags("Saffron Static")
    assert sum(lastfm.world.calls.values()) == before  # open: Last.fm is not called at all
    await client.close()


async def test_a_bad_key_is_error_10(lastfm):
    client = client_for(lastfm, key="not-a-key")
    with pytest.raises(LastfmError) as raised:
        await client.artist_top_tags("Veldt Orchard")
    assert raised.value.code == 10
    await client.close()


async def test_slowness_and_garbage_are_failures(lastfm):
    lastfm.world.slow(1.0)
    client = client_for(lastfm, timeout=0.2)
    with pytest.raises(LastfmError, match="unreachable"):
        await client.artist_top_tags("Veldt Orchard")
    lastfm.world.heal()
    lastfm.world.garble()
    with pytest.raises(LastfmError, match="without JSON"):
        await client.artist_top_tags("Copper Lanes")
    assert client.breaker.failures == 2
    await client.close()


async def test_a_dead_lastfm_is_a_failure():
    from tests.support.servers import free_port

    breaker = CircuitBreaker("lastfm", failure_threshold=3, reset_after=60)
    url = f"http://127.0.0.1:{free_port()}/2.0/"
    client = LastfmClient(LastfmConfig(API_KEY, url=url, timeout=1), breaker, MemoryProviderStore())
    with pytest.raises(LastfmError, match="unreachable"):
        await client.artist_top_tracks("Veldt Orchard")
    await client.close()


async def test_responses_are_cached_under_keys_booth_builds(lastfm):
    store = MemoryProviderStore()
    client = client_for(lastfm, store=store)
    await client.artist_top_tracks("Veldt Orchard", 10)
    await client.artist_top_tracks("  veldt   ORCHARD ", 10)  # the same normalised request
    assert lastfm.world.calls["artist.getTopTracks"] == 1
    key = cache_key("artist.getTopTracks", {"artist": "Veldt Orchard", "limit": 10})
    assert key.startswith("lastfm:artist.getTopTracks:") and "veldt" not in key.casefold()
    assert await store.get(key) is not None
    await client.close()


async def test_the_rate_bucket_is_shared_by_replicas_on_redis(redis_url):
    class Clock:
        now = 1000.0

        def __call__(self) -> float:
            return self.now

    clock = Clock()
    first = RedisProviderStore(Redis.from_url(redis_url), clock=clock)
    second = RedisProviderStore(Redis.from_url(redis_url), clock=clock)
    waits = [await (first if i % 2 else second).take_token("key", 2.0, 4) for i in range(6)]
    assert waits[:4] == [0.0] * 4 and all(w > 0 for w in waits[4:])
    clock.now += 1.0  # two tokens back at two per second
    assert await first.take_token("key", 2.0, 4) == 0.0
    assert await second.take_token("key", 2.0, 4) == 0.0
    assert await first.take_token("key", 2.0, 4) > 0
    await first.set("lastfm:x", {"a": 1}, ttl=60)
    assert await second.get("lastfm:x") == {"a": 1}  # and so is the cache
    await first.redis.aclose()
    await second.redis.aclose()


async def test_a_used_up_rate_fails_without_calling_lastfm(lastfm):
    client = client_for(lastfm, rate=0.01, burst=1)
    await client.artist_top_tags("Veldt Orchard")
    with pytest.raises(LastfmError, match="rate"):
        await client.artist_top_tags("Copper Lanes")
    assert lastfm.world.calls["artist.getTopTags"] == 1
    assert client.breaker.state is BreakerState.CLOSED  # booth's politeness, not an outage
    await client.close()
