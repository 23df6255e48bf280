"""Concurrent writers lose nothing: 50 feedbacks at once on one session all land, none is a 5xx.

Each feedback is an optimistic read-modify-write of the session's context; the losers of a
race wait a random, growing while and retry. Run on every store backend.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from music_helpers import Listener, start_server

WRITERS = 50


@pytest.fixture(params=["memory", "sqlite", "redis"])
def store_url(request, tmp_path):
    if request.param == "redis":
        return request.getfixturevalue("redis_url")
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/race.db"
    return "memory"


async def test_fifty_concurrent_feedbacks_on_one_session_all_land(engine, store_url):
    server = start_server(engine, store=store_url)
    try:
        async with httpx.AsyncClient(
            base_url=server.url, timeout=60, limits=httpx.Limits(max_connections=WRITERS)
        ) as http:
            user = Listener(http)
            await user.ask("Electronic music", 3)
            tracks = sorted(engine.catalog.tracks)[:WRITERS]
            answers = await asyncio.gather(
                *[
                    http.post(
                        "/feedback",
                        headers=user.headers,
                        json={
                            "session_id": user.session_id,
                            "track_id": track_id,
                            "feedback": "thumbs_up",
                        },
                    )
                    for track_id in tracks
                ]
            )
            summary = await user.context()
    finally:
        server.stop()
    statuses = [answer.status_code for answer in answers]
    assert all(status < 500 for status in statuses), statuses
    assert statuses.count(200) == WRITERS, [a.text for a in answers if a.status_code != 200]
    assert summary["feedback"] == {"up": WRITERS, "down": 0}
