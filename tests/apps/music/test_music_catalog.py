"""The catalog loader and its indexes, on a small tmp catalog and on the bundled data."""

from __future__ import annotations

import json

import pytest

from booth.apps.music.catalog import (
    BUNDLED_DIR,
    Artist,
    Catalog,
    Track,
    build_catalog,
    load_catalog,
    make_track_id,
    overlay,
    read_tracks_file,
    shared_catalog,
)

SEED_ARTISTS = [
    "Mk.gee",
    "Radiohead",
    "The Beatles",
    "Kendrick Lamar",
    "BROCKHAMPTON",
    "Michael Jackson",
    "Aphex Twin",
    "Bon Iver",
    "Max Richter",
    "Death Grips",
    "Chief Keef",
    "Taylor Swift",  # missing from the first catalog (issue 13)
    "Björk",
]


def test_track_ids_are_normalised_artist_and_title():
    assert make_track_id("  Mk.gee ", "Are You Looking  Up") == "mk.gee||are you looking up"
    assert make_track_id("BROCKHAMPTON", "SUGAR") == "brockhampton||sugar"


def test_small_catalog_loads_every_file_and_indexes_it(small):
    assert small.figures()["artists"] == 13  # 12 from the artists file + 1 known only by a track
    assert len(small.tracks) == 12 * 8 + 1
    lanterns = small.artist("velvet lanterns")
    assert lanterns.name == "Velvet Lanterns" and lanterns.listeners == 900_000
    # the link to an artist outside the catalog is dropped, the rest kept strongest first
    assert [k for k, _ in lanterns.similar] == ["glass harbor", "moth choir", "static bloom"]
    by = small.tracks_by("velvet lanterns")
    assert [t.popularity for t in by] == sorted((t.popularity for t in by), reverse=True)
    assert {t.artist for t in small.tracks_labelled("shoegaze")} == {
        "Velvet Lanterns",
        "Moth Choir",
        "Static Bloom",
    }
    assert small.tracks_labelled("Dream-Pop") == small.tracks_labelled("dream pop")


def test_an_artist_known_only_from_tracks_is_built_from_them(small):
    wanderer = small.artist("Lone Wanderer")
    assert wanderer.genres == ("folk",) and wanderer.listeners == 0 and wanderer.similar == ()
    track = small.track("lone wanderer||unmapped road")
    assert track.energy is None and track.year is None


def test_listener_rank_orders_artists_from_least_to_most_heard(small):
    assert small.listener_rank("circuit saint") == 1.0
    assert small.listener_rank("lone wanderer") == 0.0
    assert small.listener_rank("moth choir") < small.listener_rank("glass harbor")


def test_neighbour_genres_come_from_artists_that_share_them(small):
    neighbours = [g for g, _ in small.neighbour_genres("shoegaze")]
    assert "dream pop" in neighbours and "noise rock" in neighbours
    assert "jazz" not in neighbours


def _links_pointing_at(catalog: Catalog, target: str) -> list[tuple[str, float]]:
    """The slow way: every artist's similar links, read one by one."""
    return sorted(
        (key, weight)
        for key, artist in catalog.artists.items()
        for linked, weight in artist.similar
        if linked == target
    )


def test_links_pointing_at_an_artist_are_indexed_in_an_overlay_too(small):
    extra = build_catalog(
        [
            Artist("Paper Rivers", "paper rivers", similar=(("velvet lanterns", 0.4),)),
            # an artist both know: the overlay's record adds a link, base's links stay
            Artist("Moth Choir", "moth choir", similar=(("paper rivers", 0.5),)),
            Artist("Velvet Lanterns", "velvet lanterns", source="lastfm"),
        ],
        [Track("paper rivers||flood", "Flood", "Paper Rivers", "paper rivers", source="lastfm")],
    )
    layered = overlay(small, extra)
    assert ("paper rivers", 0.4) in layered.linked_from("velvet lanterns")
    assert ("moth choir", 0.5) in layered.linked_from("paper rivers")
    for catalog in (small, layered):
        for key in catalog.artists:
            assert sorted(catalog.linked_from(key)) == _links_pointing_at(catalog, key), key


