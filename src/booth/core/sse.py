"""Turning a run's events into an HTTP Server-Sent Events response (sse-starlette).

The transport adds what the wire contract asks for: the headers, a comment heartbeat, and on
server shutdown a last `error SHUTTING_DOWN` before the connection closes.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator
from typing import cast

import anyio
from sse_starlette import EventSourceResponse

from booth.core.events import Event

# The largest write a stream makes. Joining a batch saves a write per event, but a write the
# socket cannot take at once leaves its rest in the transport's buffer, a copy per stream:
# 16 KB is Linux's default TCP send buffer, and a burst of whole-run writes (~21 KB for a
# fit check) to many streams at once left that much more memory per stream behind.
WRITE_LIMIT = 8 * 1024


def session_headers(session_id: str, session_token: str | None = None) -> dict[str, str]:
    """`X-Session-ID`, and `X-Session-Token` when the token was minted by this request."""
    headers = {"X-Session-ID": session_id}
    if session_token:
        headers["X-Session-Token"] = session_token
    return headers


def sse_headers(run_id: str, session_id: str, session_token: str | None = None) -> dict[str, str]:
    return {
        "Cache-Control": "no-cache",
        "X-Accel-Buffering": "no",
        "X-Run-ID": run_id,
        **session_headers(session_id, session_token),
    }


class ShutdownHook:
    """What sse-starlette sets when the server begins to shut down, as a call instead of an Event.

    sse-starlette's `shutdown_event` is only ever `set()` (to let the body end cooperatively);
    booth's answer is to end every run, whose terminal events then end the streams. A waiting
    task per open stream would do the same at a task, an Event and a deque per stream, so
    one hook object serves every stream of a host.
    """

    def __init__(self, on_shutdown: Callable[[], None]) -> None:
        self._on_shutdown = on_shutdown
        self._set = False

    def set(self) -> None:
        if not self._set:
            self._set = True
            self._on_shutdown()


def writes(batch: list[Event]) -> Iterator[bytes]:
    """A batch's SSE messages joined into writes of at most `WRITE_LIMIT` bytes (a message
    larger than that is a write of its own)."""
    joined: list[bytes] = []
    size = 0
    for event in batch:
        message = event.sse()
        if joined and size + len(message) > WRITE_LIMIT:
            yield b"".join(joined)
            joined, size = [], 0
        joined.append(message)
        size += len(message)
    if joined:
        yield b"".join(joined)


def event_stream(
    batches: AsyncGenerator[list[Event], None],
    *,
    headers: dict[str, str],
    heartbeat: float,
    on_shutdown: ShutdownHook,
    shutdown_grace: float = 5.0,
) -> EventSourceResponse:
    """An SSE response that relays batches of events until the terminal one.

    When the server begins to shut down, `on_shutdown` ends the runs, and the resulting terminal
    events still reach the client within `shutdown_grace` seconds.
    """

    async def body() -> AsyncIterator[bytes]:
        try:
            async for batch in batches:
                for chunk in writes(batch):
                    yield chunk
                    del chunk
                del batch  # an open stream waits in `batches`: nothing it sent is kept there
        finally:
            await batches.aclose()

    return EventSourceResponse(
        body(),
        headers=headers,
        ping=heartbeat,
        shutdown_event=cast(anyio.Event, on_shutdown),  # only `set()` is called on it
        shutdown_grace_period=shutdown_grace,
    )
