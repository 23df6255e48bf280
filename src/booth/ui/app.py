"""The Gradio app: a header, a Fit Check tab and a Music tab, served at /ui.

Importing this module imports Gradio (seconds): the server reaches it only through
`booth.ui.lazy`, which builds the app here after the server has started.

Concurrency: one limit, booth's. Gradio's queue caps each event listener separately (its
`concurrency_limit`), so with a cap of `max_runs` per listener Fit Check (two listeners) queued
silently in Gradio while Music (a listener per chip) got past it and met booth's admission
control. Gradio's cap is off: every run reaches admission control (`max_runs` in total,
`max_runs_per_client` per address), which refuses the extra ones with RATE_LIMITED and a
Retry-After — and both tabs show that the same way, as a countdown (see `booth.ui.status`).
"""

from __future__ import annotations

import gradio as gr
from fastapi import FastAPI
from starlette.routing import Mount

from booth.config import Settings
from booth.core.host import Host
from booth.ui import fitcheck_tab, music_tab
from booth.ui.lazy import UI_PATH, BuiltUI
from booth.ui.theme import CSS, theme

HEADER = """
<div id="booth-header">
  <h1>booth</h1>
  <p>Your private booth: every browser tab gets its own session, its own progress and its own
  follow-ups.</p>
</div>
"""


def build_ui(host: Host, settings: Settings) -> gr.Blocks:
    """The whole UI; every handler reaches the apps through `host`, never through globals."""
    with gr.Blocks(title="booth", analytics_enabled=False, fill_width=False) as blocks:
        gr.HTML(HEADER, js_on_load=None)
        with gr.Tabs():
            with gr.Tab("Fit Check", id="fitcheck", elem_id="tab-fitcheck"):
                fitcheck_tab.build(host, settings)
            with gr.Tab("Music", id="music", elem_id="tab-music"):
                music_tab.build(host, settings)
    blocks.queue(default_concurrency_limit=None)  # booth admits runs, not Gradio
    return blocks


def gradio_app(parent: FastAPI, host: Host, settings: Settings) -> BuiltUI:
    """The UI's ASGI app for /ui and its lifespan, configured by Gradio's own `mount_gradio_app`.

    Gradio mounts onto a staging app, whose lifespan is the one it wires (its queue and
    start-up events); the server serves the mounted app at /ui through `LazyUI`. The staging
    app shares the server's middleware list because Gradio reads it to leave CORS to a parent
    that does CORS itself.
    """
    staging = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    staging.user_middleware = parent.user_middleware
    gr.mount_gradio_app(
        staging,
        build_ui(host, settings),
        path=UI_PATH,
        footer_links=[],
        run_history=False,  # the browser must not keep a copy of what a user asked
        show_error=False,  # errors are shown by the tabs, as booth error notices
        ssr_mode=False,
        mcp_server=False,
        theme=theme(),
        css=CSS,
    )
    (mounted,) = [route for route in staging.routes if isinstance(route, Mount)]
    return BuiltUI(app=mounted.app, lifespan=lambda: staging.router.lifespan_context(staging))
