"""The seed's multi-user scenarios (§6.1), in a real browser against a real server.

Users are browser contexts (separate cookie jars, like two people); tabs are pages of one context
(like one person with two tabs). Every tab must get its own session, and a follow-up must
continue its own tab's conversation and no other's. What the page shows is checked, and so is
what the server stored for each session.
"""

from __future__ import annotations

import pytest

from tests.ui.pages import (
    ask,
    chip,
    last_reply,
    open_music,
    screenshot,
    send,
    session_id,
    tracks,
    wait_answer,
)

pytestmark = pytest.mark.timeout(120)


def stored_queries(server, sid: str) -> list[str]:
    """The music turns the server stored for a session, oldest first."""
    turns = server.call(server.host.sessions.recent_turns(sid, 50))
    return [turn["query"] for turn in turns if turn.get("app") == "music" and "query" in turn]


def history_of(server, sid: str) -> list[dict]:
    """The music turns the server stored for a session (queries and feedback), oldest first."""
    turns = server.call(server.host.sessions.recent_turns(sid, 50))
    return [turn for turn in turns if turn.get("app") == "music"]


def context_of(server, sid: str) -> dict:
    record = server.call(server.host.sessions.get(sid))
    return (record.context or {}).get("music") or {}


def is_electronic(track: dict) -> bool:
    return any(
        "electronic" in genre or genre in ("idm", "techno", "house", "ambient")
        for genre in track["genres"]
    )


def test_three_tabs_get_their_own_sessions_and_fitting_results(users, server):
    """Scenario 1: three tabs at once (two in one browser, one in another), three requests."""
    alice = users.new_context()
    bob = users.new_context()
    tabs = [users.new_page(alice), users.new_page(alice), users.new_page(bob)]
    queries = ["Songs by Radiohead", "Electronic music", "Jazz for studying"]
    for page in tabs:
        open_music(page)
    for page, query in zip(tabs, queries, strict=True):
        send(page, query)  # all three in flight together
    for page in tabs:
        wait_answer(page)
    for number, page in enumerate(tabs, 1):
        screenshot(page, f"music-scenario1-tab{number}")

    ids = [session_id(page, "music") for page in tabs]
    assert all(ids) and len(set(ids)) == 3, ids
    radiohead, electronic, jazz = (tracks(page) for page in tabs)
    assert radiohead and all(t["artist"] == "Radiohead" for t in radiohead), radiohead
    assert electronic and all(is_electronic(t) for t in electronic), electronic
    assert jazz and all("jazz" in " ".join(t["genres"]) for t in jazz), jazz
    for sid, query in zip(ids, queries, strict=True):
        assert stored_queries(server, sid) == [query]


def test_follow_ups_continue_their_own_tab(users, server):
    """Scenario 2: "More tracks" in each tab continues that tab's request, never the other's."""
    mkgee = users.new_page(users.new_context())
    electro = users.new_page(users.new_context())
    for page in (mkgee, electro):
        open_music(page)
    ask(mkgee, "Songs by Mk.gee")
    ask(electro, "Electronic music")
    first = {page: {t["id"] for t in tracks(page)} for page in (mkgee, electro)}
    for page in (mkgee, electro):
        chip(page, "More tracks")  # both follow-ups in flight together
    for page in (mkgee, electro):
        wait_answer(page)
    screenshot(mkgee, "music-scenario2-mkgee-more")
    screenshot(electro, "music-scenario2-electronic-more")

    more_mkgee, more_electro = tracks(mkgee), tracks(electro)
    assert more_mkgee and all(t["artist"] == "Mk.gee" for t in more_mkgee), more_mkgee
    assert more_electro and all(is_electronic(t) for t in more_electro), more_electro
    assert not any(t["artist"] == "Mk.gee" for t in more_electro)
    for page, shown in ((mkgee, more_mkgee), (electro, more_electro)):
        assert not first[page] & {t["id"] for t in shown}, "a follow-up repeated a track"
    a, b = session_id(mkgee, "music"), session_id(electro, "music")
    assert a != b
    assert stored_queries(server, a) == ["Songs by Mk.gee", "More tracks"]
    assert stored_queries(server, b) == ["Electronic music", "More tracks"]
    assert context_of(server, a)["anchor"]["artists"] == ["mk.gee"]
    assert context_of(server, b)["anchor"]["genres"] == ["electronic"]


