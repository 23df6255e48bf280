"""The bundled catalog files are sound: every record parses, nothing is listed twice, every link
and track points at an artist the catalog has, and the best-known artists are covered in depth.

The files are read with the catalog's own readers, file by file, before `build_catalog` merges
duplicates and drops dangling links, so a flaw in the data cannot be hidden by the merge.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest

from booth.apps.music.catalog import (
    BUNDLED_DIR,
    Artist,
    Track,
    catalog_files,
    read_artists_file,
    read_tracks_file,
)

MIN_SIMILAR_LINKS = 5  # every artist leads somewhere for "music like X"
TOP_ARTISTS = 100  # the best-known artists (by listeners) ...
MIN_TRACKS_OF_TOP_ARTIST = 40  # ... have enough tracks for "more by X", page after page
ARTIST_FILES, TRACK_FILES = catalog_files(BUNDLED_DIR)
PROBLEMS: list[str] = []
ARTISTS: list[Artist] = [a for p in ARTIST_FILES for a in read_artists_file(p, PROBLEMS)]
TRACKS: list[Track] = [t for p in TRACK_FILES for t in read_tracks_file(p, PROBLEMS)]
KEYS = {a.key for a in ARTISTS}


def test_the_bundled_folder_holds_artists_and_tracks_files():
    assert ARTIST_FILES and TRACK_FILES


def test_every_record_parses_with_its_numbers_in_range():
    # the readers skip and describe a bad row or entry: year, popularity, energy, valence,
    # tempo or a similar-artist weight out of range, a missing name or title
    assert PROBLEMS == []


def test_no_artist_is_listed_twice():
    twice = [key for key, n in Counter(a.key for a in ARTISTS).items() if n > 1]
    assert twice == []


def test_every_artist_has_genres_tags_and_listeners():
    assert [a.name for a in ARTISTS if not (a.genres and a.tags and a.listeners > 0)] == []


def test_every_similar_link_points_at_another_catalog_artist():
    dangling = [(a.name, k) for a in ARTISTS for k, _ in a.similar if k not in KEYS or k == a.key]
    assert dangling == []


def test_every_artist_links_to_at_least_five_similar_artists():
    few = [(a.name, len(a.similar)) for a in ARTISTS if len(a.similar) < MIN_SIMILAR_LINKS]
    assert few == []


def test_no_track_is_listed_twice():
    twice = [tid for tid, n in Counter(t.track_id for t in TRACKS).items() if n > 1]
    assert twice == []


def test_every_track_is_by_a_catalog_artist():
    assert sorted({t.artist for t in TRACKS if t.artist_key not in KEYS}) == []


def test_every_track_carries_its_own_facts():
    incomplete = [
        t.track_id
        for t in TRACKS
        if not (t.album and t.genres and t.moods and t.tags)
        or None in (t.energy, t.valence, t.tempo)
    ]
    assert incomplete == []


def test_no_track_is_from_the_future():
    this_year = date.today().year
    assert [t.track_id for t in TRACKS if t.year is not None and t.year > this_year] == []


def test_the_best_known_artists_have_enough_tracks():
    per_artist = Counter(t.artist_key for t in TRACKS)
    top = sorted(ARTISTS, key=lambda a: -a.listeners)[:TOP_ARTISTS]
    thin = [
        (a.name, per_artist[a.key]) for a in top if per_artist[a.key] < MIN_TRACKS_OF_TOP_ARTIST
    ]
    assert len(top) == TOP_ARTISTS and thin == []


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"name": "A", "similar": [{"name": "B", "weight": 1.5}]}, "outside 0–1"),
        ({"name": ""}, "without a name"),
    ],
)
def test_the_reader_describes_a_bad_artist_entry_and_skips_it(tmp_path, entry, problem):
    path = tmp_path / "artists_bad.json"
    path.write_text(json.dumps([{"name": "Fine"}, entry]), encoding="utf-8")
    problems: list[str] = []
    assert [a.name for a in read_artists_file(path, problems)] == ["Fine"]
    assert len(problems) == 1 and problem in problems[0] and "artists_bad.json[1]" in problems[0]
