"""The Fit Check tab: a query, two example buttons, live phases and thoughts, then the result.

A run is started with the same service function the HTTP router calls (`start_fit_check`), over
the same profile and notes, on the tab's own session. Its events are read straight from the run:
each one updates the view and the page follows (thoughts are batched a little, so a fast run
does not flood the browser).
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from contextlib import aclosing
from typing import Literal

import gradio as gr
from pydantic import ValidationError

from booth.apps.fitcheck.examples import generate_example
from booth.apps.fitcheck.phases import Resources
from booth.apps.fitcheck.service import FitCheckRequest, resources_for_settings, start_fit_check
from booth.config import Settings
from booth.core.errors import BoothError, ErrorCode
from booth.core.events import EventType
from booth.core.host import Host
from booth.ui.fitcheck_view import RunView, phases_html, result_html, thoughts_html
from booth.ui.render import validation_message
from booth.ui.session import TabSession, client_of, open_tab_session, session_badge

THOUGHT_BATCH_SECONDS = 0.08  # thoughts alone refresh the page at most this often
QUERY_PLACEHOLDER = "A company name (e.g. “Stripe”) or a job description pasted in full…"


def build(host: Host, settings: Settings) -> None:
    """Lay out the tab and wire its events (called inside the Blocks context)."""
    resources = resources_for_settings(settings)  # the same profile and notes as the API
    session = gr.State(None)
    with gr.Row(elem_classes="session-row"):
        badge = gr.HTML(session_badge(None), elem_id="fitcheck-session", js_on_load=None)
        new_session = gr.Button(
            "New session",
            size="sm",
            variant="secondary",
            elem_id="fitcheck-new-session",
            scale=0,
            min_width=120,
        )
    with gr.Row(equal_height=False):
        with gr.Column(scale=5, min_width=320):
            query = gr.Textbox(
                label="Company or job description",
                lines=4,
                max_lines=12,
                placeholder=QUERY_PLACEHOLDER,
                elem_id="fitcheck-query",
            )
            with gr.Row():
                good = gr.Button("Good-fit example", size="sm", elem_id="fitcheck-example-good")
                bad = gr.Button("Poor-fit example", size="sm", elem_id="fitcheck-example-bad")
            run = gr.Button("Run fit check", variant="primary", elem_id="fitcheck-run")
            phases = gr.HTML(phases_html(None), elem_id="fitcheck-phases", js_on_load=None)
        with gr.Column(scale=6, min_width=320):
            result = gr.HTML(result_html(None), elem_id="fitcheck-result", js_on_load=None)
            with gr.Accordion("Full write-up", open=False, elem_id="fitcheck-answer-box"):
                answer = gr.Markdown("", elem_id="fitcheck-answer", sanitize_html=True)
    with gr.Accordion("Agent thoughts (newest first)", open=True, elem_id="fitcheck-thoughts-box"):
        thoughts = gr.HTML(thoughts_html(None), elem_id="fitcheck-thoughts", js_on_load=None)

    outputs = [session, badge, phases, thoughts, result, answer, run]

    async def on_run(text: str, state: TabSession | None, request: gr.Request):
        updates = stream_fit_check(host, resources, text, state, client_of(request))
        async for update in updates:
            yield update

    def on_new_session():
        return (
            None,
            session_badge(None),
            phases_html(None),
            thoughts_html(None),
            result_html(None),
            "",
            gr.update(interactive=True),
        )

    run.click(on_run, [query, session], outputs, show_progress="hidden")
    query.submit(on_run, [query, session], outputs, show_progress="hidden")
    good.click(example_query(resources, "good"), None, query, show_progress="minimal")
    bad.click(example_query(resources, "bad"), None, query, show_progress="minimal")
    new_session.click(on_new_session, None, outputs, show_progress="hidden")


def example_query(resources: Resources, quality: Literal["good", "bad"]) -> Callable[[], str]:
    """A handler that fills the query box with a job description that fits well or badly."""

    def fill() -> str:
        return generate_example(quality, resources)["job_description"]

    return fill


async def stream_fit_check(
    host: Host, resources: Resources, text: str, state: TabSession | None, client: str | None
):
    """Start a run on the tab's session and yield the tab's outputs as its events arrive."""
    view = RunView()

    def frame(state: TabSession | None, running: bool):
        # The answer is Markdown written around the user's own words: escape its HTML.
        return (
            state,
            session_badge(state),
            phases_html(view),
            thoughts_html(view),
            result_html(view),
            html.escape(view.answer, quote=False),
            gr.update(interactive=not running),
        )

    try:
        body = FitCheckRequest(query=text or "", include_thoughts=True)
        opened, state = await open_tab_session(host, state)
        run, subscriber = await start_fit_check(host, opened, body, client, resources=resources)
    except ValidationError as error:
        view.fail(BoothError(ErrorCode.INVALID_QUERY, validation_message(error)))
        yield frame(state, False)
        return
    except BoothError as error:
        view.fail(error)
        yield frame(state, False)
        return
    yield frame(state, True)
    last = 0.0
    async with aclosing(host.events(run, subscriber)) as events:
        async for event in events:
            view.apply(event)
            now = time.monotonic()
            if event.type is EventType.THOUGHT and now - last < THOUGHT_BATCH_SECONDS:
                continue
            last = now
            yield frame(state, not event.terminal)