def test_a_refresh_starts_a_new_session_without_the_old_context(users, server):
    """Scenario 3: after "Songs by Beatles" and a refresh, "More tracks" knows no Beatles."""
    page = users.new_page()
    open_music(page)
    ask(page, "Songs by Beatles")
    assert all(t["artist"] == "The Beatles" for t in tracks(page))
    chip(page, "More like these")
    wait_answer(page)
    before = session_id(page, "music")
    assert context_of(server, before)["decision"] == "style_continuation"  # Beatles-style
    screenshot(page, "music-scenario3-before-refresh")

    page.reload()
    open_music(page)
    assert session_id(page, "music") == ""  # a fresh page holds no session yet
    assert tracks(page) == []
    assert page.is_disabled("#music-followups button >> nth=0")  # nothing to follow up yet
    ask(page, "More tracks")  # typed: the chips wait for something to follow
    screenshot(page, "music-scenario3-after-refresh")
    reply = last_reply(page)
    assert "new session" in reply and "nothing earlier to follow up" in reply, reply
    assert "idle" not in reply and "min" not in reply, reply  # no blaming a timeout

    after = session_id(page, "music")
    assert after and after != before
    assert not any(t["artist"] == "The Beatles" for t in tracks(page))
    assert stored_queries(server, after) == ["More tracks"]
    assert context_of(server, after)["decision"] != "load_more"
    assert stored_queries(server, before) == ["Songs by Beatles", "More like these"]


def test_new_session_button_starts_over(users, server):
    page = users.new_page()
    open_music(page)
    ask(page, "Songs by Radiohead")
    before = session_id(page, "music")
    page.click("#music-new-session")
    page.wait_for_function(
        "document.querySelector('#music-session .session-badge').dataset.sessionId === ''"
    )
    assert tracks(page) == []
    ask(page, "Jazz for studying")
    after = session_id(page, "music")
    assert after and after != before
    assert stored_queries(server, after) == ["Jazz for studying"]


def test_thumbs_are_feedback_for_that_track_in_that_session(users, server):
    page = users.new_page()
    open_music(page)
    ask(page, "Electronic music")
    card = page.locator("#music-tracks .track-card").first
    track_id = card.get_attribute("data-track-id")
    card.locator(".thumb[data-feedback=up]").click()
    page.wait_for_selector(
        f'#music-tracks .track-card[data-track-id="{track_id}"] '
        ".thumb[data-feedback=up][aria-pressed=true]"
    )
    second = page.locator("#music-tracks .track-card").nth(1)
    other_id = second.get_attribute("data-track-id")
    second.locator(".thumb[data-feedback=down]").click()
    page.wait_for_selector(
        f'#music-tracks .track-card[data-track-id="{other_id}"] '
        ".thumb[data-feedback=down][aria-pressed=true]"
    )
    disliked = page.locator(f'#music-tracks .track-card[data-track-id="{other_id}"]')
    assert "track-disliked" in (disliked.get_attribute("class") or "")
    title = disliked.locator(".track-title")
    assert title.evaluate("e => getComputedStyle(e).textDecorationLine") == "line-through"
    assert "grayscale" in title.evaluate("e => getComputedStyle(e).filter")  # dimmed
    assert "will not be shown again" in page.inner_text("#music-status")  # said, not popped up
    screenshot(page, "music-thumbs")
    feedback = context_of(server, session_id(page, "music"))["feedback"]
    assert feedback == {track_id: 1, other_id: -1}

    disliked.locator("button.undo").click()  # changed my mind
    page.wait_for_selector(f'#music-tracks .track-card[data-track-id="{other_id}"][data-vote="0"]')
    assert "track-disliked" not in (disliked.get_attribute("class") or "")
    assert "thumbs-down on" in page.inner_text("#music-status")  # said what was taken back
    feedback = context_of(server, session_id(page, "music"))["feedback"]
    assert feedback == {track_id: 1}  # the dislike is gone, as POST /feedback neutral does

    liked = page.locator(f'#music-tracks .track-card[data-track-id="{track_id}"]')
    liked.locator(".thumb[data-feedback=up]").click()  # the pressed thumb again: taken back
    page.wait_for_selector(
        f'#music-tracks .track-card[data-track-id="{track_id}"][data-vote="0"] '
        ".thumb[data-feedback=up][aria-pressed=false]"
    )
    assert "thumbs-up on" in page.inner_text("#music-status")
    assert context_of(server, session_id(page, "music"))["feedback"] == {}
    turns = [t for t in history_of(server, session_id(page, "music")) if "feedback" in t]
    assert [t["feedback"] for t in turns] == ["thumbs_up", "thumbs_down", "neutral", "neutral"]
