"""The music app's vocabulary as types: intents, follow-up kinds, refinements, pool entries.

These are what the planner, the resolver, the judge and the stored session context agree on, so
a misspelt intent or a refinement read by position cannot slip through between them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator


class Intent(StrEnum):
    """What a request is about (DESIGN §6): the planner picks one, the judge weighs by it."""

    BY_ARTIST = "by_artist"
    BY_ARTIST_UNDERGROUND = "by_artist_underground"
    ARTIST_SIMILARITY = "artist_similarity"
    ARTIST_GENRE = "artist_genre"
    HYBRID_SIMILARITY_GENRE = "hybrid_similarity_genre"
    DISCOVERY = "discovery"
    DISCOVERING_SERENDIPITY = "discovering_serendipity"
    GENRE_MOOD = "genre_mood"
    CONTEXTUAL = "contextual"


ARTIST_INTENTS = frozenset({Intent.BY_ARTIST, Intent.BY_ARTIST_UNDERGROUND, Intent.ARTIST_GENRE})
SIMILARITY_INTENTS = frozenset({Intent.ARTIST_SIMILARITY, Intent.HYBRID_SIMILARITY_GENRE})


class DecisionKind(StrEnum):
    """How a turn relates to the session's stored context."""

    NEW_QUERY = "new_query"
    LOAD_MORE = "load_more"
    ARTIST_DEEP_DIVE = "artist_deep_dive"
    STYLE_CONTINUATION = "style_continuation"
    REFINEMENT = "refinement"
    VARIATION = "variation"
    RESET = "reset"
    FRESH_START = "fresh_start"


class Feature(StrEnum):
    """An audio feature a refinement can move ("happier" moves valence up)."""

    ENERGY = "energy"
    VALENCE = "valence"
    TEMPO = "tempo"


class FeedbackEffect(StrEnum):
    """How a session's thumbs moved a track's score."""

    DOWN = "down"
    UP = "up"
    NEAR_UP = "near_up"


class Refinement(BaseModel):
    """One direction of a refinement: an audio feature or a catalog label, up (+1) or down (-1)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    feature: Feature | None = None
    label: str | None = None
    direction: Literal[1, -1]
    said: str | None = None  # the word the user used ("acoustic" for the label folk)

    @model_validator(mode="before")
    @classmethod
    def _from_legacy(cls, raw: Any) -> Any:
        """Contexts stored before this model held `["label:rock", 1]` / `["energy", -1]`."""
        if isinstance(raw, list | tuple) and len(raw) == 2:
            target, direction = raw
            if str(target).startswith("label:"):
                return {"label": str(target)[len("label:") :], "direction": direction}
            return {"feature": target, "direction": direction}
        return raw

    @model_validator(mode="after")
    def _one_target(self) -> Refinement:
        if (self.feature is None) == (self.label is None):
            raise ValueError("a refinement names exactly one of feature or label")
        return self

    @classmethod
    def of_label(cls, name: str, direction: int, said: str | None = None) -> Refinement:
        return cls(label=name, direction=1 if direction > 0 else -1, said=said)

    @classmethod
    def of_feature(
        cls, feature: Feature | str, direction: int, said: str | None = None
    ) -> Refinement:
        return cls(feature=Feature(feature), direction=1 if direction > 0 else -1, said=said)

    def __eq__(self, other: object) -> bool:
        """Two refinements are the same change whatever words asked for them."""
        if not isinstance(other, Refinement):
            return NotImplemented
        return (self.key, self.direction) == (other.key, other.direction)

    def __hash__(self) -> int:
        return hash((self.key, self.direction))

    @property
    def key(self) -> str:
        """What two refinements of the same thing share (a later one replaces an earlier)."""
        return f"feature:{self.feature}" if self.feature else f"label:{self.label}"

    @property
    def up(self) -> bool:
        return self.direction > 0

    def words(self) -> str:
        """How a refinement reads: valence +1 → "happier", label rock -1 → "less rock"."""
        if self.label is not None:
            return f"{'more' if self.up else 'less'} {self.said or self.label}"
        words = {
            Feature.ENERGY: ("more energetic", "calmer"),
            Feature.VALENCE: ("happier", "darker"),
            Feature.TEMPO: ("faster", "slower"),
        }
        assert self.feature is not None
        return words[self.feature][0 if self.up else 1]


def merge_refinements(earlier: list[Refinement], later: list[Refinement]) -> list[Refinement]:
    """Earlier refinements with later ones replacing any of the same target, in first-said order."""
    merged: dict[str, Refinement] = {}
    for item in [*earlier, *later]:
        merged[item.key] = item
    return list(merged.values())


class PoolEntry(BaseModel):
    """One candidate kept for paging: a track id, its score when ranked, and who proposed it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    track_id: str
    score: float
    source: str

    @model_validator(mode="before")
    @classmethod
    def _from_legacy(cls, raw: Any) -> Any:
        """Contexts stored before this model held `[track_id, score, source]`."""
        if isinstance(raw, list | tuple) and len(raw) == 3:
            return {"track_id": raw[0], "score": raw[1], "source": raw[2]}
        return raw
