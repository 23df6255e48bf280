"""Plain words on every panel the UI writes itself, and numbers that agree with the answer.

The status lines, the timeline, the summary line, the thoughts' headings, the chat's replies and
the cards' headings are booth's own copy: no internal names (snake_case, `(s)`, raw JSON, log
lines) reach them. The texts the apps write (track explanations, the write-up) are theirs.
"""

from __future__ import annotations

import re

import pytest

from tests.ui.pages import (
    BOT_REPLIES,
    ask,
    chip,
    last_reply,
    open_music,
    run_fit_check,
    screenshot,
    tracks,
    wait_answer,
    wait_result,
)

pytestmark = pytest.mark.timeout(150)

INTERNAL = re.compile(
    r"_|\(s\)|[{}\[\]]|\bweight\b|New request|genre mood|attempt \d|\bCLEAN\b|CONTINUE|"
    r"\bpipeline\b|\bintent\b|\bdecision\b|by popularity"
)
UI_COPY = (
    "#fitcheck-status",
    "#fitcheck-phases",
    "#fitcheck-result .fit-summary",
    "#fitcheck-result .fit-heading",
    "#fitcheck-result .gauge",
    "#fitcheck-thoughts .thought-head",
)


def texts(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, "nodes => nodes.map(n => n.textContent)")


def internal_words(page, selectors) -> list[str]:
    return [
        f"{selector}: {text.strip()[:120]}"
        for selector in selectors
        for text in texts(page, selector)
        if INTERNAL.search(text)
    ]


@pytest.mark.parametrize("query", ["Stripe", "example"], ids=["company", "job-description"])
def test_fit_check_speaks_plainly_and_its_numbers_agree(users, query):
    page = users.new_page()
    if query == "example":
        page.click("#fitcheck-example-good")
        page.wait_for_function("document.querySelector('#fitcheck-query textarea').value.length")
        page.click("#fitcheck-run")
    else:
        run_fit_check(page, query)
    wait_result(page)
    page.wait_for_selector("#fitcheck-status .run-status[data-state=done]")
    assert internal_words(page, UI_COPY) == []

    summary = page.inner_text("#fitcheck-result .fit-summary")
    write_up = page.inner_text("#fitcheck-answer")
    timeline = page.inner_text("#fitcheck-phases [data-phase=skills_matching] .phase-detail")
    tally = summary.split(" · ")[0]
    assert re.fullmatch(r"Meets \d+ of \d+ requirements(, partly meets \d+)?(, misses \d+)?", tally)
    assert tally.lower() in write_up, (summary, write_up)  # the write-up says the same numbers
    assert tally in timeline  # and so does the timeline
    score = page.get_attribute("#fitcheck-result .gauge", "data-score")
    assert f"Fit score: {score}%" in write_up
    assert f"Done: {score}%" in page.inner_text("#fitcheck-status")
    durations = page.eval_on_selector_all(
        "#fitcheck-phases .phase[data-status=done]", "rows => rows.map(r => r.dataset.ms)"
    )
    assert len(durations) == 8 and all(ms.isdigit() for ms in durations)  # each phase timed
    assert all(
        row.strip()
        for row in texts(page, "#fitcheck-phases .phase[data-status=done] .phase-detail")
    ), "a phase finished without saying what it found"


def test_an_empty_submit_keeps_the_last_result_and_says_what_to_type(users):
    page = users.new_page()
    run_fit_check(page, "Stripe")
    wait_result(page)
    before = page.inner_html("#fitcheck-result")
    run_fit_check(page, "   ")
    page.wait_for_selector("#fitcheck-status .run-status[data-state=failed]")
    assert "Type a company name or paste a job description first" in page.inner_text(
        "#fitcheck-status"
    )
    assert page.inner_html("#fitcheck-result") == before  # nothing wiped
    run_fit_check(page, "hi")  # too short: said plainly, no field names or pydantic words
    page.wait_for_function(
        "document.querySelector('#fitcheck-status').innerText.includes('at least 3')"
    )
    line = page.inner_text("#fitcheck-status")
    assert "query" not in line and "Value error" not in line and "String" not in line, line
    assert page.inner_html("#fitcheck-result") == before
    assert page.is_enabled("#fitcheck-run")
    screenshot(page, "fitcheck-empty-submit-1440")


def test_music_replies_in_its_own_words_and_keeps_earlier_turns(users):
    page = users.new_page()
    open_music(page)
    ask(page, "Songs by Radiohead")
    first = tracks(page)
    reply = last_reply(page)
    assert "songs by Radiohead" in reply
    assert not any(t["title"] in reply for t in first), "the chat repeated the card list"
    chip(page, "More tracks")
    wait_answer(page)
    more = last_reply(page)
    assert "more tracks like the last ones" in more, more
    assert internal_words(page, [BOT_REPLIES, "#music-status", "#music-tracks .tracks-head"]) == []

    earlier = page.locator("#music-tracks details.turn-earlier")
    assert earlier.count() == 1 and earlier.get_attribute("open") is None  # folded away
    assert "Songs by Radiohead" in earlier.locator("summary").inner_text()
    earlier.locator("summary").click()
    page.wait_for_selector("#music-tracks details.turn-earlier[open] .track-card")
    assert [t["id"] for t in tracks(page, "details.turn-earlier")] == [t["id"] for t in first]
    screenshot(page, "music-earlier-turns-1440")


def test_an_unknown_artist_is_said_first(users):
    page = users.new_page()
    open_music(page)
    ask(page, "Songs by Zqxwv Blorptastic")
    reply = last_reply(page)
    assert reply.lower().startswith("i don’t know an artist called “zqxwv blorptastic”"), reply
