"""WCAG AA on both tabs, at laptop and phone width: axe-core finds nothing serious or critical.

axe-core is the npm package (tests/ui/js), injected from its file on disk: the page under test
loads nothing from outside the server. Each state a user reaches is checked: the empty tab, a
finished Fit Check, a music answer with its follow-ups.
"""

from __future__ import annotations

import re

import pytest

from tests.ui.accessibility import describe, require_axe, violations
from tests.ui.conftest import LAPTOP, PHONE
from tests.ui.pages import (
    ask,
    chip,
    open_music,
    run_fit_check,
    screenshot,
    wait_answer,
    wait_result,
)

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module", autouse=True)
def axe_available():
    require_axe()


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_fit_check_tab_has_no_serious_violations(users, viewport):
    page = users.new_page(users.new_context(viewport=viewport))
    assert violations(page) == [], describe(violations(page))
    run_fit_check(page, "Stripe")
    wait_result(page)
    page.wait_for_selector("#fitcheck-status .run-status[data-state=done]")
    found = violations(page)  # the timeline, the result, the write-up, the status line
    screenshot(page, f"a11y-fitcheck-{viewport['width']}")
    assert found == [], describe(found)
    run_fit_check(page, "")  # a refused request: the status line says so
    page.wait_for_selector("#fitcheck-status .run-status[data-state=failed]")
    assert violations(page) == [], describe(violations(page))


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_music_tab_has_no_serious_violations(users, viewport):
    page = users.new_page(users.new_context(viewport=viewport))
    open_music(page)
    assert violations(page) == [], describe(violations(page))
    ask(page, "Songs by Radiohead")
    chip(page, "More tracks")
    wait_answer(page)
    card = page.locator("#music-tracks .turn-latest .track-card").first
    card.locator(".thumb[data-feedback=down]").click()
    page.wait_for_selector("#music-tracks .track-disliked button.undo")
    page.locator("#music-tracks details.turn-earlier summary").click()
    page.mouse.move(0, 0)
    found = violations(page)  # earlier turns unfolded, a dimmed card with its undo
    screenshot(page, f"a11y-music-{viewport['width']}")
    assert found == [], describe(found)


def test_controls_have_names_and_keyboard_hints(users):
    from playwright.sync_api import expect  # here: without Playwright the fixtures skip

    page = users.new_page()
    expect(page.locator("#fitcheck-query textarea")).to_have_accessible_name(
        re.compile("^Company or job description")
    )
    assert "Shift+Enter runs the check" in page.inner_text("#fitcheck-query")
    open_music(page)
    expect(page.locator("#music-input textarea")).to_have_accessible_name("Ask for music")
    assert "Press Enter to send." in page.inner_text("#tab-music")
    follow_ups = page.locator("#music-followups button")
    assert follow_ups.count() == 4
    assert all(follow_ups.nth(n).is_disabled() for n in range(4))  # nothing to follow yet
    page.focus("#music-send")
    ring = page.eval_on_selector("#music-send", "e => getComputedStyle(e).outlineWidth")
    assert ring == "3px"  # a visible focus ring
