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

from booth.core.clients import TrustedProxies, client_ip, client_key
from booth.core.events import Event
from booth.core.observability import Metrics
from booth.core.resilience import CircuitBreaker
from booth.core.runs import Pipeline, Subscriber
from booth.core.runtime import Run, Runtime
from booth.core.sessions.access import (
    TOKEN_ACCESS,
    OpenedSession,
    SessionAccess,
    resolve_session_id,
)
from booth.core.sessions.base import SessionRecord, SessionStore
from booth.core.sse import ShutdownHook, event_stream, session_headers, sse_headers

T = TypeVar("T")


NO_PROXIES = TrustedProxies()


def client_address(request: Request, proxies: TrustedProxies = NO_PROXIES) -> str:
    """The caller's IP; `X-Forwarded-For` counts only when the peer is a trusted proxy."""
    peer = request.client.host if request.client else None
    return client_ip(peer, request.headers.get("x-forwarded-for"), proxies)


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
    access: SessionAccess = TOKEN_ACCESS
    proxies: TrustedProxies = NO_PROXIES
    _shared: dict[Any, Any] = field(default_factory=dict, repr=False)
    shutdown_hook: ShutdownHook = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.shutdown_hook = ShutdownHook(self.runtime.begin_shutdown)

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

    async def open_session(
        self, session_id: str | None, token: str | None, *, defer: bool = True
    ) -> OpenedSession:
        """Use the named session (token required unless trusted), or describe a new one.

        A new session is stored by `start`, after admission: a request turned away with 429
        creates nothing, so a retry with the same client-named id works. Endpoints that start
        no run pass `defer=False` to store it at once.
        """
        return await self.access.open(self.sessions, session_id, token, defer=defer)

    async def authorize(self, session_id: str, token: str | None) -> SessionRecord:
        """An existing session for a read (history, context, runs); 404 or 403 otherwise."""
        return await self.access.authorize(self.sessions, session_id, token)

    def client_key(self, request: Request, session_id: str | None) -> str:
        """What the per-client cap counts this request under (see booth.core.clients)."""
        ip = client_address(request, self.proxies)
        return client_key(ip, session_id, per_session=self.access.trusted)

    async def open_for_request(
        self,
        request: Request,
        body_session_id: str | None,
        body_token: str | None = None,
        *,
        defer: bool = True,
    ) -> OpenedSession:
        """Resolve body id → X-Session-ID header → new id, then open it."""
        session_id = resolve_session_id(body_session_id, request.headers.get("x-session-id"))
        token = request_token(request, body_token)
        return await self.open_session(session_id, token, defer=defer)

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

        async def create_if_new() -> None:
            await self.access.persist(self.sessions, opened)

        return await self.runtime.start(
            app=app,
            session_id=opened.id,
            pipeline=pipeline,
            client=client,
            include_thoughts=include_thoughts,
            status=status,
            private_status=private,
            query=query,
            prepare=create_if_new if opened.pending else None,
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
            on_shutdown=self.shutdown_hook,
            shutdown_grace=self.runtime.limits.shutdown_grace,
        )
