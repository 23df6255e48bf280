"""The follow-up resolver: every phrase of the issue, with and without a live context."""

from __future__ import annotations

import pytest

from booth.apps.music.context import Anchor, MusicContext
from booth.apps.music.models import DecisionKind, Refinement

NOW = 1_700_000_000.0
WINDOW = 30 * 60

LOAD_MORE = [
    "more",
    "more tracks",
    "show more",
    "give me more",
    "keep going",
    "next",
    "More tracks please",
    "ok, more",
    "Show me more songs!",
]
DEEP_DIVE = {
    "more from this artist": "kendrick lamar",
    "more by Aphex Twin": "aphex twin",
    "more Death Grips tracks": "death grips",
    "other songs by Chief Keef": "chief keef",
    "deep dive into BROCKHAMPTON": "brockhampton",
    "more Kendrick Lamar": "kendrick lamar",
}
STYLE = [
    "more like this",
    "more like that",
    "more like these",
    "similar to these",
    "keep this vibe",
    "continue this style",
]
F = Refinement.of_feature
L = Refinement.of_label
REFINEMENT = {
    "similar but more upbeat": [F("valence", 1), F("energy", 1)],
    "like these but more electronic": [L("electronic", 1)],
    "less electronic, more acoustic": [L("electronic", -1)],
    "more like this but heavier": [F("energy", 1)],
}
VARIATION = ["something different", "let's try something completely different"]
RESET = ["actually, never mind", "start over", "forget that"]


def live_context(catalog, anchor: Anchor | None = None) -> MusicContext:
    anchor = anchor or Anchor(
        query="Songs by Kendrick Lamar", intent="by_artist", artists=["kendrick lamar"]
    )
    batch = (
        [t.track_id for t in catalog.tracks_by(anchor.artists[0])[:5]]
        if anchor.artists
        else [t.track_id for t in catalog.tracks_labelled(anchor.genres[0])[:5]]
    )
    return MusicContext(
        anchor=anchor,
        decision="new_query",
        shown=list(batch),
        last_batch=batch,
        updated_at=NOW - 60,
        turns=1,
    )


def resolve(engine, query, music):
    understanding = engine.planner.understand(query)
    return engine.resolver.resolve(query, understanding, music, now=NOW, window=WINDOW)


def test_the_kinds_are_the_documented_ones():
    assert {k.value for k in DecisionKind} == {
        "new_query",
        "load_more",
        "artist_deep_dive",
        "style_continuation",
        "refinement",
        "variation",
        "reset",
        "fresh_start",
    }


@pytest.mark.parametrize("phrase", LOAD_MORE)
def test_load_more_phrases_continue_the_same_anchor(engine, catalog, phrase):
    music = live_context(catalog)
    decision = resolve(engine, phrase, music)
    assert decision.kind == "load_more", decision
    assert decision.anchor == music.anchor and not decision.new_topic


@pytest.mark.parametrize(("phrase", "artist"), DEEP_DIVE.items())
def test_deep_dive_phrases_ask_for_tracks_by_the_artist(engine, catalog, phrase, artist):
    decision = resolve(engine, phrase, live_context(catalog))
    assert decision.kind == "artist_deep_dive", decision
    assert decision.anchor.artists == [artist]
    assert decision.anchor.intent == "by_artist" and decision.anchor.deep_dive


@pytest.mark.parametrize("phrase", STYLE)
def test_style_phrases_continue_from_the_last_tracks(engine, catalog, phrase):
    music = live_context(catalog)
    decision = resolve(engine, phrase, music)
    assert decision.kind == "style_continuation", decision
    assert decision.anchor.seeds == music.last_batch
    assert decision.anchor.artists == ["kendrick lamar"]
    assert decision.anchor.intent in ("hybrid_similarity_genre", "artist_similarity")


@pytest.mark.parametrize(("phrase", "expected"), REFINEMENT.items())
def test_refinements_keep_the_anchor_and_add_directions(engine, catalog, phrase, expected):
    music = live_context(catalog)
    decision = resolve(engine, phrase, music)
    assert decision.kind == "refinement", decision
    for modifier in expected:
        assert modifier in decision.anchor.modifiers
    assert decision.anchor.artists == music.anchor.artists
    assert decision.anchor.seeds == music.last_batch


