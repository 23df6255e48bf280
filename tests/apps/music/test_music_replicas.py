"""A follow-up lands on another server process: the context lives in the shared store."""

from __future__ import annotations

import httpx
import pytest
from music_helpers import Listener, artists_of, decision_of, ids_of

from tests.support.servers import ProcessServer


@pytest.fixture(params=["sqlite", "redis"])
def replicas(request, tmp_path):
    store = (
        f"sqlite:///{tmp_path / 'b.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("redis_url")
    )
    env = {
        "BOOTH_STORE": store,
        "BOOTH_UI": "0",
        "BOOTH_LOG_LEVEL": "WARNING",
        "BOOTH_MUSIC_CATALOG": str(tmp_path / "no-user-catalog"),
    }
    servers = [ProcessServer(env, apps=True, test_app=False).start() for _ in range(2)]
    yield servers
    for server in servers:
        server.stop()


async def test_a_follow_up_on_a_second_process_continues_the_same_context(replicas):
    a, b = replicas
    async with (
        httpx.AsyncClient(base_url=a.url, timeout=30) as on_a,
        httpx.AsyncClient(base_url=b.url, timeout=30) as on_b,
    ):
        user = Listener(on_a)
        first = await user.ask("Songs by Kendrick Lamar", 4)
        user.http = on_b
        more = await user.ask("more tracks", 4)
        assert decision_of(more) == "load_more"
        assert set(artists_of(more)) == {"Kendrick Lamar"}
        assert not set(ids_of(more)) & set(ids_of(first))

        user.http = on_a
        style = await user.ask("more like these", 4)
        assert decision_of(style) == "style_continuation"
        assert not set(ids_of(style)) & set(ids_of(first) + ids_of(more))

        liked = style["recommendations"][0]
        response = await on_b.post(
            "/feedback",
            headers=user.headers,
            json={
                "session_id": user.session_id,
                "track_id": liked["track_id"],
                "feedback": "thumbs_down",
            },
        )
        assert response.status_code == 200
        summary = (
            await on_a.get(f"/sessions/{user.session_id}/context", headers=user.headers)
        ).json()["context_summary"]
        assert summary["feedback"] == {"up": 0, "down": 1} and summary["shown_count"] == 12
        history = (
            await on_b.get(f"/sessions/{user.session_id}/history", headers=user.headers)
        ).json()["history"]
        assert [t.get("decision") or t["feedback"] for t in history] == [
            "new_query",
            "load_more",
            "style_continuation",
            "thumbs_down",
        ]
        assert (await on_b.get(f"/sessions/{user.session_id}/history")).status_code == 403

        stranger = Listener(on_b)
        fresh = await stranger.ask("more tracks", 4)
        assert decision_of(fresh) == "fresh_start"
