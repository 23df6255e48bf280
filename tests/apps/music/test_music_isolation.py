"""Fifty users, three turns each, all at once: every answer carries only its own user's canary."""

from __future__ import annotations

import asyncio
import json
import re
import secrets

import httpx
from httpx_sse import aconnect_sse
from music_helpers import Listener, artists_of, decision_of, ids_of

USERS = 50
COUNT = 3
CANARY = re.compile(r"canary[0-9a-f]{12}")


async def stream_turn(user: Listener, query: str) -> tuple[dict, str]:
    """One turn over SSE: its `result` and the whole stream's text."""
    body = {"query": query, "max_recommendations": COUNT, "session_id": user.session_id}
    lines = []
    result = None
    async with aconnect_sse(
        user.http, "POST", "/recommendations/stream", json=body, headers=user.headers
    ) as source:
        assert source.response.status_code == 200
        async for event in source.aiter_sse():
            lines.append(event.data)
            if event.event == "result":
                result = json.loads(event.data)
    assert result is not None, lines[-1]
    return result, "\n".join(lines)


async def one_user(http: httpx.AsyncClient, artist: str) -> dict:
    canary = "canary" + secrets.token_hex(6)
    user = Listener(http)
    first = await user.ask(f"Songs by {artist} {canary}", COUNT)
    second, streamed = await stream_turn(user, "more tracks")
    third = await user.ask("more from this artist", COUNT)
    history = await http.get(f"/sessions/{user.session_id}/history", headers=user.headers)
    return {
        "artist": artist,
        "canary": canary,
        "user": user,
        "turns": [first, second, third],
        "texts": [json.dumps(first), streamed, json.dumps(third), history.text],
        "history": history.json()["history"],
        "context": await user.context(),
    }


async def test_fifty_concurrent_users_never_see_each_other(http, catalog):
    candidates = sorted(
        a.name for a in catalog.artists.values() if len(catalog.tracks_by(a.key)) >= 3 * COUNT
    )
    assert len(candidates) >= USERS
    artists = candidates[:USERS]
    users = await asyncio.gather(*(one_user(http, artist) for artist in artists))

    assert len({u["user"].session_id for u in users}) == USERS
    assert len({u["user"].token for u in users}) == USERS
    for u in users:
        first, second, third = u["turns"]
        assert decision_of(first) == "new_query"
        assert decision_of(second) == "load_more"
        assert decision_of(third) == "artist_deep_dive"
        for turn in u["turns"]:
            assert artists_of(turn) == [u["artist"]] * COUNT, (u["artist"], artists_of(turn))
        shown = ids_of(first) + ids_of(second) + ids_of(third)
        assert len(shown) == len(set(shown))
        # The canary went in with the first query only; later turns carry it from the stored
        # context, so any mix-up of contexts would show another user's canary here.
        for text in u["texts"]:
            assert set(CANARY.findall(text)) == {u["canary"]}, u["artist"]
        assert [t["track_ids"] for t in u["history"]] == [ids_of(t) for t in u["turns"]]
        assert u["context"]["shown_count"] == 3 * COUNT
        assert u["context"]["anchor"]["artists"] == [u["artist"].casefold()]
