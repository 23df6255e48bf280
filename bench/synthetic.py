"""The synthetic 8-phase run both benchmark servers emit: ~36 events, no sleeps.

`booth_router` runs it through booth's full stack (session, lease, runtime, event log, SSE);
`bare_app` emits the same events from a plain sse-starlette endpoint, the baseline.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel
from sse_starlette import EventSourceResponse

from booth.apps.fitcheck.models import PHASES
from booth.core.host import Host, client_address
from booth.core.runs import RunContext


class Body(BaseModel):
    query: str
    session_id: str | None = None


async def synthetic_pipeline(ctx: RunContext, query: str) -> None:
    for phase in PHASES:
        await ctx.phase(phase, f"{phase}: {query}")
        await ctx.thought("tool_call", phase, f"looking up {query}", tool="search")
        await ctx.thought("observation", phase, f"found facts about {query}")
        await ctx.phase_complete(phase, f"{phase} done", {"query": query})
    await ctx.response(f"answer about {query}")
    await ctx.result({"query": query, "score": 80})


def booth_router(host: Host, settings=None) -> APIRouter:
    router = APIRouter()

    @router.post("/bench/stream")
    async def stream(body: Body, request: Request):
        opened = await host.open_for_request(request, body.session_id)
        run, subscriber = await host.start(
            opened,
            app="bench",
            client=client_address(request),
            pipeline=lambda ctx: synthetic_pipeline(ctx, body.query),
        )
        return host.sse(run, subscriber, opened)

    return router


def bare_app() -> FastAPI:
    app = FastAPI()

    @app.post("/bench/stream")
    async def stream(body: Body):
        async def events():
            seq = 0

            def event(kind: str, data: dict):
                nonlocal seq
                seq += 1
                return {
                    "id": str(seq),
                    "event": kind,
                    "data": json.dumps(data, separators=(",", ":")),
                }

            yield event("status", {"status": "started", "message": "bench run started"})
            step = 0
            for phase in PHASES:
                yield event("phase", {"phase": phase, "message": f"{phase}: {body.query}"})
                for kind, text in (
                    ("tool_call", "looking up"),
                    ("observation", "found facts about"),
                ):
                    step += 1
                    yield event(
                        "thought",
                        {
                            "step": step,
                            "type": kind,
                            "phase": phase,
                            "content": f"{text} {body.query}",
                        },
                    )
                yield event(
                    "phase_complete",
                    {
                        "phase": phase,
                        "summary": f"{phase} done",
                        "data": {"query": body.query},
                        "duration_ms": 0,
                    },
                )
            yield event("response", {"chunk": f"answer about {body.query}"})
            yield event("result", {"query": body.query, "score": 80})
            yield event("complete", {"duration_ms": 0})

        return EventSourceResponse(events(), ping=15)

    return app