def test_less_and_more_in_one_refinement(engine, catalog):
    decision = resolve(engine, "less electronic, more acoustic", live_context(catalog))
    ups = [m for m in decision.anchor.modifiers if m.up]
    assert ups and all(m.label is not None for m in ups)
    assert L("electronic", -1) in decision.anchor.modifiers


def test_a_refinement_drops_a_genre_the_user_wants_less_of(engine, catalog):
    anchor = Anchor(query="Electronic music", intent="genre_mood", genres=["electronic"])
    decision = resolve(engine, "less electronic, more acoustic", live_context(catalog, anchor))
    assert decision.kind == "refinement"
    assert "electronic" not in decision.anchor.genres


def test_more_of_the_genre_already_asked_for_is_the_next_page(engine, catalog):
    anchor = Anchor(query="Electronic music", intent="genre_mood", genres=["electronic"])
    decision = resolve(engine, "more electronic tracks", live_context(catalog, anchor))
    assert decision.kind == "load_more"


@pytest.mark.parametrize("phrase", VARIATION)
def test_variation_moves_away_from_what_was_heard(engine, catalog, phrase):
    decision = resolve(engine, phrase, live_context(catalog))
    assert decision.kind == "variation", decision
    assert decision.anchor.intent == "discovering_serendipity"
    assert "hip hop" in decision.anchor.avoid_genres


@pytest.mark.parametrize("phrase", RESET)
def test_reset_phrases_clear_the_context(engine, catalog, phrase):
    decision = resolve(engine, phrase, live_context(catalog))
    assert decision.kind == "reset" and decision.anchor is None


def test_reset_followed_by_a_request_is_that_request(engine, catalog):
    decision = resolve(engine, "actually never mind, play some jazz", live_context(catalog))
    assert decision.kind == "new_query"
    assert decision.anchor.genres == ["jazz"]


@pytest.mark.parametrize("phrase", LOAD_MORE[:3] + STYLE[:2] + list(REFINEMENT)[:2] + VARIATION)
def test_without_context_a_follow_up_is_a_fresh_start_and_says_so(engine, phrase):
    decision = resolve(engine, phrase, MusicContext())
    assert decision.kind == "fresh_start", decision
    assert "nothing earlier" in decision.reason and not decision.stale


def test_a_named_deep_dive_needs_no_context(engine):
    decision = resolve(engine, "more by Aphex Twin", MusicContext())
    assert decision.kind == "artist_deep_dive" and decision.anchor.artists == ["aphex twin"]


def test_an_idle_session_starts_fresh_when_asked_for_more(engine, catalog):
    music = live_context(catalog)
    music.updated_at = NOW - WINDOW - 120
    decision = resolve(engine, "more", music)
    assert decision.kind == "fresh_start" and decision.stale
    assert "idle for 32 min" in decision.reason and "30-min" in decision.reason
    music.updated_at = NOW - WINDOW + 60
    assert resolve(engine, "more", music).kind == "load_more"


def test_a_new_request_replaces_the_anchor(engine, catalog):
    decision = resolve(engine, "Jazz for studying", live_context(catalog))
    assert decision.kind == "new_query" and decision.new_topic
    assert decision.anchor.intent == "contextual" and decision.anchor.activities == ["studying"]


def test_this_artist_falls_back_to_the_last_tracks_when_the_anchor_has_none(engine, catalog):
    anchor = Anchor(query="Electronic music", intent="genre_mood", genres=["electronic"])
    music = live_context(catalog, anchor)
    decision = resolve(engine, "more from this artist", music)
    assert decision.kind == "artist_deep_dive"
    first_artists = {catalog.tracks[t].artist_key for t in music.last_batch}
    assert decision.anchor.artists[0] in first_artists


def test_the_decision_explains_itself(engine, catalog):
    music = live_context(catalog)
    meta = resolve(engine, "more tracks", music).metadata(music.anchor)
    assert meta["decision"] == "load_more" and meta["previous_intent"] == "by_artist"
    assert "Kendrick Lamar" in meta["reason"] and meta["phrase"] == "more tracks"
