"""`python -m bench.serve KIND PORT`: one benchmark server process.

KIND: `booth` / `bare` (the synthetic run, bench/synthetic.py); `fitcheck` (booth with its apps,
no UI); `booth-ui` (booth with its apps and the UI, as `booth serve` starts); `replay` (a bare
sse-starlette app replaying the events in the file BENCH_REPLAY, with a /health route).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from sse_starlette import EventSourceResponse

from bench.synthetic import bare_app, booth_router
from booth.config import Settings
from booth.server import create_app


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


def build(kind: str) -> FastAPI:
    if kind == "bare":
        return bare_app()
    if kind == "replay":
        return replay_app(Path(os.environ["BENCH_REPLAY"]))
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
