"""The HTTP contract of the music app, against a real server on a loopback port."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from music_helpers import INTENT_TABLE, Listener, artists_of, decision_of, ids_of, start_server

from tests.conftest import FakeClock
from tests.support.sse import assert_well_formed, post_stream

TRACK_FIELDS = {
    "track_id",
    "title",
    "artist",
    "album",
    "year",
    "confidence",
    "explanation",
    "source",
    "genres",
    "moods",
    "tags",
    "preview_url",
    "external_urls",
    "quality_score",
    "novelty_score",
    "popularity",
    "listeners",
}


async def test_the_response_keeps_the_seed_contract(http):
    response = await http.post(
        "/recommendations",
        json={
            "query": "Songs by Kendrick Lamar",
            "max_recommendations": 5,
            "include_previews": True,
            "chat_context": {"previous": ["ignored"]},
        },
    )
    assert response.status_code == 200
    data = response.json()
    assert {
        "recommendations",
        "strategy_used",
        "reasoning",
        "session_id",
        "session_token",
        "processing_time",
        "metadata",
    } <= set(data)
    assert response.headers["x-session-id"] == data["session_id"]
    assert response.headers["x-session-token"] == data["session_token"]
    assert {"context_decision", "workflow_execution", "query_understanding"} <= set(
        data["metadata"]
    )
    assert data["strategy_used"]["intent"] == "by_artist"
    assert len(data["recommendations"]) == 5
    for track in data["recommendations"]:
        assert TRACK_FIELDS <= set(track)
        assert track["artist"] == "Kendrick Lamar"
        assert track["track_id"] == f"kendrick lamar||{track['title'].lower()}"
        assert 0 < track["confidence"] <= 1 and track["preview_url"] is None
        assert track["explanation"] and track["listeners"] > 0
    phases = [p["phase"] for p in data["metadata"]["workflow_execution"]["phases"]]
    assert phases[0] == "planner" and phases[-1] == "judge"
    assert {"discovery_advocate", "genre_mood_advocate"} <= set(phases)
    assert "ignored" in data["metadata"]["chat_context"]
    figures = (await http.get("/music/catalog")).json()["figures"]
    assert figures["tracks"] > 0 and figures["artists"] > 0


async def test_a_token_is_minted_once(http):
    user = Listener(http)
    first = await user.ask("Electronic music", 3)
    response = await user.send("more", 3)
    assert response.status_code == 200
    assert "session_token" not in response.json() and "x-session-token" not in response.headers
    assert response.json()["session_id"] == first["session_id"]


@pytest.mark.parametrize("count", [1, 3, 7, 10])
async def test_max_recommendations_is_honoured(http, count):
    user = Listener(http)
    assert len((await user.ask("Electronic music", count))["recommendations"]) == count
    assert len((await user.ask("more", count))["recommendations"]) == count


async def test_the_default_is_ten(http):
    response = await http.post("/recommendations", json={"query": "hip hop"})
    assert len(response.json()["recommendations"]) == 10


@pytest.mark.parametrize(
    "body",
    [
        {"query": "jazz", "max_recommendations": 0},
        {"query": "jazz", "max_recommendations": 11},
        {"query": ""},
        {"query": "   "},
        {"query": "jazz\x00now"},
        {"query": "x" * 501},
        {"query": "jazz", "session_id": "bad id!"},
    ],
)
async def test_bad_input_is_a_clear_422(http, body):
    response = await http.post("/recommendations", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "INVALID_QUERY"


async def test_a_session_is_only_extended_with_its_token(http):
    user = Listener(http)
    await user.ask("Songs by Aphex Twin", 3)
    for headers in ({}, {"X-Session-Token": "not-the-token"}):
        response = await http.post(
            "/recommendations",
            json={"query": "more", "session_id": user.session_id},
            headers=headers,
        )
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "FORBIDDEN"
    body_token = await http.post(
        "/recommendations",
        json={"query": "more", "session_id": user.session_id, "session_token": user.token},
    )
    assert body_token.status_code == 200
    assert decision_of(body_token.json()) == "load_more"


async def test_a_client_chosen_session_id_is_created_with_a_token(http):
    response = await http.post(
        "/recommendations", json={"query": "jazz", "session_id": "tab-1234-abcd"}
    )
    assert response.status_code == 200
    assert response.json()["session_id"] == "tab-1234-abcd"
    assert response.json()["session_token"]
    header_id = await http.post(
        "/recommendations", json={"query": "jazz"}, headers={"X-Session-ID": "tab-5678-efgh"}
    )
    assert header_id.json()["session_id"] == "tab-5678-efgh"


async def test_the_stream_is_the_same_turn_with_phases(http):
    received = await post_stream(
        http, "/recommendations/stream", {"query": "Songs by Death Grips", "max_recommendations": 4}
    )
    assert received.status_code == 200
    assert_well_formed(received)
    assert received.types[-1] == "complete"
    status = received.of("status")[0]
    assert status["session_token"] == received.headers["x-session-token"]
    phases = [p["phase"] for p in received.of("phase")]
    assert phases[0] == "planner" and phases[-1] == "judge"
    assert {"discovery_advocate", "genre_mood_advocate"} <= set(phases)
    done = {p["phase"] for p in received.of("phase_complete")}
    assert done == {"planner", "discovery_advocate", "genre_mood_advocate", "judge"}
    assert received.of("thought") and received.of("response")
    (result,) = received.of("result")
    assert len(result["recommendations"]) == 4
    assert set(artists_of(result)) == {"Death Grips"}
    assert "session_token" not in result  # never in the event log

    token = {"X-Session-Token": status["session_token"]}
    again = await post_stream(
        http,
        "/recommendations/stream",
        {"query": "more tracks", "max_recommendations": 4, "session_id": status["session_id"]},
        headers=token,
    )
    (more,) = again.of("result")
    assert decision_of(more) == "load_more"
    assert set(artists_of(more)) == {"Death Grips"}
    assert not set(ids_of(more)) & set(ids_of(result))
    stranger = await post_stream(
        http, "/recommendations/stream", {"query": "more", "session_id": status["session_id"]}
    )
    assert stranger.status_code == 403


async def test_planning_returns_the_plan_without_running_it(http, server):
    before = server.call(server.host.sessions.count())
    response = await http.post("/planning", json={"query": "music like Aphex Twin"})
    assert response.status_code == 200
    strategy = response.json()["strategy"]
    assert strategy["intent"] == "artist_similarity"
    assert strategy["anchor"]["artists"] == ["aphex twin"]
    assert strategy["advocates"] == ["discovery_advocate", "genre_mood_advocate"]
    assert strategy["evaluation"]["weights"]["similarity"] > 0
    assert server.call(server.host.sessions.count()) == before

    user = Listener(http)
    await user.ask("Songs by Chief Keef", 3)
    record = server.call(server.host.sessions.get(user.session_id))
    planned = await http.post(
        "/planning", json={"query": "more", "session_id": user.session_id}, headers=user.headers
    )
    assert planned.json()["strategy"]["context_decision"]["decision"] == "load_more"
    assert server.call(server.host.sessions.get(user.session_id)).version == record.version
    stranger = await http.post("/planning", json={"query": "more", "session_id": user.session_id})
    assert stranger.status_code == 403


async def test_history_and_context_need_the_token(http):
    user = Listener(http)
    await user.ask("Songs by Kendrick Lamar", 3)
    await user.ask("more like these", 3)
    for path in ("history", "context"):
        url = f"/sessions/{user.session_id}/{path}"
        assert (await http.get(url)).status_code == 403
        assert (await http.get(url, headers={"X-Session-Token": "wrong"})).status_code == 403
        assert (
            await http.get(f"/sessions/no-such-session/{path}", headers=user.headers)
        ).status_code == 404
    history = (await http.get(f"/sessions/{user.session_id}/history", headers=user.headers)).json()[
        "history"
    ]
    assert [t["query"] for t in history] == ["Songs by Kendrick Lamar", "more like these"]
    assert [t["decision"] for t in history] == ["new_query", "style_continuation"]
    assert all(len(t["track_ids"]) == 3 for t in history)
    summary = await user.context()
    assert summary["last_decision"] == "style_continuation" and summary["shown_count"] == 6
    assert "Songs by" not in str(summary) and "||" not in str(summary)  # redacted


async def test_feedback_changes_later_rankings(http):
    plain, judged = Listener(http), Listener(http)
    first = await plain.ask("Electronic music", 10)
    top = first["recommendations"][0]
    await judged.ask("Songs by Chief Keef", 1)  # a session of its own
    response = await http.post(
        "/feedback",
        headers=judged.headers,
        json={
            "session_id": judged.session_id,
            "track_id": top["track_id"],
            "feedback": "thumbs_down",
        },
    )
    assert response.status_code == 200 and top["artist"] in response.json()["effect"]
    after = await judged.ask("Electronic music", 10)
    assert top["artist"] not in artists_of(after)
    assert top["track_id"] not in ids_of(after)

    liked = first["recommendations"][-1]
    await http.post(
        "/feedback",
        params={
            "session_id": judged.session_id,
            "recommendation_id": liked["track_id"],
            "feedback": "thumbs_up",
        },
        headers=judged.headers,
    )
    artist = await judged.ask(f"Songs by {liked['artist']}", 3)
    control = await plain.ask(f"Songs by {liked['artist']}", 3)
    assert artist["recommendations"][0]["confidence"] >= control["recommendations"][0]["confidence"]
    summary = await judged.context()
    assert summary["feedback"] == {"up": 1, "down": 1}


async def test_feedback_is_checked(http):
    user = Listener(http)
    await user.ask("jazz", 1)
    track = {"session_id": user.session_id, "feedback": "thumbs_up"}
    missing = await http.post(
        "/feedback", json={**track, "track_id": "nobody||nothing"}, headers=user.headers
    )
    assert missing.status_code == 404
    stranger = await http.post("/feedback", json={**track, "track_id": "x||y"})
    assert stranger.status_code == 403
    wrong = await http.post(
        "/feedback", json={**track, "track_id": "x||y", "feedback": "meh"}, headers=user.headers
    )
    assert wrong.status_code == 422


async def test_an_unknown_artist_is_said_first_with_close_names_only(http):
    data = await Listener(http).ask("songs by Wilko", 5)
    understanding = data["metadata"]["query_understanding"]
    assert understanding["unknown_artist"] == "Wilko"
    assert understanding["did_you_mean"] == ["Wilco"]
    assert data["reasoning"][0].startswith("I don't know an artist called 'Wilko'. Did you mean")
    assert data["recommendations"] and data["metadata"]["fallback_used"]
    assert set(artists_of(data)) == {"Wilco"}
    for track in data["recommendations"]:  # a stand-in, never "a track by Wilco, as asked"
        assert "as asked" not in track["explanation"]
        assert "the closest name I know to 'Wilko'" in track["explanation"]


async def test_an_unknown_artist_far_from_every_name_gets_no_suggestions(http):
    data = await Listener(http).ask("songs by Kendrik Lamarr Experience", 5)
    understanding = data["metadata"]["query_understanding"]
    assert understanding["unknown_artist"] == "Kendrik Lamarr Experience"
    assert understanding["did_you_mean"] == []
    first = data["reasoning"][0]
    assert first.startswith("I don't know an artist called 'Kendrik Lamarr Experience'")
    assert "Did you mean" not in " ".join(data["reasoning"])


@pytest.mark.parametrize(("query", "intent", "artists"), INTENT_TABLE)
async def test_every_intent_answers(http, query, intent, artists):
    data = await Listener(http).ask(query, 5)
    assert data["strategy_used"]["intent"] == intent
    assert len(data["recommendations"]) == 5
    if intent in ("by_artist", "artist_genre"):
        assert {t["track_id"].split("||")[0] for t in data["recommendations"]} == set(artists)
    if intent == "artist_similarity":
        assert len(set(artists_of(data))) >= 3


async def test_more_by_an_artist_returns_tracks_by_that_artist(http):
    user = Listener(http)
    await user.ask("Electronic music", 5)
    for phrase, artist in [
        ("more by Aphex Twin", "Aphex Twin"),
        ("more Death Grips tracks", "Death Grips"),
        ("other songs by Chief Keef", "Chief Keef"),
    ]:
        data = await user.ask(phrase, 5)
        assert decision_of(data) == "artist_deep_dive"
        assert set(artists_of(data)) == {artist}


async def test_reset_clears_the_context(http):
    user = Listener(http)
    await user.ask("Songs by Aphex Twin", 3)
    cleared = await user.ask("actually, never mind", 3)
    assert decision_of(cleared) == "reset" and cleared["recommendations"] == []
    assert (await user.context())["anchor"] is None
    fresh = await user.ask("more", 3)
    assert decision_of(fresh) == "fresh_start"
    assert "Aphex Twin" not in artists_of(fresh)


async def test_a_deep_dive_past_the_last_track_says_so(small_engine):
    server = start_server(small_engine)
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            user = Listener(http)
            first = await user.ask("more by Lowlight Quartet", 8)
            assert set(artists_of(first)) == {"Lowlight Quartet"}
            after = await user.ask("more by Lowlight Quartet", 5)
            assert after["recommendations"] and after["metadata"]["fallback_used"]
            assert "Lowlight Quartet" not in artists_of(after)
            assert "Blue Hour Trio" in artists_of(after)
            assert any("every Lowlight Quartet track" in line for line in after["reasoning"])

            gated = await Listener(http).ask("underground dream pop", 5)
            assert "relaxed the novelty filter" in gated["metadata"]["broadened"]
            assert len(gated["recommendations"]) == 5

            narrow = await Listener(http).ask("chamber folk", 10)
            assert any("neighbouring genres" in b for b in narrow["metadata"]["broadened"])
            assert "Lone Wanderer" in artists_of(narrow)
    finally:
        server.stop()


async def test_an_idle_session_treats_more_as_a_fresh_start():
    clock = FakeClock()
    server = start_server(session_idle_ttl=4 * 3600)
    server.host.sessions.clock = clock  # the store's injectable clock drives the context too
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            user = Listener(http)
            first = await user.ask("Songs by Kendrick Lamar", 3)
            clock.advance(29 * 60)
            within = await user.ask("more", 3)
            assert decision_of(within) == "load_more"
            assert set(artists_of(within)) == {"Kendrick Lamar"}
            clock.advance(31 * 60)
            assert (await user.context())["stale"]
            late = await user.ask("more", 3)
            decision = late["metadata"]["context_decision"]
            assert decision["decision"] == "fresh_start" and decision["stale_context"]
            assert "idle for 31 min" in decision["reason"]
            assert late["reasoning"][0] == decision["reason"]
            assert not set(ids_of(late)) & set(ids_of(first) + ids_of(within))
            assert (await user.context())["active"]
    finally:
        server.stop()


async def test_many_interleaved_requests_on_one_session_are_refused_not_mixed(http):
    user = Listener(http)
    await user.ask("Electronic music", 2)
    responses = await asyncio.gather(*(user.send("more", 2) for _ in range(4)))
    codes = sorted(r.status_code for r in responses)
    assert codes[0] == 200 and set(codes) <= {200, 409}
    shown = [t for r in responses if r.status_code == 200 for t in ids_of(r.json())]
    assert len(shown) == len(set(shown))
