"""Music with Last.fm: a real booth server and a loopback Last.fm, both on 127.0.0.1.

The loopback Last.fm knows a small invented world (Veldt Orchard, Copper Lanes, …) the bundled
catalog lacks, so every assertion can tell where a track came from.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from music_helpers import Listener, artists_of, decision_of, ids_of, start_server

from tests.support.lastfm_server import (
    API_KEY,
    WORLD,
    FakeArtist,
    LastfmServer,
    LastfmWorld,
    lastfm_app,
)
from tests.support.servers import ThreadServer

INVENTED = {a.name for a in WORLD}


@pytest.fixture(scope="module")
def lastfm():
    server = LastfmServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def booth(lastfm):
    running = start_server(
        lastfm_api_key=API_KEY, lastfm_url=lastfm.url, lastfm_timeout=1.0, breaker_failures=3
    )
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def healed(lastfm, booth):
    lastfm.world.heal()
    breaker = booth.host.breakers["lastfm"]
    breaker.record_success()  # each test starts with Last.fm reachable and trusted
    yield
    lastfm.world.heal()


@pytest.fixture
async def http(booth):
    async with httpx.AsyncClient(base_url=booth.url, timeout=60) as client:
        yield client


async def test_an_artist_only_lastfm_knows_is_served_and_paged_without_repeats(http):
    user = Listener(http)
    first = await user.ask("songs by Veldt Orchard")
    assert first["metadata"]["sources"] == ["catalog", "lastfm"]
    assert first["metadata"]["degraded"] == []
    assert not any("don't know" in line for line in first["reasoning"])
    assert set(artists_of(first)) == {"Veldt Orchard"}
    assert all(t["source"] == "lastfm" for t in first["recommendations"])
    seen = ids_of(first)
    for _ in range(4):  # 60 tracks: five pages of ten, all Veldt Orchard
        page = await user.ask("more")
        assert page["metadata"]["context_decision"]["decision"] == "load_more"
        assert set(artists_of(page)) == {"Veldt Orchard"}
        assert not set(ids_of(page)) & set(seen)
        seen += ids_of(page)
    assert len(seen) == len(set(seen)) == 50
    for track in first["recommendations"][:3]:
        assert track["explanation"].startswith("A track by Veldt Orchard, as asked")


async def test_similarity_follows_lastfms_graph(http):
    data = await Listener(http).ask("music like Veldt Orchard")
    artists = set(artists_of(data))
    assert artists & {"Copper Lanes", "Hollow Meridian"}, artists
    assert "Veldt Orchard" not in artists or len(artists) > 1
    similar = next(t for t in data["recommendations"] if t["artist"] == "Copper Lanes")
    assert "Copper Lanes is closely related to Veldt Orchard" in similar["explanation"]  # 0.91


async def test_two_users_interleave_without_bleed(http):
    veldt, copper = Listener(http), Listener(http)
    pages = {"veldt": [], "copper": []}
    pages["veldt"].append(await veldt.ask("songs by Veldt Orchard"))
    pages["copper"].append(await copper.ask("songs by Copper Lanes"))
    for _ in range(2):
        both = await asyncio.gather(veldt.ask("more"), copper.ask("more"))
        pages["veldt"].append(both[0])
        pages["copper"].append(both[1])
    veldt_ids = [i for p in pages["veldt"] for i in ids_of(p)]
    copper_ids = [i for p in pages["copper"] for i in ids_of(p)]
    assert len(veldt_ids) == len(set(veldt_ids)) == 30
    assert {a for p in pages["veldt"] for a in artists_of(p)} == {"Veldt Orchard"}
    copper_artists = [a for p in pages["copper"] for a in artists_of(p)]
    assert copper_artists[:25] == ["Copper Lanes"] * 25  # its 25 tracks, then similar artists
    assert len(copper_ids) == len(set(copper_ids))
    assert veldt.session_id != copper.session_id


async def test_lastfm_gone_means_the_bundled_catalog_answers_degraded(http, lastfm):
    lastfm.world.fail_with(11)
    user = Listener(http)
    data = await user.ask("songs by Radiohead")
    assert data["metadata"]["degraded"] == ["lastfm"]
    assert data["metadata"]["sources"] == ["catalog"]
    assert set(artists_of(data)) == {"Radiohead"}
    assert all(t["source"] == "catalog" for t in data["recommendations"])
    for query in ("more", "songs by Veldt Orchard", "music like Portishead"):
        response = await user.send(query)
        assert response.status_code == 200, response.text
        assert response.json()["metadata"]["degraded"] == ["lastfm"]
    health = (await http.get("/health")).json()
    assert health["breakers"]["lastfm"] == "open"
    unknown = await Listener(http).ask("songs by Juniper Vault")  # never looked up before
    assert unknown["reasoning"][0].startswith(
        "I don't know an artist called 'Juniper Vault' (Last.fm could not be reached"
    )


async def test_a_slow_or_garbled_lastfm_degrades_and_never_5xx(http, lastfm):
    lastfm.world.slow(3.0)
    data = await Listener(http).ask("songs by Portishead")
    assert data["metadata"]["degraded"] == ["lastfm"]
    assert set(artists_of(data)) == {"Portishead"}
    lastfm.world.heal()
    lastfm.world.garble()
    data = await Listener(http).ask("songs by Massive Attack")
    assert data["metadata"]["degraded"] == ["lastfm"] and data["recommendations"]


async def test_a_page_already_fetched_pages_on_from_the_cache_when_lastfm_fails(http, lastfm):
    user = Listener(http)
    first = await user.ask("songs by Hollow Meridian")
    lastfm.world.fail_with(16)
    page = await user.ask("more")
    assert set(artists_of(page)) == {"Hollow Meridian"}  # answered from the provider cache
    assert not set(ids_of(page)) & set(ids_of(first))


async def test_feedback_on_a_lastfm_track_is_kept(http):
    user = Listener(http)
    data = await user.ask("songs by Saffron Static")
    track = data["recommendations"][0]
    response = await http.post(
        "/feedback",
        json={"session_id": user.session_id, "track_id": track["track_id"], "feedback": "down"},
        headers=user.headers,
    )
    assert response.status_code == 200, response.text
    again = await user.ask("songs by Saffron Static")
    assert track["track_id"] not in ids_of(again)


async def test_a_dead_lastfm_costs_nothing_but_the_degraded_flag():
    from tests.support.servers import free_port

    dead = f"http://127.0.0.1:{free_port()}/2.0/"
    running = start_server(lastfm_api_key=API_KEY, lastfm_url=dead, lastfm_timeout=1.0)
    try:
        async with httpx.AsyncClient(base_url=running.url, timeout=60) as client:
            user = Listener(client)
            data = await user.ask("songs by Radiohead")
            assert data["metadata"]["degraded"] == ["lastfm"]
            assert set(artists_of(data)) == {"Radiohead"}
            page = await user.ask("more")
            assert not set(ids_of(page)) & set(ids_of(data))
    finally:
        running.stop()


async def test_on_redis_the_lastfm_cache_is_shared_by_replicas(lastfm, redis_url):
    import redis as sync_redis

    replicas = [
        start_server(store=redis_url, lastfm_api_key=API_KEY, lastfm_url=lastfm.url)
        for _ in range(2)
    ]
    try:
        lastfm.world.calls.clear()
        async with (
            httpx.AsyncClient(base_url=replicas[0].url, timeout=60) as one,
            httpx.AsyncClient(base_url=replicas[1].url, timeout=60) as two,
        ):
            user = Listener(one)
            first = await user.ask("songs by Juniper Vault")
            asked = sum(lastfm.world.calls.values())
            user.http = two  # the same user, the next turn on the other replica
            page = await user.ask("more")
        assert sum(lastfm.world.calls.values()) == asked  # all from the shared cache
        assert set(artists_of(first)) == {"Juniper Vault"}
        assert not set(ids_of(page)) & set(ids_of(first))
        keys = sync_redis.Redis.from_url(redis_url).keys("booth:provider:lastfm:*")
        assert keys and not any(b"juniper" in k.lower() for k in keys)
    finally:
        for replica in replicas:
            replica.stop()


async def test_follow_ups_about_lastfm_tracks_find_them(http):
    user = Listener(http)
    first = await user.ask("songs by Veldt Orchard")
    like = await user.ask("more like these")
    assert decision_of(like) == "style_continuation"
    assert set(artists_of(like)) & {"Copper Lanes", "Hollow Meridian", "Saffron Static"}
    deeper = await user.ask("more from this artist")
    assert decision_of(deeper) == "artist_deep_dive"
    shown = ids_of(first) + ids_of(like) + ids_of(deeper)
    assert len(shown) == len(set(shown))
    assert all(t["source"] == "lastfm" for t in deeper["recommendations"])


class WithATracklessArtist(LastfmWorld):
    """Also knows an artist it has no top tracks for (Last.fm has such artists)."""

    quiet = FakeArtist("Quiet Cedar", 8_000, ("fogwave",), (("Veldt Orchard", 0.85),), 0)

    def _artist(self, params: dict[str, str]) -> FakeArtist | None:
        if " ".join(params.get("artist", "").casefold().split()) == "quiet cedar":
            return self.quiet
        return super()._artist(params)

    def _artist_search(self, params: dict[str, str]) -> dict:
        if self._artist(params) is not self.quiet:
            return super()._artist_search(params)
        found = [{"name": self.quiet.name, "listeners": str(self.quiet.listeners)}]
        return {"results": {"artistmatches": {"artist": found}}}


async def test_an_artist_known_only_by_key_is_named_as_lastfm_writes_it():
    """The anchor keeps an outside artist's key ("quiet cedar"); with no top tracks to read the
    name from, it is Last.fm's own spelling of it that the answer shows, never the key."""
    quiet = ThreadServer(lastfm_app(WithATracklessArtist())).start()
    running = start_server(lastfm_api_key=API_KEY, lastfm_url=quiet.url + "/2.0/")
    try:
        async with httpx.AsyncClient(base_url=running.url, timeout=60) as client:
            data = await Listener(client).ask("music like quiet cedar")
    finally:
        running.stop()
        quiet.stop()
    assert "Veldt Orchard" in artists_of(data)
    texts = [t["explanation"] for t in data["recommendations"]] + data["reasoning"]
    assert any("Veldt Orchard is closely related to Quiet Cedar" in text for text in texts)
    assert not any("quiet cedar" in text for text in texts), texts
