"""`python -m bench.serve KIND PORT`: one benchmark server process.

KIND: `booth` / `bare` (the synthetic run, bench/synthetic.py); `fitcheck` (booth with its apps,
no UI); `booth-ui` (booth with its apps and the UI, as `booth serve` starts); `replay` (a bare
sse-starlette app replaying the events in the file BENCH_REPLAY, with a /health route);
`replay-hold` / `booth-hold` (the recorded events but the terminal one, from a bare app / from a
run in booth's full stack, then the stream stays open until the client leaves: an open stream).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import uvicorn
from fastapi import APIRouter, FastAPI, Request
from sse_starlette import EventSourceResponse

from bench.synthetic import bare_app, booth_router
from booth.config import Settings
from booth.core.events import TERMINAL, EventType
from booth.core.host import Host
from booth.core.payloads import parse_payload
from booth.core.runs import RunContext
from booth.server import create_app

HOLD_PATH = "/bench/hold"


def replay_app(path: Path) -> FastAPI:
    """A plain sse-starlette endpoint sending recorded events: the cheapest server of a stream."""
    recorded = json.loads(path.read_text())
    app = FastAPI()

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/api/fit-check/stream")
    async def stream() -> EventSourceResponse:
        async def events():
            for event in recorded:
                yield event

        return EventSourceResponse(events())

    return app


def recorded_events(path: Path) -> list[dict[str, str]]:
    return list(json.loads(path.read_text()))


def held(recorded: list[dict[str, str]]) -> list[dict[str, str]]:
    """The recorded events a held stream sends: all but the terminal one."""
    return [event for event in recorded if EventType(event["event"]) not in TERMINAL]


def replay_hold_app(path: Path) -> FastAPI:
    """A bare endpoint that sends the recorded events, then keeps the stream open."""
    events = held(recorded_events(path))
    app = FastAPI()

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post(HOLD_PATH)
    async def hold() -> EventSourceResponse:
        async def stream():
            for event in events:
                yield event
            await asyncio.Event().wait()  # until the client leaves

        return EventSourceResponse(stream())

    return app


def booth_hold_router(path: Path):
    """A booth run that emits the recorded events (its first status is the runtime's), then
    waits: booth's whole stack (session, lease, run, event log, SSE) holding an open stream."""
    # Parsed once, as the bare app reads its events once: each run then only emits them.
    recorded = [
        (EventType(event["event"]), parse_payload(event["event"], json.loads(event["data"])))
        for event in held(recorded_events(path))[1:]
    ]

    async def pipeline(ctx: RunContext) -> None:
        for kind, payload in recorded:
            await ctx.send(kind, payload)
            await ctx.checkpoint()  # as a real pipeline does between steps
        await asyncio.Event().wait()  # until the reader leaves and the run is cancelled

    def router(host: Host, settings: Settings | None = None) -> APIRouter:
        api = APIRouter()

        @api.post(HOLD_PATH)
        async def hold(request: Request):
            opened = await host.open_for_request(request, None)
            run, subscriber = await host.start(
                opened, app="bench", client=host.client_key(request, None), pipeline=pipeline
            )
            return host.sse(run, subscriber, opened)

        return api

    return router


def build(kind: str) -> FastAPI:
    if kind == "bare":
        return bare_app()
    if kind == "replay":
        return replay_app(Path(os.environ["BENCH_REPLAY"]))
    if kind == "replay-hold":
        return replay_hold_app(Path(os.environ["BENCH_REPLAY"]))
    if kind == "booth-hold":
        hold = booth_hold_router(Path(os.environ["BENCH_REPLAY"]))
        return create_app(Settings(ui=False, log_level="WARNING"), routers=[hold])
    if kind == "fitcheck":
        return create_app(Settings(ui=False, log_level="WARNING"))
    if kind == "booth-ui":
        return create_app(Settings(ui=True, log_level="WARNING"))
    return create_app(Settings(ui=False, log_level="WARNING"), routers=[booth_router])


def main() -> None:
    kind, port = sys.argv[1], int(sys.argv[2])
    uvicorn.run(build(kind), host="127.0.0.1", port=port, log_level="warning", backlog=4096)


if __name__ == "__main__":
    main()
