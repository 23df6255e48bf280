"""Feedback can be taken back: a neutral value removes a track's earlier thumbs for the session.

The UI's Undo of a like or a dislike is this value. Once cleared, the session ranks and
continues as if the thumbs had never been given: the artist no longer sinks (or rises), the
count of feedback drops, and "more like these" continues from the track again. The seed's
values (`thumbs_up`, `thumbs_down`, `up`, `down`, `like`, `dislike`) keep working unchanged.
"""

from __future__ import annotations

import httpx
import pytest
from music_helpers import Listener, decision_of

NEUTRAL = ("neutral", "clear")
SEED_VALUES = {
    "thumbs_up": 1,
    "up": 1,
    "like": 1,
    "thumbs_down": -1,
    "down": -1,
    "dislike": -1,
}


async def give(http: httpx.AsyncClient, user: Listener, track_id: str, value: str, *, form=False):
    """One feedback, as a JSON body or (form=True) as the seed's query parameters."""
    fields = {"session_id": user.session_id, "feedback": value}
    if form:
        response = await http.post(
            "/feedback", params={**fields, "recommendation_id": track_id}, headers=user.headers
        )
    else:
        response = await http.post(
            "/feedback", json={**fields, "track_id": track_id}, headers=user.headers
        )
    assert response.status_code == 200, response.text
    return response.json()


async def history(http: httpx.AsyncClient, user: Listener) -> list[dict]:
    response = await http.get(f"/sessions/{user.session_id}/history", headers=user.headers)
    assert response.status_code == 200, response.text
    return [t for t in response.json()["history"] if "feedback" in t]


def confidences(result: dict) -> list[tuple[str, float]]:
    return [(t["track_id"], t["confidence"]) for t in result["recommendations"]]


@pytest.mark.parametrize("value", SEED_VALUES)
async def test_the_seeds_values_still_count_as_before(http, value):
    user = Listener(http)
    track = (await user.ask("Electronic music", 1))["recommendations"][0]
    answer = await give(http, user, track["track_id"], value)
    expected = "thumbs_up" if SEED_VALUES[value] > 0 else "thumbs_down"
    assert answer["feedback"] == expected
    summary = (await user.context())["feedback"]
    assert summary == {"up": int(SEED_VALUES[value] > 0), "down": int(SEED_VALUES[value] < 0)}


@pytest.mark.parametrize("neutral", NEUTRAL)
@pytest.mark.parametrize("form", [False, True], ids=["json", "query"])
async def test_a_neutral_value_takes_back_a_like_or_a_dislike(http, neutral, form):
    user = Listener(http)
    first = (await user.ask("Electronic music", 10))["recommendations"]
    disliked = first[0]
    liked = next(t for t in first if t["artist"] != disliked["artist"])
    await give(http, user, disliked["track_id"], "thumbs_down")
    await give(http, user, liked["track_id"], "thumbs_up")
    assert (await user.context())["feedback"] == {"up": 1, "down": 1}

    cleared = await give(http, user, disliked["track_id"], neutral, form=form)
    assert cleared["feedback"] == "neutral" and cleared["track_id"] == disliked["track_id"]
    assert "thumbs-down" in cleared["effect"] and disliked["artist"] in cleared["effect"]
    assert (await user.context())["feedback"] == {"up": 1, "down": 0}
    cleared = await give(http, user, liked["track_id"], neutral, form=form)
    assert "thumbs-up" in cleared["effect"]
    assert (await user.context())["feedback"] == {"up": 0, "down": 0}

    again = await give(http, user, liked["track_id"], neutral, form=form)  # nothing left to clear
    assert again["feedback"] == "neutral" and "no feedback" in again["effect"]
    assert [t["feedback"] for t in await history(http, user)] == [
        "thumbs_down",
        "thumbs_up",
        "neutral",
        "neutral",
        "neutral",
    ]


async def test_after_a_cleared_dislike_the_artist_ranks_as_if_it_was_never_given(http):
    """Three sessions see the same pages; one dislikes a track, one dislikes it and clears it."""
    control, kept, undone = Listener(http), Listener(http), Listener(http)
    pages = [await user.ask("Electronic music", 10) for user in (control, kept, undone)]
    track = pages[0]["recommendations"][0]
    assert all(p["recommendations"][0]["track_id"] == track["track_id"] for p in pages)
    for user in (kept, undone):
        await give(http, user, track["track_id"], "thumbs_down")
    await give(http, undone, track["track_id"], "neutral")

    ask = f"Songs by {track['artist']}"
    plain, sunk, back = [await user.ask(ask, 5) for user in (control, kept, undone)]
    assert confidences(back) == confidences(plain)
    assert sunk["recommendations"][0]["confidence"] < plain["recommendations"][0]["confidence"]


async def test_after_a_cleared_like_the_artist_no_longer_rises(http):
    control, kept, undone = Listener(http), Listener(http), Listener(http)
    pages = [await user.ask("Electronic music", 10) for user in (control, kept, undone)]
    track = pages[0]["recommendations"][-1]
    for user in (kept, undone):
        await give(http, user, track["track_id"], "thumbs_up")
    await give(http, undone, track["track_id"], "clear")

    ask = f"Songs by {track['artist']}"
    plain, risen, back = [await user.ask(ask, 5) for user in (control, kept, undone)]
    assert confidences(back) == confidences(plain)
    assert risen["recommendations"][0]["confidence"] > plain["recommendations"][0]["confidence"]


async def test_more_like_these_continues_from_a_track_again_once_its_dislike_is_cleared(http):
    kept, undone = Listener(http), Listener(http)
    pages = [await user.ask("Songs by Radiohead", 6) for user in (kept, undone)]
    track = pages[0]["recommendations"][0]
    for user in (kept, undone):
        await give(http, user, track["track_id"], "thumbs_down")
    await give(http, undone, track["track_id"], "neutral")

    without, with_it = [await user.ask("More like these", 6) for user in (kept, undone)]
    assert decision_of(without) == decision_of(with_it) == "style_continuation"
    assert "from your last 5 tracks" in " ".join(without["reasoning"])  # not from a disliked one
    assert "from your last 6 tracks" in " ".join(with_it["reasoning"])
