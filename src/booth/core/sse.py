"""Turning a run's events into an HTTP Server-Sent Events response (sse-starlette).

The transport adds what the wire contract asks for: the headers, a comment heartbeat, and on
server shutdown a last `error SHUTTING_DOWN` before the connection closes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable

import anyio
from sse_starlette import EventSourceResponse

from booth.core.events import Event


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


def event_stream(
    batches: AsyncGenerator[list[Event], None],
    *,
    headers: dict[str, str],
    heartbeat: float,
    on_shutdown: Callable[[], None],
    shutdown_grace: float = 5.0,
) -> EventSourceResponse:
    """An SSE response that relays batches of events until the terminal one.

    When the server begins to shut down, `on_shutdown` ends the runs, and the resulting terminal
    events still reach the client within `shutdown_grace` seconds.
    """
    shutdown = anyio.Event()

    async def watch_shutdown() -> None:
        await shutdown.wait()
        on_shutdown()

    async def body() -> AsyncIterator[bytes]:
        watcher = asyncio.create_task(watch_shutdown())
        try:
            async for batch in batches:
                yield b"".join(event.sse() for event in batch)
        finally:
            watcher.cancel()
            await batches.aclose()

    return EventSourceResponse(
        body(),
        headers=headers,
        ping=heartbeat,
        shutdown_event=shutdown,
        shutdown_grace_period=shutdown_grace,
    )
