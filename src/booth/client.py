"""An async Python client for booth: streams a run's events and resumes it after a drop.

One `BoothClient` is one user: it remembers the session id and token the server gave it and
sends them with every later request, so follow-ups land in the same private session.

    async with BoothClient("http://127.0.0.1:8000") as client:
        async for event in client.fit_check("Cloudflare"):
            print(event.type, event.payload())
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
from httpx_sse import EventSource, aconnect_sse

from booth.core.events import TERMINAL
from booth.core.payloads import AnyPayload, parse_payload


@dataclass(frozen=True)
class ClientEvent:
    """One event as the server sent it: its id, type and JSON payload."""

    id: int
    type: str
    data: dict[str, Any]

    @property
    def terminal(self) -> bool:
        return self.type in TERMINAL

    def payload(self) -> AnyPayload:
        """The typed payload (`booth.core.payloads`); raises if the server sent a malformed one."""
        return parse_payload(self.type, self.data)


async def _events(source: EventSource) -> AsyncIterator[ClientEvent]:
    async for sse in source.aiter_sse():
        if not sse.data:
            # httpx-sse hands a heartbeat comment on as an empty event once an id has been
            # seen; the SSE spec dispatches nothing for an empty data buffer, so neither do we.
            continue
        yield ClientEvent(int(sse.id), sse.event, json.loads(sse.data))


class BoothClientError(Exception):
    """The server refused a request (4xx/5xx) with one of booth's error codes."""

    def __init__(self, status: int, code: str, message: str, retry_after: str | None = None):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after


class BoothClient:
    def __init__(
        self,
        base_url: str,
        *,
        session_id: str | None = None,
        session_token: str | None = None,
        timeout: float = 120.0,
        max_resumes: int = 3,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.session_id = session_id
        self.session_token = session_token
        self.max_resumes = max_resumes
        self.last_run_id: str | None = None
        self._http = http or httpx.AsyncClient(timeout=timeout)
        self._owns_http = http is None

    async def __aenter__(self) -> BoothClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    # -- session bookkeeping ------------------------------------------------------------------
    def _headers(self) -> dict[str, str]:
        headers = {}
        if self.session_token:
            headers["X-Session-Token"] = self.session_token
        return headers

    def _body(self, body: dict[str, Any]) -> dict[str, Any]:
        return {**body, "session_id": self.session_id} if self.session_id else dict(body)

    def _remember(self, response: httpx.Response) -> None:
        self.session_id = response.headers.get("x-session-id", self.session_id)
        self.session_token = response.headers.get("x-session-token", self.session_token)
        self.last_run_id = response.headers.get("x-run-id", self.last_run_id)

    @staticmethod
    async def _raise_for(response: httpx.Response) -> None:
        if response.status_code < 400:
            return
        await response.aread()
        try:
            error = response.json()["error"]
            code, message = error["code"], error["message"]
        except (ValueError, KeyError, TypeError):
            code, message = "INTERNAL", response.text[:200]
        raise BoothClientError(
            response.status_code, code, message, response.headers.get("retry-after")
        )

    # -- streaming ----------------------------------------------------------------------------
    async def stream(self, path: str, body: dict[str, Any]) -> AsyncIterator[ClientEvent]:
        """POST a run and yield its events; if the connection drops, resume where it stopped."""
        last = 0
        run_id = None
        try:
            async with aconnect_sse(
                self._http,
                "POST",
                self.base_url + path,
                json=self._body(body),
                headers=self._headers(),
            ) as source:
                await self._raise_for(source.response)
                self._remember(source.response)
                run_id = source.response.headers.get("x-run-id")
                async for event in _events(source):
                    last = event.id
                    yield event
                    if event.terminal:
                        return
        except (httpx.ReadError, httpx.RemoteProtocolError, httpx.ReadTimeout):
            if run_id is None:
                raise
        async for event in self.resume(run_id, last):
            yield event

    async def resume(self, run_id: str, last_event_id: int = 0) -> AsyncIterator[ClientEvent]:
        """Events of a run after `last_event_id`, replayed then live (on any replica)."""
        for attempt in range(self.max_resumes + 1):
            try:
                async with aconnect_sse(
                    self._http,
                    "GET",
                    f"{self.base_url}/api/runs/{run_id}/events",
                    headers={**self._headers(), "Last-Event-ID": str(last_event_id)},
                ) as source:
                    await self._raise_for(source.response)
                    async for event in _events(source):
                        last_event_id = event.id
                        yield event
                        if event.terminal:
                            return
                return
            except (httpx.ReadError, httpx.RemoteProtocolError, httpx.ReadTimeout):
                if attempt == self.max_resumes:
                    raise

    # -- the apps -----------------------------------------------------------------------------
    def fit_check(self, query: str, **options: Any) -> AsyncIterator[ClientEvent]:
        return self.stream("/api/fit-check/stream", {"query": query, **options})

    def recommend_stream(self, query: str, **options: Any) -> AsyncIterator[ClientEvent]:
        return self.stream("/recommendations/stream", {"query": query, **options})

    async def recommend(self, query: str, **options: Any) -> dict[str, Any]:
        response = await self._http.post(
            self.base_url + "/recommendations",
            json=self._body({"query": query, **options}),
            headers=self._headers(),
        )
        await self._raise_for(response)
        self._remember(response)
        return response.json()

    async def get(self, path: str) -> Any:
        response = await self._http.get(self.base_url + path, headers=self._headers())
        await self._raise_for(response)
        return response.json()

    async def history(self) -> Any:
        return await self.get(f"/sessions/{self.session_id}/history")

    async def cancel(self, run_id: str) -> dict[str, Any]:
        response = await self._http.post(
            f"{self.base_url}/api/runs/{run_id}/cancel", headers=self._headers()
        )
        await self._raise_for(response)
        return response.json()

    async def health(self) -> dict[str, Any]:
        response = await self._http.get(self.base_url + "/health")
        return response.json()
