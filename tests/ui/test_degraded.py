"""A provider that is down gets a banner in words, and the answer still arrives.

Last.fm is an address nothing listens on (booth has a key, so it tries): music answers from the
bundled catalog, and the response's `metadata.degraded` names Last.fm — the tab says so.
"""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from booth.config import Settings
from tests.support.servers import free_port
from tests.ui.conftest import LAPTOP, PHONE, Users, ui_server
from tests.ui.pages import ask, open_music, screenshot, tracks

pytestmark = pytest.mark.timeout(150)


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_music_without_lastfm_says_so_and_answers_from_the_catalog(browser, viewport):
    settings = Settings(
        store="memory",
        lastfm_api_key=SecretStr("test-key"),
        lastfm_url=f"http://127.0.0.1:{free_port()}/2.0/",
        lastfm_timeout=1.0,
    )
    booth = ui_server(settings)
    users = Users(browser, booth.url)
    try:
        page = users.new_page(users.new_context(viewport=viewport))
        open_music(page)
        ask(page, "Songs by Radiohead")
        banner = page.locator("#music-tracks .turn-latest .degraded")
        assert banner.get_attribute("data-providers") == "lastfm"
        assert "Last.fm is not answering right now" in banner.inner_text()
        assert "booth’s own catalog" in banner.inner_text()
        assert tracks(page) and all(t["artist"] == "Radiohead" for t in tracks(page))
        screenshot(page, f"music-lastfm-down-{viewport['width']}")
    finally:
        users.close()
        booth.stop()
    assert users.offsite == []
