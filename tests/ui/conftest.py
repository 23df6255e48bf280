"""Browser fixtures: a real Chromium (the Debian package) driven by Playwright, and a real server.

No browser is ever downloaded: Playwright drives /usr/bin/chromium. When it cannot be had the
tests skip and say why, unless BOOTH_REQUIRE_BROWSER=1 (set by .ci/run), where that is a failure.
The browser is told not to phone home (this machine may have no internet), and every page is
checked to make no request outside the server: the UI must work offline.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

# Gradio is imported here, in the main thread, before any server starts. A server imports it in
# a worker thread while it answers its first requests; the warnings filters are process-wide and
# both sides switch them (Gradio's import and FastAPI's routes, with `catch_warnings`), so a
# warning one side silences could reach the other: an error here, where warnings are errors.
import booth.ui.app  # noqa: F401
from booth.config import Settings
from booth.server import create_app
from tests.support.servers import ROOT, ThreadServer

CHROMIUM = Path(os.environ.get("BOOTH_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
UI_READY_LIMIT = 120.0  # seconds; Gradio builds in the background after /health answers
SCREENSHOTS = ROOT / "test-output" / "ui"
LAPTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def _browser_problem() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"Playwright is not installed ({exc}); run `make test`"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing; run `make browser` (apt-get install chromium)"
    return None


def pytest_collection_modifyitems(config, items):
    """Gradio's queue trips a pandas deprecation warning on every event: not ours, not news."""
    quiet = pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")
    for item in items:
        if Path(str(item.path)).is_relative_to(Path(__file__).parent):
            item.add_marker(quiet)


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run; each test opens its own contexts (its own users)."""
    problem = _browser_problem()
    if problem:
        if os.environ.get("BOOTH_REQUIRE_BROWSER") == "1":
            pytest.fail(problem)
        pytest.skip(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        except Exception as exc:  # a browser that will not start is as good as missing
            if os.environ.get("BOOTH_REQUIRE_BROWSER") == "1":
                raise
            pytest.skip(f"Chromium would not start: {exc}")
        yield chromium
        chromium.close()


def wait_ui_ready(url: str, timeout: float = UI_READY_LIMIT) -> None:
    """Until /ui serves Gradio's page (it answers 503 "starting" while the UI is built)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if httpx.get(url + "/ui/", headers={"Accept": "text/html"}, timeout=5).status_code == 200:
            return
        time.sleep(0.1)
    raise TimeoutError(f"{url}/ui did not become ready")


def ui_server(settings: Settings) -> ThreadServer:
    """A real booth server on loopback with its UI built and serving."""
    live = ThreadServer(create_app(settings)).start()
    wait_ui_ready(live.url)
    return live


@pytest.fixture(scope="session")
def server():
    """A real booth server with the UI on; one for the run, since every tab is its own user."""
    live = ui_server(Settings(store="memory", max_runs=200, max_runs_per_client=200))
    yield live
    live.stop()


class Users:
    """Opens browser contexts (one per simulated user) and closes them after the test.

    Every request a page makes is checked: anything not addressed to the test server is blocked
    and recorded, and the test fails if there was any. So are JavaScript dialogs (an `alert`
    would mean injected script ran).
    """

    def __init__(self, browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[Any] = []
        self.offsite: list[str] = []
        self.dialogs: list[str] = []

    def new_context(self, viewport: dict | None = None):
        context = self.browser.new_context(viewport=viewport or LAPTOP)
        context.set_default_timeout(20_000)
        context.route("**/*", self._guard)
        self.contexts.append(context)
        return context

    def new_page(self, context=None, path: str = "/"):
        """A tab at `path` (/ redirects to /ui), loaded and ready."""
        context = context or self.new_context()
        page = context.new_page()
        page.on("dialog", self._on_dialog)
        page.goto(self.base_url + path)
        page.wait_for_selector("#fitcheck-session .session-badge")
        return page

    def _guard(self, route) -> None:
        url = route.request.url
        if url.startswith((self.base_url, "data:", "blob:")):
            route.continue_()
        else:
            self.offsite.append(url)
            route.abort()

    def _on_dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def users(browser, server):
    users = Users(browser, server.url)
    yield users
    users.close()
    assert users.offsite == [], f"the UI reached outside the server: {users.offsite}"
    assert users.dialogs == [], f"a page opened a dialog (injected script?): {users.dialogs}"


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
