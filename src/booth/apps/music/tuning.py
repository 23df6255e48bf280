"""The judge's numbers as validated data: `tuning.yaml` read through pydantic models.

Every number that decides a music score or ranking has a name here. A key missing from the file
or one it does not know is an error naming the file and the field, so a typo cannot silently
become a default.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from booth.apps.music.models import Feature, Intent

TUNING_FILE = Path(__file__).resolve().parent / "data" / "tuning.yaml"
COMPONENTS = ("relevance", "quality", "novelty", "popularity", "similarity")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ComponentWeights(_Strict):
    relevance: float
    quality: float
    novelty: float
    popularity: float
    similarity: float

    @model_validator(mode="after")
    def _sums_to_one(self) -> ComponentWeights:
        total = sum(self.as_dict().values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"component weights sum to {total}, not 1")
        return self

    def as_dict(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in COMPONENTS}


class StrategyTuning(_Strict):
    refinement_relevance_boost: float
    refinement_relevance_cap: float
    tracks_per_artist_share: int
    genre_share: float
    genre_min: int


class FeedbackTuning(_Strict):
    down_factor: float
    up_factor: float
    near_up_gain: float


class AffinityTuning(_Strict):
    second_hop_decay: float
    inbound_link_weight: float


class ReferenceTuning(_Strict):
    energy: float
    valence: float
    tempo: float


class MatchTuning(_Strict):
    neighbour_genre: float
    neighbours_considered: int
    many_genres_boost: float
    mood_by_features: float
    shared_labels_for_full: int
    unknown_year: float
    era_floor: float
    genre_position_decay: float
    genre_position_floor: float


class ActivityTuning(_Strict):
    missing_feature: float
    energy_spread: float
    tempo_spread: float
    valence_spread: float
    energy_weight: float
    tempo_weight: float
    valence_weight: float
    label_weight: float
    mood_weight: float


class RefinementTuning(_Strict):
    missing_feature: float
    tempo_scale: float
    feature_scale: float
    share: float


class RelevanceTuning(_Strict):
    artist_genre_own_base: float
    other_artist_affinity: float
    own_track_similarity: float
    hybrid_genre_share: float
    context_genre_share: float
    context_mood_share: float
    serendipity_base: float
    avoided_genre_factor: float
    nothing_asked: float


class QualityTuning(_Strict):
    popularity: float
    standing: float
    completeness: float


class NoveltyTuning(_Strict):
    shown_artist_decay: float


class PopularityTuning(_Strict):
    listener_rank: float
    track_popularity: float


class ExplainTuning(_Strict):
    novelty_weight_for_radar: float
    radar_listener_rank: float
    best_known_top: int
    best_known_share: float
    best_known_min_tracks: int
    closely_related: float
    deeper_cut_far: float


class FitTuning(_Strict):
    match_floor: float


class LabelBound(_Strict):
    """An audio-feature range a label needs to hold for a track (None: no bound that side)."""

    feature: Feature
    low: float | None = None
    high: float | None = None

    def allows(self, value: float | None) -> bool:
        if value is None:
            return True
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)


class Tuning(_Strict):
    weights: dict[Intent, ComponentWeights]
    novelty_gate: dict[Intent, float]
    strategy: StrategyTuning
    feedback: FeedbackTuning
    affinity: AffinityTuning
    reference: ReferenceTuning
    match: MatchTuning
    activity: ActivityTuning
    refinement: RefinementTuning
    relevance: RelevanceTuning
    quality: QualityTuning
    novelty: NoveltyTuning
    popularity: PopularityTuning
    explain: ExplainTuning
    fit: FitTuning
    label_bounds: dict[str, LabelBound]

    @model_validator(mode="after")
    def _every_intent_weighted(self) -> Tuning:
        missing = [i.value for i in Intent if i not in self.weights]
        if missing:
            raise ValueError(f"weights missing for intents: {', '.join(missing)}")
        return self


class TuningError(ValueError):
    """A tuning file that does not match the schema; the message names the file and field."""


def load_tuning(path: Path = TUNING_FILE) -> Tuning:
    with path.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    try:
        return Tuning.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise TuningError(f"{path}: {problems}") from None


@lru_cache(maxsize=1)
def default_tuning() -> Tuning:
    """The bundled tuning, read once per process."""
    return load_tuning()
