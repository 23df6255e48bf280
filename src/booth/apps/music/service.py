"""What the HTTP router, the web UI and the terminal chat all call: one code path for each action.

Each function takes the host (runtime and session store) and the engine (catalog, planner,
resolver) explicitly; none keeps anything between calls.
"""

from __future__ import annotations

import time
from typing import Any, Literal

from pydantic import Field

from booth.apps.music.catalog import Track, shared_catalog
from booth.apps.music.context import MusicContext, save_feedback, summary
from booth.apps.music.live import LiveMusic
from booth.apps.music.pipeline import (
    EngineSlot,
    MusicEngine,
    TurnRequest,
    make_plan,
    music_pipeline,
)
from booth.core.errors import BoothError, ErrorCode
from booth.core.host import Host
from booth.core.requests import OptionalSessionId, RequestBody, SessionId
from booth.core.runs import Subscriber
from booth.core.runtime import Run
from booth.core.sessions.access import OpenedSession
from booth.core.sessions.base import update_context
from booth.core.text import UserText
from booth.llm import llm_of
from booth.providers.lastfm import lastfm_of

APP = "music"
CONTEXT_WINDOW = 30 * 60


class RecommendationRequest(RequestBody):
    query: UserText = Field(min_length=1, max_length=500)
    session_id: OptionalSessionId = None
    session_token: str | None = None
    max_recommendations: int = Field(10, ge=1, le=10)
    include_previews: bool = True
    chat_context: dict[str, Any] | list[Any] | None = Field(
        None, description="Accepted for compatibility; the session's stored context is used."
    )
    include_thoughts: bool = True


class PlanningRequest(RequestBody):
    query: UserText = Field(min_length=1, max_length=500)
    session_id: OptionalSessionId = None
    session_token: str | None = None
    max_recommendations: int = Field(10, ge=1, le=10)


# The seed's values, and a neutral one that takes a track's earlier feedback back (an Undo).
FeedbackValue = Literal[
    "thumbs_up", "thumbs_down", "up", "down", "like", "dislike", "neutral", "clear"
]
FEEDBACK_VALUES: dict[str, int] = {
    "thumbs_up": 1,
    "up": 1,
    "like": 1,
    "thumbs_down": -1,
    "down": -1,
    "dislike": -1,
    "neutral": 0,
    "clear": 0,
}
FEEDBACK_NAMES = {1: "thumbs_up", -1: "thumbs_down", 0: "neutral"}  # as answers and history say


class FeedbackRequest(RequestBody):
    session_id: SessionId
    session_token: str | None = None
    track_id: str | None = Field(None, max_length=400)
    recommendation_id: str | None = Field(None, max_length=400, description="alias of track_id")
    feedback: FeedbackValue = Field(
        description="thumbs_up / up / like, thumbs_down / down / dislike, or neutral / clear "
        "to remove the track's earlier feedback in this session"
    )

    @property
    def value(self) -> int:
        """+1 up, -1 down, 0 neutral (no opinion: the earlier feedback is removed)."""
        return FEEDBACK_VALUES[self.feedback]

    @property
    def target(self) -> str:
        target = self.track_id or self.recommendation_id
        if not target:
            raise BoothError(
                ErrorCode.INVALID_QUERY, "track_id (or recommendation_id) is required."
            )
        return target


def engine_slot(host: Host, context_window: float = CONTEXT_WINDOW) -> EngineSlot:
    """This host's engine for a window: the bundled catalog merged with the user's import,
    Last.fm and the model if configured, built on first use (see `EngineSlot`).

    One per host and window: the HTTP routes, the hosted agent and the web UI share it
    (read-only). The music routes install Last.fm (`install_lastfm`) before it is built.
    """

    def build() -> MusicEngine:
        catalog = shared_catalog(host.data_dir)
        client = lastfm_of(host)
        live = LiveMusic(client, catalog) if client is not None else None
        return MusicEngine.build(catalog, context_window, live=live, llm=llm_of(host))

    return host.shared(("music.engine", context_window), lambda: EngineSlot(build))


def default_engine(host: Host, context_window: float = CONTEXT_WINDOW) -> MusicEngine:
    """This host's engine, built now if it is not yet (blocks; async code awaits the slot)."""
    return engine_slot(host, context_window).get()


# -- recommendations -------------------------------------------------------------------------
async def start_recommendation(
    host: Host,
    engine: MusicEngine,
    opened: OpenedSession,
    body: RecommendationRequest,
    client: str | None,
) -> tuple[Run, Subscriber]:
    """Start one turn on the caller's session; the stream and the JSON endpoint both use it."""
    request = TurnRequest(
        query=body.query,
        count=body.max_recommendations,
        include_previews=body.include_previews,
        chat_context=body.chat_context,
    )
    return await host.start(
        opened,
        app=APP,
        pipeline=music_pipeline(engine, request),
        client=client,
        include_thoughts=body.include_thoughts,
        query=body.query,
    )


