"""What one session remembers between turns, kept compact in the session store.

The seed lost follow-ups because this lived in a process dictionary. Here it is one JSON object
under the `music` key of the session's context, written with `update_context` (optimistic
versioning), so a follow-up works on any replica and a concurrent `/feedback` is never lost.
Tracks are stored as ids (and scores), never as whole records.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from booth.apps.music.models import DecisionKind, Intent, PoolEntry, Refinement

KEY = "music"
SHOWN_LIMIT = 5000  # a session that pages this far starts forgetting its oldest tracks

log = logging.getLogger("booth.music")


class Anchor(BaseModel):
    """The request follow-ups continue: intent, entities and any refinements made since."""

    model_config = ConfigDict(extra="ignore", validate_assignment=False)

    query: str
    intent: Intent
    artists: list[str] = Field(default_factory=list)  # catalog artist keys
    genres: list[str] = Field(default_factory=list)
    moods: list[str] = Field(default_factory=list)
    activities: list[str] = Field(default_factory=list)
    era: tuple[int, int] | None = None  # first and last year
    modifiers: list[Refinement] = Field(default_factory=list)
    seeds: list[str] = Field(default_factory=list)  # track ids a style continues from
    avoid_genres: list[str] = Field(default_factory=list)  # what "something different" left
    deep_dive: bool = False
    stand_in_for: str | None = None  # the unknown artist name `artists` are the closest to
    salt: int = 0  # varies serendipitous picks between turns, deterministically

    def entities(self) -> dict[str, Any]:
        return self.model_dump(
            mode="json",
            include={"artists", "genres", "moods", "activities", "era", "modifiers"},
            exclude_none=False,
        )

    def labels_wanted(self) -> list[str]:
        """The labels a refinement asked for more of."""
        return [m.label for m in self.modifiers if m.label is not None and m.up]


class MusicContext(BaseModel):
    """Everything one session's music chat remembers, under the `music` key of its context."""

    model_config = ConfigDict(extra="ignore")

    anchor: Anchor | None = None
    decision: DecisionKind | None = None
    pool: list[PoolEntry] = Field(default_factory=list)  # best first
    cursor: int = 0  # pool entries before it are all shown
    pool_round: int = 0  # how many times the pool was regrown (broadened)
    shown: list[str] = Field(default_factory=list)  # every track id shown in the session
    last_batch: list[str] = Field(default_factory=list)
    feedback: dict[str, int] = Field(default_factory=dict)  # track id → +1 / -1 (never 0)
    updated_at: float = 0.0
    turns: int = 0

    @classmethod
    def from_session(cls, context: dict[str, Any] | None) -> MusicContext:
        """The stored state, or a fresh one when there is none or it no longer validates."""
        raw = (context or {}).get(KEY) or {}
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            log.warning("stored music context did not validate, starting fresh: %s", exc)
            return cls()

    def to_dict(self) -> dict[str, Any]:
        data = self.model_dump(mode="json")
        data["shown"] = data["shown"][-SHOWN_LIMIT:]
        return data

    def batch_to_continue(self) -> list[str]:
        """The last tracks a "more like these" continues from: none the user thumbed down."""
        return [t for t in self.last_batch if self.feedback.get(t, 0) >= 0]

    def stale(self, now: float, window: float) -> bool:
        return self.anchor is not None and now - self.updated_at > window

    def idle_minutes(self, now: float) -> int:
        return int((now - self.updated_at) // 60)


ContextChange = Callable[[dict[str, Any]], dict[str, Any]]


def save_turn(turn: MusicContext) -> ContextChange:
    """A change for `update_context` that writes this turn's state.

    Feedback is owned by `/feedback`, which may land while the turn runs: the stored feedback
    is kept, never overwritten by the copy the turn read at its start.
    """

    def change(context: dict[str, Any]) -> dict[str, Any]:
        current = MusicContext.from_session(context)
        data = turn.to_dict()
        data["feedback"] = current.feedback
        return {**context, KEY: data}

    return change


def save_feedback(track_id: str, value: int, now: float) -> ContextChange:
    """A change for `update_context` that records one thumbs up (+1) or down (-1), or with 0
    removes the track's feedback (an Undo), and changes nothing else."""

    def change(context: dict[str, Any]) -> dict[str, Any]:
        raw = dict(context.get(KEY) or {})
        feedback = dict(raw.get("feedback") or {})
        feedback.pop(track_id, None)
        if value:
            feedback[track_id] = value
        raw["feedback"] = feedback
        raw.setdefault("updated_at", now)
        return {**context, KEY: raw}

    return change


def summary(music: MusicContext, now: float, window: float) -> dict[str, Any]:
    """A redacted view for `/sessions/{id}/context`: what is remembered, not what was typed."""
    anchor = music.anchor
    shown = set(music.shown)
    remaining = sum(1 for entry in music.pool[music.cursor :] if entry.track_id not in shown)
    return {
        "active": anchor is not None and not music.stale(now, window),
        "stale": music.stale(now, window),
        "idle_seconds": round(now - music.updated_at, 1) if music.updated_at else None,
        "context_window_seconds": window,
        "last_decision": music.decision.value if music.decision else None,
        "anchor": None
        if anchor is None
        else {
            "intent": anchor.intent.value,
            **anchor.entities(),
            "deep_dive": anchor.deep_dive,
        },
        "pool": {
            "size": len(music.pool),
            "cursor": music.cursor,
            "remaining": remaining,
            "round": music.pool_round,
        },
        "shown_count": len(music.shown),
        "feedback": {
            "up": sum(1 for v in music.feedback.values() if v > 0),
            "down": sum(1 for v in music.feedback.values() if v < 0),
        },
        "turns": music.turns,
    }
