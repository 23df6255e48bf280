"""The stored per-session context: compact, round-trips, and never loses concurrent feedback."""

from __future__ import annotations

import json

from booth.apps.music.context import KEY, Anchor, MusicContext, save_feedback, save_turn, summary
from booth.apps.music.models import PoolEntry
from booth.core.sessions.base import update_context
from booth.core.sessions.memory import MemorySessionStore


def sample() -> MusicContext:
    return MusicContext(
        anchor=Anchor(query="Songs by Moth Choir", intent="by_artist", artists=["moth choir"]),
        decision="new_query",
        pool=[
            PoolEntry(track_id="moth choir||moth song 3", score=0.91, source="discovery_advocate")
        ],
        cursor=0,
        shown=["moth choir||moth song 1", "moth choir||moth song 2"],
        last_batch=["moth choir||moth song 1", "moth choir||moth song 2"],
        updated_at=1000.0,
        turns=1,
    )


def test_round_trip_through_the_session_context():
    music = sample()
    stored = json.loads(json.dumps({KEY: music.to_dict(), "other_app": {"x": 1}}))
    assert MusicContext.from_session(stored) == music
    assert MusicContext.from_session({}) == MusicContext()
    assert MusicContext.from_session(None).anchor is None


def test_the_pool_and_shown_set_are_ids_and_scores_only():
    data = sample().to_dict()
    assert data["pool"] == [
        {"track_id": "moth choir||moth song 3", "score": 0.91, "source": "discovery_advocate"}
    ]
    assert all(isinstance(t, str) for t in data["shown"])


async def test_a_turn_never_overwrites_feedback_given_while_it_ran(clock):
    store = MemorySessionStore(clock=clock)
    await store.create("session-one", "hash")
    turn = sample()  # read before the feedback arrived: no feedback in it
    await update_context(
        store, "session-one", save_feedback("moth choir||moth song 1", -1, clock())
    )
    await update_context(store, "session-one", save_turn(turn))
    stored = MusicContext.from_session((await store.get("session-one")).context)
    assert stored.feedback == {"moth choir||moth song 1": -1}
    assert stored.anchor == turn.anchor


async def test_other_apps_keys_are_left_alone(clock):
    store = MemorySessionStore(clock=clock)
    await store.create("session-two", "hash")
    await update_context(store, "session-two", lambda c: {**c, "fitcheck": {"runs": 2}})
    await update_context(store, "session-two", save_turn(sample()))
    assert (await store.get("session-two")).context["fitcheck"] == {"runs": 2}


def test_the_summary_is_redacted_and_knows_staleness():
    music = sample()
    music.feedback = {"moth choir||moth song 1": 1, "x||y": -1}
    fresh = summary(music, now=1000.0 + 60, window=1800)
    assert fresh["active"] and not fresh["stale"]
    assert fresh["anchor"]["artists"] == ["moth choir"]
    assert fresh["pool"] == {"size": 1, "cursor": 0, "remaining": 1, "round": 0}
    assert fresh["shown_count"] == 2 and fresh["feedback"] == {"up": 1, "down": 1}
    text = json.dumps(fresh)
    assert "Songs by Moth Choir" not in text and "moth song" not in text
    stale = summary(music, now=1000.0 + 1801, window=1800)
    assert stale["stale"] and not stale["active"]


def test_a_context_stored_in_the_older_list_shapes_still_reads():
    legacy = {
        KEY: {
            "anchor": {
                "query": "calmer",
                "intent": "by_artist",
                "artists": ["moth choir"],
                "modifiers": [["energy", -1], ["label:rock", 1]],
            },
            "pool": [["moth choir||moth song 3", 0.91, "discovery_advocate"]],
        }
    }
    music = MusicContext.from_session(legacy)
    assert [m.key for m in music.anchor.modifiers] == ["feature:energy", "label:rock"]
    assert music.pool[0].track_id == "moth choir||moth song 3"


def test_a_context_that_no_longer_validates_starts_fresh():
    broken = {KEY: {"anchor": {"query": "x", "intent": "no_such_intent"}, "pool": "nonsense"}}
    assert MusicContext.from_session(broken) == MusicContext()
