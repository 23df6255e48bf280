"""HTTP endpoints of the music app, with the seed's contract (DESIGN §6) kept.

BeatDebate's Gradio app calls these server-side with a uuid4 per browser tab and no token; run
booth with `BOOTH_SESSION_AUTH=trusted` behind it (see the README). A request naming a session
that does not exist yet creates it, on every endpoint that writes.
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from pydantic import ValidationError

from booth.apps.music import service
from booth.apps.music.pipeline import EngineSlot, MusicEngine
from booth.apps.music.service import FeedbackRequest, PlanningRequest, RecommendationRequest
from booth.core import openapi
from booth.core.errors import BoothError, ErrorCode
from booth.core.host import Host, request_token
from booth.core.requests import SessionIdPath
from booth.providers.lastfm import install_lastfm


def create_router(host: Host, settings=None, *, engine: MusicEngine | None = None) -> APIRouter:
    """The music routes; `engine` (catalog + planner) defaults to the bundled catalog, loaded
    on the first music request rather than at start-up."""
    if engine is not None:
        slot = EngineSlot.holding(engine)
    else:
        window = settings.music_context_window if settings is not None else service.CONTEXT_WINDOW
        if settings is not None:
            install_lastfm(host, settings)  # before the engine is built, which reads it
        slot = service.engine_slot(host, window)
    router = APIRouter(tags=["music"])

    @router.post("/recommendations", responses=openapi.RUN)
    async def recommendations(body: RecommendationRequest, request: Request):
        """One recommendation turn, answered as one JSON document."""
        opened = await host.open_for_request(request, body.session_id, body.session_token)
        client = host.client_key(request, opened.id)
        result = await service.recommend(host, await slot.ready(), opened, body, client)
        return host.json(result, opened)

    @router.post("/recommendations/stream", responses=openapi.STREAM)
    async def recommendations_stream(body: RecommendationRequest, request: Request):
        """The same turn as Server-Sent Events: phases, thoughts, response, result."""
        opened = await host.open_for_request(request, body.session_id, body.session_token)
        run, subscriber = await service.start_recommendation(
            host, await slot.ready(), opened, body, host.client_key(request, opened.id)
        )
        return host.sse(run, subscriber, opened)

    @router.post("/planning", responses=openapi.errors(403, 404) | openapi.BODY)
    async def planning(body: PlanningRequest, request: Request):
        """The planner's strategy for a query, without running it (a new session is created)."""
        named = body.session_id or request.headers.get("x-session-id")
        opened = (
            await host.open_for_request(request, body.session_id, body.session_token, defer=False)
            if named
            else None
        )
        return await service.plan(host, await slot.ready(), body, opened)

    @router.post("/feedback", responses=openapi.errors(403, 404, 409) | openapi.BODY)
    async def feedback(
        request: Request,
        body: FeedbackRequest | None = None,
        session_id: str | None = Query(None),
        recommendation_id: str | None = Query(None),
        feedback: str | None = Query(None),
    ):
        """Thumbs up/down for a track: a JSON body, or the seed's query parameters."""
        if body is None:
            try:
                body = FeedbackRequest.model_validate(
                    {
                        "session_id": session_id,
                        "recommendation_id": recommendation_id,
                        "feedback": feedback,
                    }
                )
            except ValidationError as exc:
                problems = "; ".join(
                    f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
                )
                raise BoothError(ErrorCode.INVALID_QUERY, problems) from None
        token = request_token(request, body.session_token)
        return await service.record_feedback(host, await slot.ready(), body, token)

    @router.get("/sessions/{session_id}/history", responses=openapi.SESSION_READ)
    async def session_history(
        session_id: SessionIdPath, request: Request, limit: int = Query(100, ge=1, le=1000)
    ):
        return await service.history(host, session_id, request_token(request), limit)

    @router.get("/sessions/{session_id}/context", responses=openapi.SESSION_READ)
    async def session_context(session_id: SessionIdPath, request: Request):
        """A redacted summary of what this session remembers."""
        return await service.context_summary(
            host, await slot.ready(), session_id, request_token(request)
        )

    @router.get("/music/catalog", responses=openapi.ANY)
    async def catalog_figures():
        catalog = (await slot.ready()).catalog
        return {"figures": catalog.figures(), "files": len(catalog.sources)}

    return router
