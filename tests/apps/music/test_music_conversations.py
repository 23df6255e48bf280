"""Conversations against a real server: the seed's §6.1 scenarios, paging, every follow-up."""

from __future__ import annotations

import asyncio

import pytest
from music_helpers import Listener, artists_of, decision_of, ids_of


def labels(track: dict) -> set[str]:
    return set(track["genres"]) | set(track["tags"]) | set(track["moods"])


async def test_scenario_1_concurrent_new_sessions_get_their_own_answers(http):
    tabs = [Listener(http) for _ in range(3)]
    radiohead, electronic, jazz = await asyncio.gather(
        tabs[0].ask("Songs by Radiohead", 5),
        tabs[1].ask("Electronic music", 5),
        tabs[2].ask("Jazz for studying", 5),
    )
    assert len({tab.session_id for tab in tabs}) == 3
    assert set(artists_of(radiohead)) == {"Radiohead"}
    assert all("electronic" in labels(t) for t in electronic["recommendations"])
    assert jazz["strategy_used"]["intent"] == "contextual"
    for track in jazz["recommendations"]:
        assert "jazz" in labels(track) or "uits studying" in track["explanation"], track


async def test_scenario_2_follow_ups_stay_in_their_own_context(http):
    tab1, tab2 = Listener(http), Listener(http)
    mkgee = await tab1.ask("Songs by Mk.gee", 3)
    electronic = await tab2.ask("Electronic music", 5)
    assert set(artists_of(mkgee)) == {"Mk.gee"}
    more1, more2 = await asyncio.gather(tab1.ask("More tracks", 3), tab2.ask("More tracks", 5))
    assert decision_of(more1) == decision_of(more2) == "load_more"
    assert more1["metadata"]["context_decision"]["previous_intent"] == "by_artist"
    assert set(artists_of(more1)) == {"Mk.gee"}
    assert more2["metadata"]["context_decision"]["previous_intent"] == "genre_mood"
    assert "Mk.gee" not in artists_of(more2)
    assert all("electronic" in labels(t) for t in more2["recommendations"])
    assert not set(ids_of(more1)) & set(ids_of(mkgee))
    assert not set(ids_of(more2)) & set(ids_of(electronic))


async def test_scenario_3_a_new_session_has_no_beatles_context(http, catalog):
    tab = Listener(http)
    beatles = await tab.ask("Songs by Beatles", 5)
    assert set(artists_of(beatles)) == {"The Beatles"}
    style = await tab.ask("More like these", 5)
    assert decision_of(style) == "style_continuation"
    near = {a.name for a, _ in catalog.similar_to("the beatles")}
    assert sum(a in near for a in artists_of(style)) >= 3
    assert not set(ids_of(style)) & set(ids_of(beatles))

    refreshed = Listener(http)  # a refresh: new tab state, new session
    fresh = await refreshed.ask("More tracks", 5)
    assert refreshed.session_id != tab.session_id
    decision = fresh["metadata"]["context_decision"]
    assert decision["decision"] == "fresh_start" and decision["previous_intent"] is None
    assert "nothing earlier in this session" in decision["reason"]
    assert not any("Beatles" in t["explanation"] for t in fresh["recommendations"])
    assert (await refreshed.context())["anchor"]["artists"] == []


@pytest.mark.parametrize(
    ("anchor", "count"),
    [("Electronic music", 10), ("Songs by Kendrick Lamar", 5), ("Jazz for studying", 10)],
)
async def test_more_five_times_never_repeats_and_fills_every_page(http, anchor, count):
    user = Listener(http)
    pages = [await user.ask(anchor, count)]
    for _ in range(5):
        pages.append(await user.ask("more", count))
    shown = [t for page in pages for t in ids_of(page)]
    assert len(shown) == len(set(shown)) == 6 * count
    assert all(decision_of(page) == "load_more" for page in pages[1:])
    history = (
        await user.http.get(f"/sessions/{user.session_id}/history", headers=user.headers)
    ).json()["history"]
    assert [t["track_ids"] for t in history] == [ids_of(page) for page in pages]


