"""The two advocates on the small catalog: what each proposes, and how depth widens it."""

from __future__ import annotations

from booth.apps.music import advocates
from booth.apps.music.context import Anchor


def artists(catalog, proposal) -> set[str]:
    return {catalog.tracks[t].artist for t in proposal.track_ids}


def test_discovery_walks_the_similar_artist_graph(small):
    anchor = Anchor(
        query="music like Velvet Lanterns", intent="artist_similarity", artists=["velvet lanterns"]
    )
    proposal = advocates.discovery(small, anchor, set())
    assert {"Glass Harbor", "Moth Choir", "Static Bloom"} <= artists(small, proposal)
    assert "Circuit Saint" not in artists(small, proposal)
    assert proposal.advocate == "discovery_advocate" and proposal.notes


def test_an_artist_request_stays_with_the_artist_until_it_is_exhausted(small):
    anchor = Anchor(query="songs by Moth Choir", intent="by_artist", artists=["moth choir"])
    assert artists(small, advocates.discovery(small, anchor, set())) == {"Moth Choir"}
    widened = advocates.discovery(small, anchor, set(), depth=1)
    assert {"Moth Choir", "Velvet Lanterns", "Static Bloom"} <= artists(small, widened)
    assert advocates.genre_mood(small, anchor, set()).track_ids == []


def test_discovery_of_a_genre_prefers_lesser_known_artists(small):
    anchor = Anchor(query="underground shoegaze", intent="discovery", genres=["shoegaze"])
    found = artists(small, advocates.discovery(small, anchor, set()))
    assert found and found <= {"Moth Choir", "Static Bloom"}


def test_genre_mood_reads_labels_and_neighbouring_genres_when_widened(small):
    anchor = Anchor(query="shoegaze", intent="genre_mood", genres=["shoegaze"])
    narrow = artists(small, advocates.genre_mood(small, anchor, set()))
    assert narrow == {"Velvet Lanterns", "Moth Choir", "Static Bloom"}
    wide = artists(small, advocates.genre_mood(small, anchor, set(), depth=1))
    assert "Glass Harbor" in wide  # dream pop, next to shoegaze


def test_genre_mood_finds_tracks_whose_energy_suits_an_activity(small):
    anchor = Anchor(query="music for sleep", intent="contextual", activities=["sleep"])
    proposal = advocates.genre_mood(small, anchor, set())
    energies = [
        small.tracks[t].energy for t in proposal.track_ids if small.tracks[t].energy is not None
    ]
    assert energies and sum(e <= 0.35 for e in energies) / len(energies) > 0.6
    assert any("suit sleep" in note for note in proposal.notes)


def test_advocates_never_propose_excluded_tracks(small):
    anchor = Anchor(query="shoegaze", intent="genre_mood", genres=["shoegaze"])
    exclude = {t.track_id for t in small.tracks_labelled("shoegaze")[:10]}
    for advocate in (advocates.discovery, advocates.genre_mood):
        assert not set(advocate(small, anchor, exclude).track_ids) & exclude


def test_serendipity_leaves_avoided_genres_out_and_varies_with_the_salt(small):
    avoid = ["techno", "ambient", "electronic"]
    first = Anchor(
        query="surprise me", intent="discovering_serendipity", avoid_genres=avoid, salt=1
    )
    proposals = [
        advocates.discovery(small, first, set(), salt="s"),
        advocates.genre_mood(small, first, set(), salt="s"),
    ]
    for proposal in proposals:
        for track_id in proposal.track_ids:
            assert not set(small.genres_of(small.tracks[track_id])) & set(avoid)
    second = Anchor(query="surprise me", intent="discovering_serendipity", salt=2)
    one = advocates.discovery(
        small, Anchor(query="surprise me", intent="discovering_serendipity", salt=1), set()
    )
    two = advocates.discovery(small, second, set())
    assert one.track_ids != two.track_ids
    assert advocates.discovery(small, second, set()).track_ids == two.track_ids
