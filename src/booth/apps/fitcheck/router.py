"""Fit Check's HTTP endpoints, with the seed's contract kept exactly.

POST /api/fit-check/stream      the analysis as Server-Sent Events
GET  /api/fit-check/health      engine, profile, knowledge and active runs
GET  /api/prompts               every phase's rules (and LLM prompt template)
GET  /api/prompts/{phase}       one phase
POST /api/examples/generate     a realistic job description that fits well or badly

res_web's frontend calls these from its own origin: set `BOOTH_CORS_ORIGINS` to it.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import Field

from booth.apps.fitcheck import prompts
from booth.apps.fitcheck.examples import generate_example
from booth.apps.fitcheck.knowledge import count_notes
from booth.apps.fitcheck.phases import Resources
from booth.apps.fitcheck.service import (
    APP,
    FitCheckRequest,
    engine_for_host,
    resources_for_settings,
    start_fit_check,
    with_model,
)
from booth.core import openapi
from booth.core.errors import BoothError, ErrorCode
from booth.core.host import Host
from booth.core.requests import RequestBody


class ExampleRequest(RequestBody):
    quality: Literal["good", "bad"] = Field("good", description="A good or a bad fit")
    seed: int | None = Field(None, description="Pick the same example every time")


def create_router(
    host: Host, settings, resources: Resources | None = None, pace: float = 0.0
) -> APIRouter:
    """The Fit Check routes over one set of read-only resources (loaded here, once).

    `pace` pauses between phases (seconds) so that a demo - or a disconnect test - sees the
    stream unfold; it is 0 by default.
    """
    resources = resources or resources_for_settings(host, settings)
    engine = engine_for_host(host, resources, pace=pace)
    router = APIRouter(tags=["fit-check"])

    @router.post("/api/fit-check/stream", responses=openapi.STREAM)
    async def stream(body: FitCheckRequest, request: Request):
        """Stream a fit analysis: status, phases and thoughts, response chunks, result, complete."""
        body = with_model(host, body)  # an unknown model_id is refused before a session exists
        opened = await host.open_for_request(request, body.session_id, body.session_token)
        client = host.client_key(request, opened.id)
        run, subscriber = await start_fit_check(
            host, opened, body, client, resources=resources, engine=engine
        )
        return host.sse(run, subscriber, opened)

    @router.get("/api/fit-check/health", responses=openapi.ANY)
    async def health():
        candidate = resources.candidate
        active = sum(1 for run in host.runtime.runs.values() if run.app == APP)
        return {
            "status": "healthy",
            "service": "fit-check",
            "engine": engine.kind,
            "active_runs": active,
            "profile": {
                "name": candidate.profile.name,
                "title": candidate.profile.title,
                "years_of_experience": candidate.years,
                "seniority": candidate.seniority,
            },
            "knowledge": {
                "companies": len(resources.kb),
                "notes": count_notes(resources.notes_dir),
            },
        }

    @router.get("/api/prompts", responses=openapi.ANY)
    async def list_prompts():
        return {"phases": [prompts.describe(name) for name in prompts.PHASE_PROMPTS]}

    @router.get("/api/prompts/{phase}", responses=openapi.errors(404) | openapi.ANY)
    async def get_prompt(phase: str):
        if phase not in prompts.PHASE_PROMPTS:
            raise BoothError(
                ErrorCode.NOT_FOUND,
                f"No phase {phase!r}; phases: {', '.join(prompts.PHASE_PROMPTS)}.",
            )
        return prompts.describe(phase, full=True)

    @router.post("/api/examples/generate", responses=openapi.BODY)
    async def examples(body: ExampleRequest):
        return generate_example(body.quality, resources, body.seed)

    return router
