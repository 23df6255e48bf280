"""What an app is hosted in: the runtime and stores, and the steps every app endpoint shares.

An app's HTTP router and the web UI both go through these same steps (open the caller's session,
start a run, read its events), so there is one code path for both.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse
from sse_starlette import EventSourceResponse

from booth.core.events import Event
from booth.core.observability import Metrics
from booth.core.resilience import CircuitBreaker
from booth.core.runs import Pipeline, Subscriber
from booth.core.runtime import Run, Runtime
from booth.core.sessions.access import OpenedSession, open_session, resolve_session_id
from booth.core.sessions.base import SessionStore
from booth.core.sse import event_stream, session_headers, sse_headers

T = TypeVar("T")


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def request_token(request: Request, body_token: str | None = None) -> str | None:
    """The session token: `X-Session-Token` header, else the body's `session_token`."""
    return request.headers.get("x-session-token") or body_token


@dataclass
class Host:
    runtime: Runtime
    sessions: SessionStore
    metrics: Metrics
    heartbeat: float = 15.0
    breakers: dict[str, CircuitBreaker] = field(default_factory=dict)
    data_dir: Path = Path(".booth")
    _shared: dict[Any, Any] = field(default_factory=dict, repr=False)

    def shared(self, key: Any, build: Callable[[], T]) -> T:
        """One read-only object per key for this host (an app's loaded data), built on first use.

        The HTTP routes and the UI ask for the same key, so the work is done once.
        """
        if key not in self._shared:
            self._shared[key] = build()
        built: T = self._shared[key]
        return built

    async def close(self) -> None:
        await self.runtime.event_log.close()
        await self.sessions.close()

    async def open_session(self, session_id: str | None, token: str | None) -> OpenedSession:
        """Use the named session (token required) or create it (token minted)."""
        return await open_session(self.sessions, session_id, token)

    async def open_for_request(
        self, request: Request, body_session_id: str | None, body_token: str | None = None
    ) -> OpenedSession:
        """Resolve body id → X-Session-ID header → new id, then open it."""
        session_id = resolve_session_id(body_session_id, request.headers.get("x-session-id"))
        return await self.open_session(session_id, request_token(request, body_token))

    async def start(
        self,
        opened: OpenedSession,
        *,
        app: str,
        pipeline: Pipeline,
        client: str | None,
        include_thoughts: bool = True,
        status: dict[str, Any] | None = None,
        query: str | None = None,
    ) -> tuple[Run, Subscriber]:
        """Start a run on the session; the first `status` event carries a newly minted token.

        `query` is the user's text, for the log line that opens the run (it is truncated there).
        """
        private = {"session_token": opened.minted_token} if opened.minted_token else None
        return await self.runtime.start(
            app=app,
            session_id=opened.id,
            pipeline=pipeline,
            client=client,
            include_thoughts=include_thoughts,
            status=status,
            private_status=private,
            query=query,
        )

    def events(self, run: Run, subscriber: Subscriber) -> AsyncGenerator[Event, None]:
        """The events of a run this caller started, first to last."""
        return self.runtime.events(run, subscriber, replay=False)

    def json(self, content: Any, opened: OpenedSession) -> JSONResponse:
        """A JSON answer on the caller's session, with its session headers."""
        return JSONResponse(content, headers=session_headers(opened.id, opened.minted_token))

    def sse(self, run: Run, subscriber: Subscriber, opened: OpenedSession) -> EventSourceResponse:
        return event_stream(
            self.runtime.batches(run, subscriber, replay=False),
            headers=sse_headers(run.id, opened.id, opened.minted_token),
            heartbeat=self.heartbeat,
            on_shutdown=self.runtime.begin_shutdown,
            shutdown_grace=self.runtime.limits.shutdown_grace,
        )
