"""Driving booth's UI from Playwright: what a user does on each tab, and what a test reads.

Tests read the page the way a user sees it, through the stable element ids the UI sets
(`#music-session`, `#music-tracks`, `#fitcheck-phases` …) and the data attributes on its cards.
"""

from __future__ import annotations

from pathlib import Path

from tests.ui.conftest import SCREENSHOTS

BOT_REPLIES = "#music-chat [data-testid=bot]"


def session_id(page, app: str) -> str:
    """The full session id the tab's badge carries ("" before the first request)."""
    return page.get_attribute(f"#{app}-session .session-badge", "data-session-id") or ""


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-output/ui/ (looked at by a person, not asserted)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# -- Music -----------------------------------------------------------------------------------------
def open_music(page) -> None:
    page.get_by_role("tab", name="Music").click()
    page.wait_for_selector("#music-input textarea", state="visible")


def replies(page) -> int:
    return page.locator(BOT_REPLIES).count()


def send(page, text: str) -> None:
    """Type a message and send it; returns once it is on its way (see `wait_answer`)."""
    before = replies(page)
    page.fill("#music-input textarea", text)
    page.click("#music-send")
    _wait_sent(page, before)


def chip(page, text: str) -> None:
    """Click a follow-up or example chip."""
    before = replies(page)
    page.locator("#music-followups button, #music-examples button", has_text=text).first.click()
    _wait_sent(page, before)


def _wait_sent(page, before: int) -> None:
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length > n", arg=[BOT_REPLIES, before]
    )


def wait_answer(page, timeout: float = 20_000) -> None:
    """Wait until the last reply is an answer, not the "Finding tracks…" placeholder."""
    page.wait_for_function(
        """(sel) => {
            const all = document.querySelectorAll(sel);
            return all.length > 0 && !all[all.length - 1].innerText.includes('Finding tracks');
        }""",
        arg=BOT_REPLIES,
        timeout=timeout,
    )


def ask(page, text: str) -> None:
    send(page, text)
    wait_answer(page)


def tracks(page, which: str = ".turn-latest") -> list[dict]:
    """The latest answer's cards (`which=""`: every turn's): id, title, artist, genres, vote."""
    return page.eval_on_selector_all(
        f"#music-tracks {which} .track-card",
        """cards => cards.map(card => ({
            id: card.dataset.trackId,
            artist: card.dataset.artist,
            genres: card.dataset.genres ? card.dataset.genres.split(';') : [],
            title: card.querySelector('.track-title').textContent,
            vote: Number(card.dataset.vote),
        }))""",
    )


def status(page, app: str) -> tuple[str, str]:
    """The tab's status line: its state (idle, queued, running, turned_away, done, failed), text."""
    line = page.locator(f"#{app}-status .run-status")
    return line.get_attribute("data-state") or "", line.inner_text()


def watch_status(page, app: str) -> None:
    """Record every state the tab's status line and its main button go through."""
    button = "#fitcheck-run" if app == "fitcheck" else "#music-send"
    page.evaluate(
        """([app, button]) => {
            window.statusStates = [];
            const box = document.querySelector(`#${app}-status`);
            const record = () => {
                const line = box.querySelector('.run-status');
                const control = document.querySelector(button);
                window.statusStates.push([line ? line.dataset.state : '', control.disabled]);
            };
            new MutationObserver(record).observe(box, {subtree: true, childList: true,
                attributes: true});
            new MutationObserver(record).observe(document.querySelector(button),
                {attributes: true});
        }""",
        [app, button],
    )


def status_states(page) -> list[list]:
    return page.evaluate("window.statusStates")


def last_reply(page) -> str:
    return page.locator(BOT_REPLIES).last.inner_text()


# -- Fit Check ---------------------------------------------------------------------------------
def watch_phases(page) -> None:
    """Record every state the phase panel shows (done count and active phase), as it changes."""
    page.evaluate(
        """() => {
            window.phaseStates = [];
            const panel = document.querySelector('#fitcheck-phases');
            new MutationObserver(() => {
                const p = panel.querySelector('.phases');
                if (p) window.phaseStates.push([Number(p.dataset.done), p.dataset.active]);
            }).observe(panel, {subtree: true, childList: true, attributes: true});
        }"""
    )


def phase_states(page) -> list[list]:
    return page.evaluate("window.phaseStates")


def run_fit_check(page, query: str) -> None:
    page.fill("#fitcheck-query textarea", query)
    page.click("#fitcheck-run")


def wait_result(page, timeout: float = 30_000) -> None:
    """Wait for the end of a run: a gauge, a refusal or an error notice."""
    page.wait_for_selector(
        "#fitcheck-result .gauge, #fitcheck-result .notice-warning, #fitcheck-result .notice-error",
        timeout=timeout,
    )
