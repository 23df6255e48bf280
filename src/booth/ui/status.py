"""The one waiting state both tabs show: queued, running, turned away (with a countdown), done.

Each tab has a status line above its results. It is a live region (`role=status`,
`aria-live=polite`), set on the component's container by `STATUS_JS` so it survives Gradio's
re-renders and a screen reader hears every change. A turned-away run carries the server's
`Retry-After` as a countdown the browser ticks down by itself; nothing is polled.

The same words serve both tabs: a limit is a limit, whichever app the user was asking.
"""

from __future__ import annotations

from enum import StrEnum

from booth.core.errors import BoothError, ErrorCode
from booth.ui.render import describe_error, esc


class RunState(StrEnum):
    IDLE = "idle"
    QUEUED = "queued"  # asked for, not started: the server is admitting it
    RUNNING = "running"
    TURNED_AWAY = "turned_away"  # refused for capacity; a countdown says when to retry
    DONE = "done"
    FAILED = "failed"


BUSY_CODES = (ErrorCode.RATE_LIMITED, ErrorCode.SHUTTING_DOWN)
DEFAULT_RETRY_SECONDS = 1.0  # when a refusal names no Retry-After


def status_html(state: RunState, text: str = "", retry_after: float | None = None) -> str:
    """The status line; `retry_after` (seconds) adds a countdown to a turned-away run."""
    countdown = ""
    if state is RunState.TURNED_AWAY:
        seconds = max(1, round(retry_after or DEFAULT_RETRY_SECONDS))
        countdown = (
            f' <span class="countdown" data-countdown="{seconds}">'
            f"You can try again in <b>{seconds}</b> s.</span>"
        )
    spinner = '<span class="status-spinner" aria-hidden="true"></span>'
    busy = state in (RunState.QUEUED, RunState.RUNNING)
    return (
        f'<div class="run-status status-{state.value}" data-state="{state.value}">'
        f'{spinner if busy else ""}<span class="status-text">{esc(text)}</span>{countdown}</div>'
    )


def idle_html(hint: str) -> str:
    return status_html(RunState.IDLE, hint)


def queued_html() -> str:
    return status_html(RunState.QUEUED, "Waiting for the server to start your request…")


def refused_html(error: BoothError) -> str:
    """A request that never started: turned away for capacity, or not usable as typed."""
    if error.code in BUSY_CODES:
        return status_html(
            RunState.TURNED_AWAY,
            "The server is busy with other people’s requests right now.",
            error.retry_after,
        )
    title, hint = describe_error(error.code, error.retry_after)
    return status_html(RunState.FAILED, f"{title}: {error.message} {hint}")


# Run once when the status component loads: mark its container as the live region (it persists
# across re-renders, the HTML inside does not) and tick every countdown down to zero.
STATUS_JS = """
element.setAttribute('role', 'status');
element.setAttribute('aria-live', 'polite');
element.setAttribute('aria-atomic', 'true');
setInterval(() => {
  element.querySelectorAll('[data-countdown]').forEach((span) => {
    if (!span.dataset.deadline) {
      span.dataset.deadline = String(Date.now() + Number(span.dataset.countdown) * 1000);
    }
    const left = Math.ceil((Number(span.dataset.deadline) - Date.now()) / 1000);
    if (left > 0) {
      const shown = span.querySelector('b');
      if (shown && shown.textContent !== String(left)) shown.textContent = String(left);
    } else if (!span.dataset.ready) {
      span.dataset.ready = '1';
      span.textContent = 'You can try again now.';
    }
  });
}, 250);
"""
