"""The planner: every intent, entities, fuzzy artist names and 'did you mean'."""

from __future__ import annotations

import difflib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from music_helpers import INTENT_TABLE

from booth.apps.music.intents import (
    INTENTS,
    SUGGEST_MIN_RATIO,
    ArtistIndex,
    Planner,
    edit_distance,
    edit_limit,
    simplify,
)


@pytest.fixture(scope="module")
def planner(catalog) -> Planner:
    return Planner(catalog)


def test_the_table_covers_every_intent():
    assert {intent for _, intent, _ in INTENT_TABLE} == set(INTENTS)


@pytest.mark.parametrize(("query", "intent", "artists"), INTENT_TABLE)
def test_intent_and_artists(planner, query, intent, artists):
    understood = planner.understand(query)
    assert understood.intent == intent, understood
    assert understood.artists == artists


@pytest.mark.parametrize(
    ("query", "field", "expected"),
    [
        ("Electronic music", "genres", "electronic"),
        ("sad r&b", "genres", "r&b"),
        ("sad r&b", "moods", "sad"),
        ("chill hip-hop beats", "genres", "hip hop"),
        ("chill hip-hop beats", "moods", "chill"),
        ("Jazz for studying", "genres", "jazz"),
        ("Jazz for studying", "activities", "studying"),
        ("music for coding", "activities", "coding"),
        ("gym workout", "activities", "workout"),
        ("bedtime sleep music", "activities", "sleep"),
        ("driving at night", "activities", "driving"),
        ("house party", "activities", "party"),
    ],
)
def test_entities(planner, query, field, expected):
    assert expected in getattr(planner.understand(query), field)


def test_decades_become_a_year_range(planner):
    assert planner.understand("80s synth-pop").era == (1980, 1989)
    assert planner.understand("hip hop from the 1990s").era == (1990, 1999)
    assert planner.understand("Electronic music").era is None


@pytest.mark.parametrize(
    ("typed", "artist"),
    [
        ("songs by radiohed", "radiohead"),
        ("KENDRIK LAMAR", "kendrick lamar"),
        ("mkgee", "mk.gee"),
        ("beatles songs", "the beatles"),
        ("Songs by Beatles", "the beatles"),
        ("tracks by aphex twinn", "aphex twin"),
        ("brockhampton", "brockhampton"),
    ],
)
def test_artist_names_survive_typos_and_case(planner, typed, artist):
    understood = planner.understand(typed)
    assert understood.artists == [artist], understood


def test_a_typo_is_reported_as_a_correction(planner):
    understood = planner.understand("songs by radiohed")
    assert understood.corrections == {"radiohed": "Radiohead"}
    assert understood.confidence < 1.0


def test_an_unknown_artist_gets_suggestions_only_within_a_typo(planner):
    understood = planner.understand("songs by Opath")
    assert understood.artists == []
    assert understood.unknown_artist == "Opath"
    assert understood.suggestions == ["Opeth"]
    assert understood.intent == "by_artist"
    far = planner.understand("songs by Death Gribs Orchestra")
    assert far.unknown_artist == "Death Gribs Orchestra" and far.suggestions == []
    # Morrisey is not in the catalog, and no artist there is a typo away from it
    assert planner.understand("songs by Morrisey").suggestions == []


def _close_by_scanning(index: ArtistIndex, phrase: str) -> set[str]:
    """The artists a typo away from `phrase`, found by measuring every name in the catalog."""
    simple = simplify(phrase).removeprefix("the ")
    limit = edit_limit(simple)
    typed = {simple, simple.replace(" ", "")}
    return {
        index.exact[name]
        for name in index.names
        if any(edit_distance(form, name, limit) <= limit for form in typed)
        and difflib.SequenceMatcher(None, simple, name).ratio() >= SUGGEST_MIN_RATIO
    }


_EDITS = st.lists(
    st.tuples(st.sampled_from("dis"), st.integers(0, 40), st.sampled_from("aeiorstn ")),
    max_size=3,
)


@settings(max_examples=150, deadline=None)
@given(name=st.integers(0, 10_000), edits=_EDITS)
def test_fuzzy_matching_finds_what_measuring_every_name_finds(planner, name, edits):
    """The bigram index behind fuzzy lookup never loses an artist within a typo's reach."""
    typed = list(planner.artists.names[name % len(planner.artists.names)])
    for kind, at, letter in edits:
        at %= len(typed) + 1
        if kind == "d" and at < len(typed):
            del typed[at]
        elif kind == "i":
            typed.insert(at, letter)
        elif at < len(typed):
            typed[at] = letter
    phrase = "".join(typed)
    if not simplify(phrase):
        return
    found = planner.artists.close(phrase, n=len(planner.artists.names))
    assert {key for key, _ in found} == _close_by_scanning(planner.artists, phrase)
    assert [r for _, r in found] == sorted((r for _, r in found), reverse=True)


@pytest.mark.parametrize(
    ("spellings", "genres"),
    [
        (("synthpop", "synth-pop", "synth pop", "Synth Pop"), ["synth pop"]),
        (("hiphop", "hip-hop", "hip hop"), ["hip hop"]),
        (("rnb", "r&b", "R&B", "r and b"), ["r&b"]),
        (("dnb", "drum and bass", "drum & bass", "drum n bass"), ["drum and bass"]),
        (("trip-hop", "trip hop", "triphop"), ["trip hop"]),
    ],
)
def test_genre_spellings_and_synonyms_resolve_alike(planner, spellings, genres):
    for spelling in spellings:
        assert planner.understand(f"{spelling} music").genres == genres, spelling


def test_a_genre_the_catalog_names_itself_is_read_as_itself(planner, catalog):
    # "rhythm and blues" is a synonym of r&b, but the catalog files Etta James under it: the
    # catalog's own genre wins over the synonym's target.
    assert catalog.genre_counts.get("rhythm and blues")
    assert planner.understand("rhythm and blues music").genres == ["rhythm and blues"]


@pytest.mark.parametrize("query", ["the band that made OK Computer", "a duo like that rapper"])
def test_words_for_who_performs_are_never_read_as_genres(planner, catalog, query):
    assert {"band", "duo", "rapper"} <= set(catalog.tag_counts)  # tags in the data, not styles
    assert planner.understand(query).genres == []


@pytest.mark.parametrize("decade", ["80s", "1980s", "'80s", "eighties", "80's"])
def test_decades_in_any_spelling(planner, decade):
    understood = planner.understand(f"{decade} synthpop")
    assert understood.era == (1980, 1989) and understood.genres == ["synth pop"]


def test_everyday_words_are_not_taken_for_artists(planner):
    # "Air" and "Future" are artists, but not in these sentences
    assert planner.understand("electronic music with air and space").artists == []
    assert planner.understand("Electronic music").artists == []
    assert planner.understand("more tracks").artists == []


def test_nothing_recognisable_reads_as_serendipity(planner):
    understood = planner.understand("hello there")
    assert understood.intent == "discovering_serendipity"
    assert understood.confidence < 1.0 and not understood.has_entities


def test_simplify_drops_accents_and_punctuation():
    assert simplify("Beyoncé — Mk.gee & R&B!") == "beyonce mk gee & r & b"
