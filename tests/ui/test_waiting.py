"""Waiting, one way on both tabs: queued, then running with the controls off, then done; at the
server's limit, turned away with a countdown from Retry-After — and nothing on the page lost.

The limit is booth's admission control on the real server (its run slots are taken as other
users' runs would take them); Gradio's queue holds nothing back on either tab.
"""

from __future__ import annotations

import pytest

from tests.ui.conftest import LAPTOP, PHONE
from tests.ui.pages import (
    ask,
    open_music,
    replies,
    run_fit_check,
    screenshot,
    status,
    status_states,
    tracks,
    wait_result,
    watch_status,
)

pytestmark = pytest.mark.timeout(150)


def in_order(states: list[str], expected: list[str]) -> bool:
    """`expected` appears in `states` in that order (other states may come between)."""
    seen = iter(states)
    return all(any(state == want for state in seen) for want in expected)


def settled(states: list[list], name: str) -> bool:
    """Whether the button was disabled once the page had settled in state `name`.

    The status line and the button are separate nodes of one update, so the observer may see
    one change a moment before the other: the last record of each state is the settled one.
    """
    last = {state: disabled for state, disabled in states}
    return last.get(name) is True


def test_a_fit_check_goes_queued_running_done_with_run_off_meanwhile(users):
    page = users.new_page()
    watch_status(page, "fitcheck")
    run_fit_check(page, "Stripe")
    page.wait_for_selector("#fitcheck-status .run-status[data-state=done]")
    states = status_states(page)
    names = [state for state, _ in states]
    assert in_order(names, ["queued", "running", "done"]), names
    assert settled(states, "queued") and settled(states, "running"), states  # Run was off
    assert page.is_enabled("#fitcheck-run")
    assert page.is_enabled("#fitcheck-example-good")
    assert "Done: " in status(page, "fitcheck")[1]


def test_a_music_turn_goes_queued_running_done_with_send_and_chips_off(users):
    page = users.new_page()
    open_music(page)
    page.evaluate(
        """() => { window.chipsOff = false;
            const chips = document.querySelector('#music-examples');
            new MutationObserver(() => {
                if ([...chips.querySelectorAll('button')].every(b => b.disabled))
                    window.chipsOff = true;
            }).observe(chips, {subtree: true, attributes: true}); }"""
    )
    watch_status(page, "music")
    ask(page, "Jazz for studying")
    page.wait_for_selector("#music-status .run-status[data-state=done]")
    states = status_states(page)
    names = [state for state, _ in states]
    assert in_order(names, ["queued", "running", "done"]), names
    assert settled(states, "queued") and settled(states, "running"), states  # Send was off
    assert page.evaluate("window.chipsOff"), "the example chips stayed on during the turn"
    assert page.is_enabled("#music-send")
    assert page.is_enabled("#music-followups button >> nth=0")  # now there is something


def take_all_slots(server) -> list:
    admission = server.host.runtime.admission

    async def fill() -> list:
        taken: list[object] = []
        while admission.active < admission.max_runs:
            taken.append(await admission.admit(f"someone-else-{len(taken)}"))
        return taken

    return server.call(fill())


def give_back(server, taken: list) -> None:
    admission = server.host.runtime.admission

    async def drain() -> None:
        for slot in taken:
            await admission.release(slot)

    server.call(drain())


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_a_full_server_turns_both_tabs_away_alike_and_keeps_what_was_there(users, server, viewport):
    page = users.new_page(users.new_context(viewport=viewport))
    run_fit_check(page, "Stripe")
    wait_result(page)
    open_music(page)
    ask(page, "Songs by Radiohead")
    shown, answers = tracks(page), replies(page)

    taken = take_all_slots(server)
    try:
        page.fill("#music-input textarea", "Sad R&B")
        page.click("#music-send")
        page.wait_for_selector("#music-status .run-status[data-state=turned_away]")
        music_state, music_text = status(page, "music")
        screenshot(page, f"waiting-music-turned-away-{viewport['width']}")
        page.get_by_role("tab", name="Fit Check").click()
        run_fit_check(page, "Stripe")
        page.wait_for_selector("#fitcheck-status .run-status[data-state=turned_away]")
        fit_state, fit_text = status(page, "fitcheck")
        screenshot(page, f"waiting-fitcheck-turned-away-{viewport['width']}")
    finally:
        give_back(server, taken)

    assert fit_state == music_state == "turned_away"  # one behaviour for one limit
    for text in (fit_text, music_text):
        assert "The server is busy" in text and "try again in" in text, text
    assert page.get_attribute("#fitcheck-status [data-countdown]", "data-countdown") == "1"
    assert page.locator("#fitcheck-result .gauge").is_visible()  # the last result stays
    assert page.is_enabled("#fitcheck-run")
    page.wait_for_function(  # the countdown runs out by itself, in the browser
        "document.querySelector('#fitcheck-status .countdown').textContent"
        ".includes('try again now')"
    )
    page.get_by_role("tab", name="Music").click()
    assert tracks(page) == shown and replies(page) == answers  # the chat is as it was
    assert page.input_value("#music-input textarea") == "Sad R&B"  # the text is not lost

    page.click("#music-send")  # capacity is back: the same tab gets its answer
    page.wait_for_selector("#music-status .run-status[data-state=done]")
    page.get_by_role("tab", name="Fit Check").click()
    run_fit_check(page, "Stripe")
    page.wait_for_selector("#fitcheck-status .run-status[data-state=done]")


def test_the_status_lines_are_live_regions_that_survive_updates(users):
    page = users.new_page()
    run_fit_check(page, "Stripe")
    wait_result(page)
    live = page.locator("#fitcheck-status [aria-live=polite]")
    assert "Done: " in live.inner_text() and "%" in live.inner_text()  # the result, in words
    open_music(page)
    for app in ("fitcheck", "music"):  # the node holding the line, kept across re-renders
        live = page.locator(f"#{app}-status [aria-live=polite]:has(> .run-status)")
        assert live.get_attribute("role") == "status"
        assert live.get_attribute("aria-atomic") == "true"
