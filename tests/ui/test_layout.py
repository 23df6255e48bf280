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
