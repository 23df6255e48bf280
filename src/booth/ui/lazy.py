"""The UI at /ui with Gradio off the start-up path: /health answers before Gradio is imported.

`import gradio` takes seconds and building the Blocks about half a second; done in `create_app`
they delayed the server's first answer by as much. `LazyUI` is mounted at /ui instead. When the
server starts, it imports the UI in a worker thread, then builds it on the event loop and starts
it as `gr.mount_gradio_app`'s lifespan does (Gradio's queue, its start-up events), and from then
on hands every /ui request, HTTP and websocket, to it. Until then /ui answers 503 with a
Retry-After and a page saying the UI is on its way, which opens it by itself once it answers; if
the UI cannot be loaded, /ui says so (500) and the API keeps working.

The build runs on the loop, not in the thread: building FastAPI routes (Gradio's, and the
server's own on their first request) switches the process-wide warnings filters, so two threads
doing it at once lose each other's filters.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocketClose

from booth.core import heap
from booth.core.errors import BoothError, ErrorCode

if TYPE_CHECKING:
    from fastapi import FastAPI

    from booth.config import Settings
    from booth.core.host import Host

log = logging.getLogger("booth.ui")

UI_PATH = "/ui"
STARTING_RETRY_AFTER = 2  # seconds: a build takes a few; the page polls this often
TRY_AGAIN_LATER = 1013  # the websocket close code for "the service is not ready yet"

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · booth</title>
<style>
  body {{ font: 1.05rem/1.5 system-ui, sans-serif; margin: 0; color: #1f2328; background: #fff; }}
  main {{ max-width: 36rem; margin: 12vh auto 0; padding: 0 1.25rem; }}
  a {{ color: #0550ae; }}
  @media (prefers-color-scheme: dark) {{
    body {{ color: #e6edf3; background: #0d1117; }}
    a {{ color: #79c0ff; }}
  }}
</style>
</head>
<body>
<main>
<h1>{title}</h1>
<p role="status">{message}</p>
<p>The API already answers: see <a href="/docs">the API documentation</a>.</p>
</main>
{script}
</body>
</html>
"""

STARTING_MESSAGE = (
    "The interface is starting; this usually takes a few seconds. This page opens it by itself"
    ' when it is ready, or you can <a href="">reload now</a>.'
)
FAILED_MESSAGE = "The interface could not start. The server log says why."
# Ask for the page every Retry-After seconds; reload into the UI once it answers.
POLL_SCRIPT = """<script>
(function poll() {{
  setTimeout(function () {{
    fetch(location.href, {{headers: {{Accept: "text/html"}}, cache: "no-store"}})
      .then(function (r) {{ if (r.ok) location.reload(); else poll(); }}, poll);
  }}, {delay_ms});
}})();
</script>"""


@dataclass(frozen=True)
class BuiltUI:
    """A built UI: the ASGI app serving /ui and the lifespan that starts it."""

    app: ASGIApp
    lifespan: Callable[[], AbstractAsyncContextManager[Any]]


Build = Callable[["FastAPI"], BuiltUI]  # (the parent app) -> the UI, on the event loop
Load = Callable[[], Build]  # the imports a build needs, in a worker thread


def wants_html(scope: Scope) -> bool:
    return "text/html" in Request(scope).headers.get("accept", "")


def starting_response(scope: Scope) -> Response:
    headers = {"Retry-After": str(STARTING_RETRY_AFTER), "Cache-Control": "no-store"}
    if wants_html(scope):
        script = POLL_SCRIPT.format(delay_ms=STARTING_RETRY_AFTER * 1000)
        page = PAGE.format(title="The UI is starting", message=STARTING_MESSAGE, script=script)
        return HTMLResponse(page, status_code=503, headers=headers)
    error = BoothError(
        ErrorCode.UPSTREAM_UNAVAILABLE,
        "The UI is starting; try again in a few seconds.",
        retry_after=STARTING_RETRY_AFTER,
    )
    return JSONResponse(error.body(), status_code=503, headers=headers)


def failed_response(scope: Scope) -> Response:
    if wants_html(scope):
        page = PAGE.format(title="The UI could not start", message=FAILED_MESSAGE, script="")
        return HTMLResponse(page, status_code=500)
    error = BoothError(ErrorCode.INTERNAL, "The UI could not start; the server log says why.")
    return JSONResponse(error.body(), status_code=500)


class LazyUI:
    """An ASGI app for /ui that becomes the built UI once `running` has built and started it."""

    def __init__(self, load: Load) -> None:
        self._load = load
        self._app: ASGIApp | None = None
        self._failed = False

    @asynccontextmanager
    async def running(self, parent: FastAPI) -> AsyncIterator[None]:
        """Load and start the UI in the background while the server serves; stop it on exit."""
        stop = asyncio.Event()
        task = asyncio.create_task(self._serve(parent, stop), name="booth-ui")
        try:
            yield
        finally:
            stop.set()  # a started UI's lifespan ends as it would with the server's
            if self._app is None:
                task.cancel()  # still loading: the thread ends by itself (the exit waits)
            with contextlib.suppress(asyncio.CancelledError):
                await task
            self._app = None

    async def _serve(self, parent: FastAPI, stop: asyncio.Event) -> None:
        try:
            build = await asyncio.to_thread(self._load)
            built = build(parent)
            async with built.lifespan():
                self._app = built.app
                heap.settle()
                log.info("UI ready at %s", UI_PATH)
                await stop.wait()
        except Exception:
            self._failed = True
            log.exception("the UI could not start; the API is unaffected")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = self._app
        if app is not None:
            await app(scope, receive, send)
        elif scope["type"] == "websocket":
            await WebSocketClose(code=TRY_AGAIN_LATER)(scope, receive, send)
        elif scope["type"] == "http":
            respond = failed_response if self._failed else starting_response
            await respond(scope)(scope, receive, send)


def lazy_ui(host: Host, settings: Settings) -> LazyUI:
    """booth's Gradio UI, imported and built only once the server runs (see the module doc)."""

    def load() -> Build:
        from booth.ui.app import gradio_app  # imports gradio: seconds, in the worker thread

        return partial(gradio_app, host=host, settings=settings)

    return LazyUI(load)