async def recommend(
    host: Host,
    engine: MusicEngine,
    opened: OpenedSession,
    body: RecommendationRequest,
    client: str | None,
) -> dict[str, Any]:
    """Run one turn to its end and return its `result`; an `error` event becomes a BoothError."""
    run, subscriber = await start_recommendation(host, engine, opened, body, client)
    result = dict((await host.runtime.outcome(run, subscriber)).root)
    if opened.minted_token:
        result["session_token"] = opened.minted_token
    return result


# -- planning, feedback, history, context ----------------------------------------------------
async def plan(
    host: Host, engine: MusicEngine, body: PlanningRequest, opened: OpenedSession | None
) -> dict[str, Any]:
    """The planner's decision for a query, without running it.

    With a session (opened by the caller: created if new) the follow-up resolver sees that
    session's context; without one nothing is stored.
    """
    started = time.perf_counter()
    music = MusicContext.from_session(opened.record.context) if opened else MusicContext()
    decided = make_plan(
        engine, body.query, music, host.sessions.clock(), host.sessions.expiry.idle_ttl
    )
    answer: dict[str, Any] = {
        "strategy": decided.to_dict(music.anchor, body.max_recommendations),
        "execution_time": round(time.perf_counter() - started, 4),
        "session_id": opened.id if opened else None,
    }
    if opened and opened.minted_token:
        answer["session_token"] = opened.minted_token
    return answer


async def record_feedback(
    host: Host, engine: MusicEngine, body: FeedbackRequest, token: str | None
) -> dict[str, Any]:
    """Store a thumbs up/down in the session (created if new), or with a neutral value remove
    the track's earlier one; later rankings and follow-ups read what is stored."""
    opened = await host.open_session(body.session_id, token, defer=False)
    record = await host.sessions.get(opened.id)
    context = record.context if record is not None else None
    track = engine.catalog.track(body.target) or shown_track(context, body.target)
    if track is None:
        raise BoothError(ErrorCode.NOT_FOUND, f"No track {body.target!r} in the catalog.")
    earlier = MusicContext.from_session(context).feedback.get(track.track_id, 0)
    now = host.sessions.clock()
    await update_context(
        host.sessions, body.session_id, save_feedback(track.track_id, body.value, now)
    )
    name = FEEDBACK_NAMES[body.value]
    await host.sessions.append_turn(
        body.session_id, {"app": APP, "at": now, "feedback": name, "track_id": track.track_id}
    )
    answer = {
        "message": "Feedback recorded." if body.value else "Feedback cleared.",
        "session_id": body.session_id,
        "track_id": track.track_id,
        "feedback": name,
        "effect": feedback_effect(track, body.value, earlier),
    }
    if opened.minted_token:
        answer["session_token"] = opened.minted_token
    return answer


def feedback_effect(track: Track, value: int, earlier: int) -> str:
    """What a feedback changes, in words (`earlier`: the track's feedback before it, 0 none)."""
    if value > 0:
        return f"Tracks by {track.artist} will rank higher in this session."
    if value < 0:
        return f"'{track.title}' will not be shown again; tracks by {track.artist} will rank lower."
    if not earlier:
        return f"'{track.title}' had no feedback to clear."
    thumb = "thumbs-up" if earlier > 0 else "thumbs-down"
    return f"Your {thumb} on '{track.title}' is cleared: tracks by {track.artist} rank as before."


def shown_track(context: dict[str, Any] | None, track_id: str) -> Track | None:
    """A track this session was shown from a live provider (not in the bundled catalog)."""
    if track_id not in set(MusicContext.from_session(context).shown) or "||" not in track_id:
        return None
    artist, title = track_id.split("||", 1)
    return Track(track_id=track_id, title=title, artist=artist, artist_key=artist)


async def history(
    host: Host, session_id: str, token: str | None, limit: int = 100
) -> dict[str, Any]:
    await host.authorize(session_id, token)
    turns = await host.sessions.recent_turns(session_id, limit)
    return {"session_id": session_id, "history": [t for t in turns if t.get("app", APP) == APP]}


async def context_summary(
    host: Host, engine: MusicEngine, session_id: str, token: str | None
) -> dict[str, Any]:
    record = await host.authorize(session_id, token)
    now = host.sessions.clock()
    music = MusicContext.from_session(record.context)
    return {
        "session_id": session_id,
        "context_summary": summary(music, now, engine.context_window),
        "timestamp": now,
    }
