"""Reading SSE streams in tests, with httpx-sse, keeping every field the wire carried."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import httpx
from httpx_sse import aconnect_sse


@dataclass
class Received:
    status_code: int
    headers: httpx.Headers
    events: list[dict] = field(default_factory=list)  # {"id", "event", "data"}
    body: dict | None = None  # the JSON error body of a refused request

    @property
    def types(self) -> list[str]:
        return [e["event"] for e in self.events]

    @property
    def terminal(self) -> list[dict]:
        return [e for e in self.events if e["event"] in ("complete", "error")]

    def of(self, kind: str) -> list[dict]:
        return [e["data"] for e in self.events if e["event"] == kind]


async def post_stream(
    client: httpx.AsyncClient,
    path: str,
    body: dict,
    headers: dict | None = None,
    stop_after: int | None = None,
    method: str = "POST",
) -> Received:
    """POST (or GET) and read the SSE stream to its end, or close it after `stop_after` events."""
    kwargs = {"json": body} if method == "POST" else {}
    async with aconnect_sse(client, method, path, headers=headers or {}, **kwargs) as source:
        response = source.response
        received = Received(response.status_code, response.headers)
        if response.status_code != 200:
            await response.aread()
            received.body = response.json()
            return received
        async for sse in source.aiter_sse():
            if not sse.data:  # a heartbeat comment (httpx-sse yields it as an empty event)
                continue
            received.events.append({"id": sse.id, "event": sse.event, "data": json.loads(sse.data)})
            if stop_after is not None and len(received.events) >= stop_after:
                break
    return received


def assert_well_formed(received: Received) -> None:
    """Exactly one terminal event, last; ids 1, 2, 3 … without gaps."""
    assert len(received.terminal) == 1, received.types
    assert received.events[-1]["event"] in ("complete", "error")
    ids = [int(e["id"]) for e in received.events]
    assert ids == list(range(1, len(ids) + 1)), ids
