"""What one session remembers between turns, kept compact in the session store.

The seed lost follow-ups because this lived in a process dictionary. Here it is one JSON object
under the `music` key of the session's context, written with `update_context` (optimistic
versioning), so a follow-up works on any replica and a concurrent `/feedback` is never lost.
Tracks are stored as ids (and scores), never as whole records.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

KEY = "music"
SHOWN_LIMIT = 5000  # a session that pages this far starts forgetting its oldest tracks


@dataclass
class Anchor:
    """The request follow-ups continue: intent, entities and any refinements made since."""

    query: str
    intent: str
    artists: list[str] = field(default_factory=list)
    genres: list[str] = field(default_factory=list)
    moods: list[str] = field(default_factory=list)
    activities: list[str] = field(default_factory=list)
    era: list[int] | None = None
    modifiers: list[list] = field(default_factory=list)  # [target, +1/-1]
    seeds: list[str] = field(default_factory=list)  # track ids a style continues from
    avoid_genres: list[str] = field(default_factory=list)  # what "something different" left
    deep_dive: bool = False
    salt: int = 0  # varies serendipitous picks between turns, deterministically

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Anchor:
        known = {k: v for k, v in raw.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def entities(self) -> dict[str, Any]:
        return {
            "artists": self.artists,
            "genres": self.genres,
            "moods": self.moods,
            "activities": self.activities,
            "era": self.era,
            "modifiers": self.modifiers,
        }


@dataclass
class MusicContext:
    anchor: Anchor | None = None
    decision: str | None = None
    pool: list[list] = field(default_factory=list)  # [track_id, score, source], best first
    cursor: int = 0  # pool entries before it are all shown
    pool_round: int = 0  # how many times the pool was regrown (broadened)
    shown: list[str] = field(default_factory=list)  # every track id shown in the session
    last_batch: list[str] = field(default_factory=list)
    feedback: dict[str, int] = field(default_factory=dict)  # track id → +1 / -1
    updated_at: float = 0.0
    turns: int = 0

    @classmethod
    def from_session(cls, context: dict[str, Any] | None) -> MusicContext:
        raw = (context or {}).get(KEY) or {}
        anchor = raw.get("anchor")
        return cls(
            anchor=Anchor.from_dict(anchor) if anchor else None,
            decision=raw.get("decision"),
            pool=[list(entry) for entry in raw.get("pool", [])],
            cursor=int(raw.get("cursor", 0)),
            pool_round=int(raw.get("pool_round", 0)),
            shown=list(raw.get("shown", [])),
            last_batch=list(raw.get("last_batch", [])),
            feedback={k: int(v) for k, v in (raw.get("feedback") or {}).items()},
            updated_at=float(raw.get("updated_at", 0.0)),
            turns=int(raw.get("turns", 0)),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "anchor": self.anchor.to_dict() if self.anchor else None,
            "decision": self.decision,
            "pool": self.pool,
            "cursor": self.cursor,
            "pool_round": self.pool_round,
            "shown": self.shown[-SHOWN_LIMIT:],
            "last_batch": self.last_batch,
            "feedback": self.feedback,
            "updated_at": self.updated_at,
            "turns": self.turns,
        }

    def stale(self, now: float, window: float) -> bool:
        return self.anchor is not None and now - self.updated_at > window

    def idle_minutes(self, now: float) -> int:
        return int((now - self.updated_at) // 60)


def save_turn(turn: MusicContext):
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


def save_feedback(track_id: str, value: int, now: float):
    """A change for `update_context` that records one thumbs up/down and nothing else."""

    def change(context: dict[str, Any]) -> dict[str, Any]:
        raw = dict(context.get(KEY) or {})
        feedback = dict(raw.get("feedback") or {})
        feedback[track_id] = value
        raw["feedback"] = feedback
        raw.setdefault("updated_at", now)
        return {**context, KEY: raw}

    return change


def summary(music: MusicContext, now: float, window: float) -> dict[str, Any]:
    """A redacted view for `/sessions/{id}/context`: what is remembered, not what was typed."""
    anchor = music.anchor
    remaining = sum(1 for entry in music.pool[music.cursor :] if entry[0] not in set(music.shown))
    return {
        "active": anchor is not None and not music.stale(now, window),
        "stale": music.stale(now, window),
        "idle_seconds": round(now - music.updated_at, 1) if music.updated_at else None,
        "context_window_seconds": window,
        "last_decision": music.decision,
        "anchor": None
        if anchor is None
        else {
            "intent": anchor.intent,
            "artists": anchor.artists,
            "genres": anchor.genres,
            "moods": anchor.moods,
            "activities": anchor.activities,
            "era": anchor.era,
            "modifiers": anchor.modifiers,
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
