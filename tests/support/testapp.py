"""A small app for testing the runtime: 8 phases whose every event carries the caller's canary.

It is a real app on booth's runtime (router, session, pipeline), so the core's end-to-end tests
exercise exactly the path Fit Check and Music use, without importing either.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from pydantic import Field

from booth.core import openapi
from booth.core.host import Host, client_address
from booth.core.requests import OptionalSessionId, RequestBody, SessionIdPath
from booth.core.runs import RunContext
from booth.core.sessions.base import update_context

# As many phases as a fit check has, so a run is as long, but the names are the test app's own:
# the core's tests import no app.
PHASES = ("plan", "search", "read", "judge", "compare", "match", "rank", "write")


class CanaryRequest(RequestBody):
    query: str = Field(min_length=3, max_length=2000)
    session_id: OptionalSessionId = None
    session_token: str | None = None
    include_thoughts: bool = True
    delay: float = Field(0.0, ge=0, le=30, description="seconds to sleep in each phase")
    fail: bool = False


def canary_pipeline(query: str, delay: float, fail: bool):
    async def pipeline(ctx: RunContext) -> None:
        for phase in PHASES:
            await ctx.phase(phase, f"{phase} for {query}")
            await ctx.thought("reasoning", phase, f"thinking about {query}")
            if delay:
                await asyncio.sleep(delay)
            await ctx.checkpoint()
            await ctx.phase_complete(phase, f"{phase} done for {query}", {"query": query})
        if fail:
            raise RuntimeError("pipeline exploded")
        await ctx.response(f"answer for {query}")
        await ctx.result({"query": query})
        await ctx.sessions.append_turn(ctx.session_id, {"query": query, "run_id": ctx.run_id})
        await update_context(ctx.sessions, ctx.session_id, lambda c: {**c, "last": query})

    return pipeline


def create_router(host: Host, settings=None) -> APIRouter:
    router = APIRouter(prefix="/test", tags=["test"])

    @router.post("/stream", responses=openapi.STREAM)
    async def stream(body: CanaryRequest, request: Request):
        opened = await host.open_for_request(request, body.session_id, body.session_token)
        run, subscriber = await host.start(
            opened,
            app="canary",
            pipeline=canary_pipeline(body.query, body.delay, body.fail),
            client=client_address(request),
            include_thoughts=body.include_thoughts,
        )
        return host.sse(run, subscriber, opened)

    @router.get("/sessions/{session_id}/history", responses=openapi.SESSION_READ)
    async def history(session_id: SessionIdPath, request: Request):
        from booth.core.host import request_token
        from booth.core.sessions.access import authorize

        await authorize(host.sessions, session_id, request_token(request))
        return {"turns": await host.sessions.recent_turns(session_id, 100)}

    return router
