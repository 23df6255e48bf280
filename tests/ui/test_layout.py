"""The UI at phone width: everything fits the screen (no sideways scrolling) and stays usable."""

from __future__ import annotations

import pytest

from tests.ui.conftest import PHONE
from tests.ui.pages import ask, open_music, run_fit_check, screenshot, wait_result

pytestmark = pytest.mark.timeout(120)

OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


def test_both_tabs_fit_a_phone_screen(users):
    page = users.new_page(users.new_context(viewport=PHONE))
    run_fit_check(page, "Stripe")
    wait_result(page)
    screenshot(page, "phone-fitcheck")
    assert page.evaluate(OVERFLOW) <= 0
    assert page.locator("#fitcheck-result .gauge").is_visible()

    open_music(page)
    ask(page, "Jazz for studying")
    screenshot(page, "phone-music")
    assert page.evaluate(OVERFLOW) <= 0
    assert page.locator("#music-tracks .track-card").first.is_visible()
    assert page.locator("#music-followups button", has_text="More tracks").is_visible()


def overlap(page, first: str, second: str) -> float:
    """The area two elements share on screen (0 when they do not touch)."""
    return page.evaluate(
        """([a, b]) => {
            const r = document.querySelector(a).getBoundingClientRect();
            const s = document.querySelector(b).getBoundingClientRect();
            const w = Math.min(r.right, s.right) - Math.max(r.left, s.left);
            const h = Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top);
            return Math.max(0, w) * Math.max(0, h);
        }""",
        [first, second],
    )


def inside_screen(page, selector: str) -> bool:
    return page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
            return r.left >= 0 && r.right <= window.innerWidth; }""",
        selector,
    )


IN_VIEW = """(sel) => { const e = document.querySelector(sel);
    if (!e) return false;
    const r = e.getBoundingClientRect();
    return r.top >= -2 && r.top < window.innerHeight * 0.5; }"""


def test_on_a_phone_the_badge_leaves_new_session_whole_and_results_come_into_view(users):
    page = users.new_page(users.new_context(viewport=PHONE))
    for app in ("fitcheck", "music"):
        if app == "music":
            open_music(page)
        badge, button = f"#{app}-session .session-badge", f"#{app}-new-session"
        assert overlap(page, badge, button) == 0
        assert inside_screen(page, button) and inside_screen(page, badge)
        assert page.inner_text(button).strip() == "New session"
        if app == "fitcheck":
            run_fit_check(page, "Stripe")
            wait_result(page)
            page.wait_for_function(IN_VIEW, arg="#fitcheck-result [data-reveal]")
            screenshot(page, "phone-fitcheck-scrolled-to-result")
            assert overlap(page, badge, button) == 0  # with a session id in the badge too
        else:
            ask(page, "Jazz for studying")
            page.wait_for_function(IN_VIEW, arg="#music-tracks [data-reveal]")
            assert overlap(page, badge, button) == 0
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "phone-music-after-answer-390")
