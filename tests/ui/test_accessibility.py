"""WCAG AA on both tabs, at laptop and phone width: axe-core finds nothing serious or critical.

axe-core is the npm package (tests/ui/js), injected from its file on disk: the page under test
loads nothing from outside the server. Each state a user reaches is checked: the empty tab, a
finished Fit Check, a music answer with its follow-ups.
"""

from __future__ import annotations

import os

import pytest

from tests.ui.accessibility import axe_problem, describe, violations
from tests.ui.conftest import LAPTOP, PHONE
from tests.ui.pages import ask, open_music, run_fit_check, screenshot, wait_result

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module", autouse=True)
def axe_available():
    problem = axe_problem()
    if problem:
        if os.environ.get("BOOTH_REQUIRE_BROWSER") == "1":
            pytest.fail(problem)
        pytest.skip(problem)


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_fit_check_tab_has_no_serious_violations(users, viewport):
    page = users.new_page(users.new_context(viewport=viewport))
    assert violations(page) == [], describe(violations(page))
    run_fit_check(page, "Stripe")
    wait_result(page)
    found = violations(page)
    screenshot(page, f"a11y-fitcheck-{viewport['width']}")
    assert found == [], describe(found)


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_music_tab_has_no_serious_violations(users, viewport):
    page = users.new_page(users.new_context(viewport=viewport))
    open_music(page)
    assert violations(page) == [], describe(violations(page))
    ask(page, "Songs by Radiohead")
    found = violations(page)
    screenshot(page, f"a11y-music-{viewport['width']}")
    assert found == [], describe(found)
