"""BeatDebate's Gradio chat against booth in trusted session mode, end to end.

The client is tests/compat/beatdebate.py (the chat's requests and reads, in Python): a uuid4 per
tab, no token, the seed's body. The server runs `BOOTH_SESSION_AUTH=trusted` with the default
caps, as it would behind BeatDebate's Gradio server.
"""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from booth.config import Settings
from booth.server import create_app
from tests.compat.beatdebate import EMERGENCY, TRACK_FIELDS_READ, ChatTab
from tests.support.servers import ThreadServer

CHAT = ["Songs by Mk.gee", "More tracks", "Electronic music", "more tracks", "Jazz for studying"]
USERS = 48


def start(**settings) -> ThreadServer:
    base = {"store": "memory", "ui": False, "session_auth": "trusted", "log_level": "WARNING"}
    return ThreadServer(create_app(Settings(**{**base, **settings}))).start()


@pytest.fixture(scope="module")
def server():
    server = start()
    yield server
    server.stop()


@pytest.fixture
async def http(server):
    limits = httpx.Limits(max_connections=2 * USERS, max_keepalive_connections=2 * USERS)
    async with httpx.AsyncClient(base_url=server.url, timeout=60, limits=limits) as client:
        yield client


def labels(track: dict) -> set[str]:
    return {*track["genres"], *track["moods"], *track["tags"]}


def check_fields(turn) -> None:
    """Every field the chat's formatter and player read, with the type it needs."""
    assert turn.status_code == 200 and EMERGENCY not in turn.shown, turn.body
    assert isinstance(turn.body["processing_time"], float)
    assert all(isinstance(line, str) for line in turn.body["reasoning"])
    for track in turn.tracks:
        for name, kinds in TRACK_FIELDS_READ.items():
            assert isinstance(track[name], kinds), f"{name}: {track[name]!r}"
        assert 0 <= track["confidence"] <= 1
        lastfm = track["external_urls"]["lastfm"]
        assert "%2B" not in lastfm and " " not in lastfm  # encoded once: spaces as "+"


async def chat(tab: ChatTab) -> None:
    for message in CHAT:
        check_fields(await tab.send(message))


async def test_a_five_turn_chat_without_any_token(http):
    tab = ChatTab(http)
    await chat(tab)
    mkgee, more, electronic, more_electronic, jazz = tab.turns
    assert all(t.body["session_id"] == tab.session_id for t in tab.turns)
    assert {t["artist"] for t in mkgee.tracks} == {"Mk.gee"}
    assert more.tracks[0]["artist"] == "Mk.gee"  # more from the same artist first
    assert not set(more.ids) & set(mkgee.ids)  # and nothing repeated
    assert more.body["metadata"]["context_decision"]["decision"] == "load_more"
    assert all("electronic" in labels(t) for t in electronic.tracks)
    assert all("electronic" in labels(t) for t in more_electronic.tracks)  # continues electronic
    assert not set(more_electronic.ids) & set(electronic.ids)
    assert more_electronic.body["metadata"]["context_decision"]["decision"] == "load_more"
    assert all(any("jazz" in g for g in t["genres"]) for t in jazz.tracks)
    track = mkgee.tracks[0]
    assert track["external_urls"]["lastfm"] == (
        f"https://www.last.fm/music/Mk.gee/_/{track['title'].replace(' ', '+')}"
    )


async def test_two_tabs_follow_up_only_on_their_own_context(http):
    one, two = ChatTab(http), ChatTab(http)
    await one.send("Songs by Mk.gee")
    await two.send("Electronic music")
    more_one, more_two = await asyncio.gather(one.send("More tracks"), two.send("More tracks"))
    assert more_one.tracks[0]["artist"] == "Mk.gee"
    assert all("electronic" in labels(t) for t in more_two.tracks)
    assert "Mk.gee" not in {t["artist"] for t in more_two.tracks}


async def test_48_users_at_once_are_never_rate_limited_under_the_default_caps(http, server):
    settings = server.app.state.settings
    assert (settings.max_runs, settings.max_runs_per_client) == (256, 8)  # the defaults
    tabs = [ChatTab(http) for _ in range(USERS)]

    async def two_turns(tab: ChatTab) -> None:
        await tab.send("Songs by Mk.gee")
        await tab.send("More tracks")

    await asyncio.gather(*(two_turns(tab) for tab in tabs))  # 96 requests, 48 at a time
    statuses = [turn.status_code for tab in tabs for turn in tab.turns]
    assert len(statuses) == 2 * USERS and set(statuses) == {200}
    for tab in tabs:
        first, more = tab.turns
        assert more.tracks[0]["artist"] == "Mk.gee" and not set(more.ids) & set(first.ids)


async def test_a_short_session_id_is_refused_with_the_reason(http):
    response = await http.post(
        "/recommendations", json={"query": "Songs by Mk.gee", "session_id": "user-a-456"}
    )
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert "at least 22 characters" in message and "uuid4" in message


async def test_planning_with_a_new_session_creates_it(http):
    tab = ChatTab(http)
    planned = await http.post(
        "/planning", json={"query": "Songs by Mk.gee", "session_id": tab.session_id}
    )
    assert planned.status_code == 200 and planned.json()["session_id"] == tab.session_id
    history = await http.get(f"/sessions/{tab.session_id}/history")
    assert history.status_code == 200 and history.json()["history"] == []
    check_fields(await tab.send("Songs by Mk.gee"))


async def test_token_mode_still_refuses_the_same_follow_up():
    server = start(session_auth="token")
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
            tab = ChatTab(http)
            first = await tab.send("Songs by Mk.gee")
            assert first.status_code == 200 and first.body["session_token"]
            follow_up = await tab.send("More tracks")
            assert follow_up.status_code == 403 and EMERGENCY in follow_up.shown
            assert follow_up.body["error"]["code"] == "FORBIDDEN"
            assert isinstance(follow_up.body["detail"], str)
            planned = await http.post(
                "/planning", json={"query": "jazz", "session_id": str(uuid.uuid4())}
            )
            assert planned.status_code == 200 and planned.json()["session_token"]
    finally:
        server.stop()


async def test_the_chat_works_the_same_on_redis(redis_url):
    server = start(store=redis_url)
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
            tab = ChatTab(http)
            await chat(tab)
            assert not set(tab.turns[1].ids) & set(tab.turns[0].ids)
    finally:
        server.stop()