async def test_an_artist_pool_regrows_with_similar_artists_and_says_so(http, catalog):
    user = Listener(http)
    own = len(catalog.tracks_by("kendrick lamar"))
    pages = [await user.ask("Songs by Kendrick Lamar", 5)]
    while len(pages) * 5 <= own:
        pages.append(await user.ask("more", 5))
    last = pages[-1]
    assert len(last["recommendations"]) == 5
    assert set(artists_of(last)) - {"Kendrick Lamar"}
    assert any("similar artists" in line for line in last["reasoning"])
    shown = [t for page in pages for t in ids_of(page)]
    assert len(shown) == len(set(shown))


# anchor query, follow-up, expected decision — every phrase the issue lists
FOLLOW_UPS = (
    [
        ("Songs by Kendrick Lamar", p, "load_more")
        for p in ("more", "more tracks", "show more", "give me more", "keep going", "next")
    ]
    + [
        ("Songs by Kendrick Lamar", p, "artist_deep_dive")
        for p in (
            "more from this artist",
            "more by Aphex Twin",
            "more Death Grips tracks",
            "other songs by Chief Keef",
            "deep dive into BROCKHAMPTON",
        )
    ]
    + [
        ("Songs by Kendrick Lamar", p, "style_continuation")
        for p in (
            "more like this",
            "more like that",
            "more like these",
            "similar to these",
            "keep this vibe",
            "continue this style",
        )
    ]
    + [
        ("Electronic music", p, "refinement")
        for p in (
            "similar but more upbeat",
            "like these but more electronic",
            "less electronic, more acoustic",
            "more like this but heavier",
        )
    ]
    + [
        ("Songs by Kendrick Lamar", p, "variation")
        for p in ("something different", "let's try something completely different")
    ]
    + [
        ("Songs by Kendrick Lamar", p, "reset")
        for p in ("actually, never mind", "start over", "forget that")
    ]
)


async def _converse(http, anchor: str, phrase: str):
    user = Listener(http)
    first = await user.ask(anchor, 5)
    return first, await user.ask(phrase, 5)


async def test_every_follow_up_phrase_over_http(http):
    results = await asyncio.gather(*(_converse(http, a, p) for a, p, _ in FOLLOW_UPS))
    for (_, phrase, expected), (first, second) in zip(FOLLOW_UPS, results, strict=True):
        assert decision_of(second) == expected, (phrase, second["metadata"]["context_decision"])
        assert not set(ids_of(second)) & set(ids_of(first)), phrase
        if expected == "reset":
            assert second["recommendations"] == []
            continue
        assert len(second["recommendations"]) == 5, phrase
        if expected == "load_more":
            assert set(artists_of(second)) == {"Kendrick Lamar"}
        if expected == "artist_deep_dive":
            assert len(set(artists_of(second))) == 1
        if expected == "style_continuation":
            assert set(artists_of(second)) != {"Kendrick Lamar"}
            assert any("Kendrick Lamar" in t["explanation"] for t in second["recommendations"])
        if expected == "variation":
            assert sum("hip hop" in t["genres"] for t in second["recommendations"]) <= 1


async def test_refinements_move_in_the_direction_asked(http):
    user = Listener(http)
    first = await user.ask("Electronic music", 10)
    upbeat = await user.ask("similar but more upbeat", 10)

    def mean(page, key):
        values = [t[key] for t in page["recommendations"] if t[key] is not None]
        return sum(values) / len(values)

    assert mean(upbeat, "valence") > mean(first, "valence")
    calmer = await user.ask("like these but calmer", 10)
    assert decision_of(calmer) == "refinement"
    assert mean(calmer, "energy") < mean(upbeat, "energy")
    acoustic = await user.ask("less electronic, more acoustic", 10)
    electronic_share = sum("electronic" in labels(t) for t in acoustic["recommendations"])
    assert electronic_share < sum("electronic" in labels(t) for t in first["recommendations"])