def test_later_files_win_field_by_field_and_bad_rows_are_skipped(small_dir, tmp_path):
    user = tmp_path / "user"
    user.mkdir()
    (user / "tracks_user.csv").write_text(
        "artist,title,album,year,genres,moods,tags,popularity,energy,valence,tempo\n"
        "velvet lanterns,Velvet Song 1,,,,,,99,,,\n"
        "Nobody,Broken,,not-a-year,,,,,,,\n"
        "Nobody,Too Loud,,,,,,,2.5,,\n",
        encoding="utf-8",
    )
    (user / "artists_user.json").write_text(
        json.dumps(
            [
                {
                    "name": "Velvet Lanterns",
                    "genres": ["slowcore"],
                    "tags": [],
                    "listeners": 5,
                    "similar": [{"name": "Paper Rivers", "weight": 0.3}],
                }
            ]
        ),
        encoding="utf-8",
    )
    errors: list[str] = []
    assert read_tracks_file(user / "tracks_user.csv", errors) != []
    assert len(errors) == 2 and "tracks_user.csv:3" in errors[0]

    merged = load_catalog(small_dir, user)
    track = merged.track("velvet lanterns||velvet song 1")
    assert track.popularity == 99  # the user's value
    assert track.album == "Velvet Lanterns LP1" and track.genres == ("dream pop", "shoegaze")
    artist = merged.artist("Velvet Lanterns")
    assert artist.genres == ("dream pop", "shoegaze", "slowcore")
    assert artist.listeners == 900_000  # the larger count is kept
    assert ("paper rivers", 0.3) in artist.similar


def test_shared_catalog_is_loaded_once_and_reloaded_after_an_import(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOTH_MUSIC_CATALOG", str(tmp_path / "mine"))
    first = shared_catalog(tmp_path)
    assert shared_catalog(tmp_path) is first
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "tracks_user.csv").write_text(
        "artist,title,genres\nHome Taper,Kitchen Demo,lo-fi\n", encoding="utf-8"
    )
    second = shared_catalog(tmp_path)
    assert second is not first
    assert second.track("home taper||kitchen demo").genres == ("lo fi",)


# -- the bundled catalog ---------------------------------------------------------------------
def test_bundled_catalog_has_the_promised_breadth(catalog):
    figures = catalog.figures()
    assert figures["artists"] >= 1000, figures  # the spec's breadth (issue 13)
    assert figures["tracks"] >= 15000, figures
    assert figures["genres"] >= 30, figures
    listeners = sorted(a.listeners for a in catalog.artists.values())
    assert listeners[0] < 100_000 < 1_000_000 < listeners[-1]  # mainstream to underground


@pytest.mark.parametrize("name", SEED_ARTISTS)
def test_bundled_catalog_has_the_seed_artists(catalog, name):
    artist = catalog.artist(name)
    assert artist is not None, name
    assert artist.genres and catalog.tracks_by(artist.key)


def test_the_bundled_folder_is_the_one_loaded(catalog):
    assert all(str(BUNDLED_DIR) in source for source in catalog.sources)


def test_links_pointing_at_an_artist_are_indexed(catalog):
    for key in catalog.artists:
        assert sorted(catalog.linked_from(key)) == _links_pointing_at(catalog, key), key


def test_a_track_keeps_its_own_genres_not_its_artists(catalog):
    radiohead = catalog.artist("Radiohead")
    creep = catalog.track(make_track_id("Radiohead", "Creep"))
    assert radiohead is not None and creep is not None
    assert "electronic" in radiohead.genres and "electronic" not in creep.genres
    assert creep not in catalog.tracks_labelled("electronic")
    assert all("electronic" in t.labels for t in catalog.tracks_labelled("electronic"))
