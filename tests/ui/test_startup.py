"""/ui while the UI is still being built, once it is, and when it could not be built.

`LazyUI` is served by a real uvicorn on loopback, in front of a real ASGI app standing in for
Gradio, whose loading the test holds back (a threading.Event) so each state can be looked at. That
booth's own Gradio UI works through it end to end is what every other browser test here checks.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
import pytest
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from booth.ui.lazy import STARTING_RETRY_AFTER, UI_PATH, Build, BuiltUI, LazyUI
from tests.support.servers import ThreadServer
from tests.ui.accessibility import describe, require_axe, violations
from tests.ui.conftest import Users, wait_ui_ready

pytestmark = pytest.mark.timeout(120)
HELD_BUILD_LIMIT = 60.0  # seconds a build waits to be let go before the test gives up
HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/json"}
READY_PAGE = '<!doctype html><html lang="en"><title>ui</title><main id="ready">ready</main></html>'


@dataclass
class HeldUI:
    """A UI whose loading waits until `release()`, and which records its lifespan."""

    fail: bool = False
    released: threading.Event = field(default_factory=threading.Event)
    events: list[str] = field(default_factory=list)

    def release(self) -> None:
        self.released.set()

    def load(self) -> Build:
        """What LazyUI runs in its worker thread (booth's own imports Gradio here)."""
        if not self.released.wait(HELD_BUILD_LIMIT):
            raise TimeoutError("the test never released the build")
        if self.fail:
            raise ImportError("the UI's code could not be imported")
        return self.build

    def build(self, parent: FastAPI) -> BuiltUI:
        async def page(request: Request) -> HTMLResponse:
            return HTMLResponse(READY_PAGE)

        async def where(request: Request) -> JSONResponse:
            return JSONResponse({"path": request.url.path, "root_path": request.scope["root_path"]})

        async def echo(websocket: WebSocket) -> None:
            await websocket.accept()
            await websocket.send_text("echo " + await websocket.receive_text())
            await websocket.close()

        @asynccontextmanager
        async def lifespan() -> AsyncIterator[None]:
            self.events.append("started")
            yield
            self.events.append("stopped")

        routes = [Route("/", page), Route("/where", where), WebSocketRoute("/echo", echo)]
        return BuiltUI(app=Starlette(routes=routes), lifespan=lifespan)


def serve(held: HeldUI) -> ThreadServer:
    ui = LazyUI(held.load)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with ui.running(app):
            yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "healthy"}

    app.mount(UI_PATH, ui)
    return ThreadServer(app).start()


@pytest.fixture
def held():
    held = HeldUI()
    live = serve(held)
    yield held, live
    held.release()
    live.stop()


def test_while_building_ui_says_it_is_starting_and_the_server_answers(held):
    _, live = held
    assert httpx.get(live.url + "/health").status_code == 200

    page = httpx.get(live.url + "/ui/", headers=HTML)
    assert page.status_code == 503
    assert page.headers["retry-after"] == str(STARTING_RETRY_AFTER)
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="en">' in page.text and 'role="status"' in page.text
    assert "The UI is starting" in page.text

    api = httpx.get(live.url + "/ui/config", headers=JSON)
    assert api.status_code == 503 and api.headers["retry-after"] == str(STARTING_RETRY_AFTER)
    assert api.json()["error"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert api.json()["error"]["retryable"] is True

    with pytest.raises(InvalidStatus):  # refused at the handshake: nothing to talk to yet
        connect(live.url.replace("http", "ws") + "/ui/echo", open_timeout=5)


def test_once_built_every_ui_request_reaches_it_as_if_mounted_there(held):
    ui, live = held
    ui.release()
    wait_ui_ready(live.url, timeout=30)
    assert ui.events == ["started"]  # its lifespan entered before the first request got through

    assert httpx.get(live.url + "/ui/", headers=HTML).text == READY_PAGE
    where = httpx.get(live.url + "/ui/where").json()
    assert where == {"path": "/ui/where", "root_path": "/ui"}
    with connect(live.url.replace("http", "ws") + "/ui/echo", open_timeout=5) as socket:
        socket.send("hello")
        assert socket.recv(timeout=5) == "echo hello"

    live.stop()
    assert ui.events == ["started", "stopped"]


def test_a_ui_that_cannot_load_is_reported_and_the_api_keeps_working(caplog):
    held = HeldUI(fail=True)
    held.release()
    ui_log = logging.getLogger("booth.ui")  # booth's logger does not propagate to the root's
    ui_log.addHandler(caplog.handler)
    live = serve(held)
    try:
        for _ in range(200):  # the build fails at once; give the loop a moment to see it
            page = httpx.get(live.url + "/ui/", headers=HTML)
            if page.status_code != 503:
                break
        assert page.status_code == 500 and "The UI could not start" in page.text
        api = httpx.get(live.url + "/ui/config", headers=JSON)
        assert api.status_code == 500 and api.json()["error"]["code"] == "INTERNAL"
        assert httpx.get(live.url + "/health").status_code == 200
        assert any("the UI could not start" in r.getMessage() for r in caplog.records)
    finally:
        live.stop()
        ui_log.removeHandler(caplog.handler)


def test_starting_page_is_accessible_and_opens_the_ui_by_itself(browser, held):
    require_axe()
    ui, live = held
    users = Users(browser, live.url)
    try:
        page = users.new_context().new_page()
        page.goto(live.url + "/ui/")
        assert "starting" in page.get_by_role("status").inner_text()
        found = violations(page)
        assert not found, describe(found)
        ui.release()
        page.wait_for_selector("#ready", timeout=30_000)  # the page polled and reloaded itself
    finally:
        users.close()
    assert users.offsite == []
