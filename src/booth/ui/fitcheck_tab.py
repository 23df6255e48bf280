"""The Fit Check tab: a query, two example buttons, a live status, the timeline, then the result.

A run is started with the same service function the HTTP router calls (`start_fit_check`), over
the same profile and notes, on the tab's own session. Its events are read straight from the run:
each one updates the view and the page follows (thoughts are batched a little, so a fast run
does not flood the browser). The model-written answer streams in chunk by chunk.

A request that cannot start (empty, invalid, server busy) changes only the status line: the
previous result stays on the page.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing
from typing import Any, Literal

import gradio as gr
from pydantic import ValidationError

from booth.apps.fitcheck.examples import generate_example
from booth.apps.fitcheck.phases import Resources
from booth.apps.fitcheck.service import FitCheckRequest, resources_for_settings, start_fit_check
from booth.config import Settings
from booth.core.errors import BoothError, ErrorCode
from booth.core.events import EventType
from booth.core.host import Host
from booth.ui.fitcheck_view import RunView, phases_html, result_html, run_status_html, thoughts_html
from booth.ui.render import REVEAL_JS, answer_markdown, validation_message
from booth.ui.session import TabSession, client_of, open_tab_session, session_badge
from booth.ui.status import STATUS_JS, RunState, idle_html, queued_html, refused_html, status_html

THOUGHT_BATCH_SECONDS = 0.08  # thoughts alone refresh the page at most this often
QUERY_PLACEHOLDER = "A company name (e.g. “Stripe”) or a job description pasted in full…"
KEYS_HINT = "Shift+Enter runs the check; Enter starts a new line."
IDLE_TEXT = "Ready when you are."
EMPTY_TEXT = "Type a company name or paste a job description first."
Frame = tuple[Any, ...]


def build(host: Host, settings: Settings) -> None:
    """Lay out the tab and wire its events (called inside the Blocks context)."""
    resources = resources_for_settings(host, settings)  # the same profile and notes as the API
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
                info=KEYS_HINT,
                lines=4,
                max_lines=12,
                placeholder=QUERY_PLACEHOLDER,
                elem_id="fitcheck-query",
            )
            with gr.Row():
                good = gr.Button("Good-fit example", size="sm", elem_id="fitcheck-example-good")
                bad = gr.Button("Poor-fit example", size="sm", elem_id="fitcheck-example-bad")
            run = gr.Button("Run fit check", variant="primary", elem_id="fitcheck-run")
            status = gr.HTML(idle_html(IDLE_TEXT), elem_id="fitcheck-status", js_on_load=STATUS_JS)
            phases = gr.HTML(phases_html(None), elem_id="fitcheck-phases", js_on_load=None)
        with gr.Column(scale=6, min_width=320):
            result = gr.HTML(result_html(None), elem_id="fitcheck-result", js_on_load=REVEAL_JS)
            with gr.Accordion("Full write-up", open=True, elem_id="fitcheck-answer-box"):
                answer = gr.Markdown("", elem_id="fitcheck-answer", sanitize_html=True)
    with gr.Accordion("Agent thoughts (newest first)", open=True, elem_id="fitcheck-thoughts-box"):
        thoughts = gr.HTML(thoughts_html(None), elem_id="fitcheck-thoughts", js_on_load=None)

    outputs = [session, badge, status, phases, thoughts, result, answer, run, good, bad]

    async def on_run(text: str, state: TabSession | None, request: gr.Request):
        updates = stream_fit_check(host, resources, text, state, client_of(request))
        async for update in updates:
            yield update

    def on_new_session() -> Frame:
        return (
            None,
            session_badge(None),
            idle_html(IDLE_TEXT),
            phases_html(None),
            thoughts_html(None),
            result_html(None),
            "",
            *_controls(True),
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


def _controls(enabled: bool) -> tuple[Any, Any, Any]:
    """Run and the two examples: off while this tab's own run is in progress."""
    return tuple(gr.update(interactive=enabled) for _ in range(3))  # type: ignore[return-value]


def _status_only(status: str, enabled: bool) -> Frame:
    """Change the status line (and the controls), leave the rest of the page as it is."""
    keep = gr.skip()
    return (keep, keep, status, keep, keep, keep, keep, *_controls(enabled))


async def stream_fit_check(
    host: Host, resources: Resources, text: str, state: TabSession | None, client: str | None
) -> AsyncIterator[Frame]:
    """Start a run on the tab's session and yield the tab's outputs as its events arrive."""
    if not (text or "").strip():
        yield _status_only(status_html(RunState.FAILED, EMPTY_TEXT), True)
        return
    try:
        body = FitCheckRequest.model_validate({"query": text, "include_thoughts": True})
    except ValidationError as error:
        yield _status_only(status_html(RunState.FAILED, validation_message(error)), True)
        return
    yield _status_only(queued_html(), False)
    try:
        opened, state = await open_tab_session(host, state)
        run, subscriber = await start_fit_check(host, opened, body, client, resources=resources)
    except BoothError as error:  # turned away (busy) or refused: nothing started
        yield _status_only(refused_html(error), True)
        return
    view = RunView()

    def frame() -> Frame:
        return (
            state,
            session_badge(state),
            run_status_html(view),
            phases_html(view),
            thoughts_html(view),
            result_html(view),
            answer_markdown(view.answer),
            *_controls(view.finished),
        )

    yield frame()
    last = 0.0
    async with aclosing(host.events(run, subscriber)) as events:
        async for event in events:
            view.apply(event)
            now = time.monotonic()
            if event.type is EventType.THOUGHT and now - last < THOUGHT_BATCH_SECONDS:
                continue
            last = now
            yield frame()
    if not view.finished:  # the stream ended without its last event (the server went away)
        view.fail(BoothError(ErrorCode.INTERNAL, "The run ended without an answer."))
        yield frame()
