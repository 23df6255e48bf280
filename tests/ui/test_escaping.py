"""Untrusted text renders as text: what a user types and what a catalog holds.

Each hostile string carries an element with an id: if any of them becomes markup, that element
appears in the page. Script that runs would open a dialog, which the `users` fixture fails on.
"""

from __future__ import annotations

import csv

import pytest

from booth.apps.music.importer import import_csv
from booth.config import Settings
from tests.ui.conftest import Users, ui_server
from tests.ui.pages import ask, open_music, run_fit_check, screenshot, tracks, wait_result

pytestmark = pytest.mark.timeout(120)

QUERY = '<b id="injected-q">Radiohead</b> <img src=x onerror=alert(1)> <script>alert(2)</script>'
TITLE = '<b id="injected-title">Night Bus</b> <img src=x onerror=alert(3)>'
ALBUM = '<script>alert(4)</script><i id="injected-album">Dusk</i>'
INJECTED = "#injected-q, #injected-title, #injected-album, #injected-tag, #injected-fc"


def assert_nothing_injected(page) -> None:
    assert page.locator(INJECTED).count() == 0
    assert page.locator("#music-chat img, #music-tracks img, #fitcheck-result img").count() == 0


def test_a_hostile_chat_message_shows_as_typed(users):
    page = users.new_page()
    open_music(page)
    ask(page, QUERY)
    screenshot(page, "escaping-chat-query")
    assert_nothing_injected(page)
    user_bubble = page.locator("#music-chat [data-testid=user]").last
    assert user_bubble.inner_text().strip() == QUERY


def test_a_hostile_fit_check_query_shows_as_text(users):
    page = users.new_page()
    run_fit_check(page, '<b id="injected-fc">Stripe</b> <img src=x onerror=alert(5)>')
    wait_result(page)
    page.click("#fitcheck-answer-box button, #fitcheck-answer-box .label-wrap")
    screenshot(page, "escaping-fitcheck-query")
    assert_nothing_injected(page)
    assert page.locator("#fitcheck-answer img, #fitcheck-thoughts img").count() == 0


@pytest.fixture
def hostile_catalog_server(tmp_path):
    """A server whose user catalog (imported with `booth music import`) holds markup."""
    source = tmp_path / "hostile.csv"
    with source.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["artist", "title", "album", "year", "genres", "moods", "tags"])
        for n in range(3):
            writer.writerow(
                [
                    "Velvet Static",
                    f"{TITLE} {n}",
                    ALBUM,
                    "2020",
                    "jazz",
                    "calm",
                    '<u id="injected-tag">tag</u>',
                ]
            )
    report = import_csv(source, tmp_path / "music")
    assert report.imported == 3
    settings = Settings(store=f"sqlite:///{tmp_path}/booth.db", max_runs=50, max_runs_per_client=50)
    live = ui_server(settings)
    yield live
    live.stop()


def test_hostile_catalog_entries_show_as_text(browser, hostile_catalog_server):
    users = Users(browser, hostile_catalog_server.url)
    try:
        page = users.new_page()
        open_music(page)
        ask(page, "Songs by Velvet Static")
        screenshot(page, "escaping-catalog")
        shown = tracks(page)
        assert shown and all(t["artist"] == "Velvet Static" for t in shown)
        assert {t["title"] for t in shown} == {f"{TITLE} {n}" for n in range(3)}
        assert ALBUM in page.inner_text("#music-tracks")
        assert "songs by Velvet Static" in page.inner_text("#music-chat")
        assert TITLE not in page.inner_text("#music-chat")  # the cards list the tracks
        assert_nothing_injected(page)
    finally:
        users.close()
    assert users.offsite == [] and users.dialogs == []
