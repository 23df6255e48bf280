"""The judge: scores every candidate the advocates proposed, picks a page, explains each pick.

Scores are intent-weighted sums of five components (relevance, quality, novelty, popularity,
similarity), each 0–1 and computed from catalog facts only, so the same track under the same
request always gets the same score; a later page of a persisted pool can be explained exactly
like the first. Feedback is applied on top: a thumbs-down artist sinks, a thumbs-up one rises.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from booth.apps.music.catalog import Catalog, Track
from booth.apps.music.context import Anchor
from booth.apps.music.intents import ACTIVITIES, MOOD_FEATURES, Activity
from booth.apps.music.models import (
    ARTIST_INTENTS,
    SIMILARITY_INTENTS,
    Feature,
    FeedbackEffect,
    Intent,
    Refinement,
)
from booth.apps.music.tuning import COMPONENTS, Tuning, default_tuning


def artist_of(track_id: str) -> str:
    """The artist key of a track id (`artist key||title`)."""
    return track_id.split("||", 1)[0]


@dataclass(frozen=True)
class Strategy:
    intent: Intent
    weights: dict[str, float]
    novelty_gate: float
    per_artist: int | None  # None: no cap (deep dive / artist requests)
    per_genre: int | None
    exempt_artists: frozenset[str]
    exempt_genres: frozenset[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "intent": self.intent.value,
            "weights": self.weights,
            "novelty_gate": self.novelty_gate,
            "diversity": {
                "per_artist": self.per_artist,
                "per_genre": self.per_genre,
                "exempt_artists": sorted(self.exempt_artists),
                "exempt_genres": sorted(self.exempt_genres),
            },
        }


def strategy_for(anchor: Anchor, count: int, tuning: Tuning | None = None) -> Strategy:
    """Weights, novelty gate and diversity caps for a request of `count` tracks."""
    tuning = tuning or default_tuning()
    plan = tuning.strategy
    artist_focused = anchor.deep_dive or anchor.intent in ARTIST_INTENTS
    weights = tuning.weights[anchor.intent].as_dict()
    if anchor.modifiers:  # a refinement is about the change asked for, more than anything
        relevance = min(
            plan.refinement_relevance_cap, weights["relevance"] + plan.refinement_relevance_boost
        )
        rest = sum(v for k, v in weights.items() if k != "relevance")
        weights = {
            k: relevance if k == "relevance" else round(v * (1 - relevance) / rest, 4)
            for k, v in weights.items()
        }
    return Strategy(
        intent=anchor.intent,
        weights=weights,
        novelty_gate=tuning.novelty_gate.get(anchor.intent, 0.0),
        per_artist=max(1, math.ceil(count / plan.tracks_per_artist_share)),
        per_genre=None
        if artist_focused
        else max(plan.genre_min, math.ceil(count * plan.genre_share)),
        # the deep-dive override: the artists asked for are never capped
        exempt_artists=frozenset(anchor.artists if artist_focused else ()),
        exempt_genres=frozenset(anchor.genres),
    )


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the judge found for one track: the only facts its explanation may state."""

    affinity: float = 0.0  # similarity to the artist asked for (or a seed), 0–1
    seed: str | None = None  # the artist key that affinity comes from
    via: str | None = None  # the artist a two-step similarity passes through
    genre_hits: tuple[str, ...] = ()  # genres asked for that the track itself carries
    near_genres: tuple[str, ...] = ()  # neighbours of the asked-for genres it carries instead
    mood_hits: tuple[str, ...] = ()  # moods asked for that the track carries
    mood_feature: Feature | None = None  # the feature that matched a mood without its label
    own: bool = False  # the track is by an artist asked for
    feedback: FeedbackEffect | None = None


@dataclass
class Scored:
    track: Track
    score: float
    components: dict[str, float]
    source: str
    evidence: Evidence = field(default_factory=Evidence)

    @property
    def track_id(self) -> str:
        return self.track.track_id


class Judge:
    """Scores tracks for one request (one anchor, one session's shown set and feedback)."""

    def __init__(
        self,
        catalog: Catalog,
        anchor: Anchor,
        *,
        count: int,
        shown: set[str],
        feedback: dict[str, int],
        session_salt: str = "",
        tuning: Tuning | None = None,
    ) -> None:
        self.catalog = catalog
        self.anchor = anchor
        self.tuning = tuning or default_tuning()
        self.strategy = strategy_for(anchor, count, self.tuning)
        self.shown = shown
        self.feedback = feedback
        self.salt = f"{session_salt}:{anchor.salt}"
        self.activity: Activity | None = next(
            (a for a in ACTIVITIES if a.name in anchor.activities), None
        )
        self.affinity = self._affinities(anchor.artists)
        # a track id is "artist key||title", so these need no catalog (Last.fm tracks included)
        self.shown_artists = Counter(artist_of(t) for t in shown)
        self.down_artists = {artist_of(t) for t, v in feedback.items() if v < 0}
        self.up_artists = {artist_of(t) for t, v in feedback.items() if v > 0} - self.down_artists
        self.liked_affinity = self._affinities(sorted(self.up_artists))
        self.reference = self._reference(anchor.seeds)
        self.seed_labels = Counter(
            lbl for t in anchor.seeds if t in catalog.tracks for lbl in catalog.tracks[t].labels
        )

    # -- evidence ---------------------------------------------------------------------------
    def _affinities(self, seeds: list[str]) -> dict[str, tuple[float, str, str | None]]:
        """artist key → (weight, seed it comes from, artist it passes through)."""
        out: dict[str, tuple[float, str, str | None]] = {}
        hops = self.tuning.affinity

        def offer(key: str, weight: float, seed: str, via: str | None) -> None:
            if weight > out.get(key, (0.0,))[0]:
                out[key] = (weight, seed, via)

        for seed in seeds:
            offer(seed, 1.0, seed, None)
            for artist, weight in self.catalog.similar_to(seed):
                offer(artist.key, weight, seed, None)
                for second, weight2 in self.catalog.similar_to(artist.key):
                    offer(second.key, hops.second_hop_decay * weight * weight2, seed, artist.key)
            for key, weight in self.catalog.linked_from(seed):  # links that point at the seed
                offer(key, weight * hops.inbound_link_weight, seed, None)
        return out

    def _reference(self, seeds: list[str]) -> dict[str, float]:
        """Mean audio features of the tracks a refinement is relative to."""
        ref = {}
        defaults = self.tuning.reference.model_dump()
        for feature, default in defaults.items():
            values = [
                getattr(self.catalog.tracks[t], feature)
                for t in seeds
                if t in self.catalog.tracks and getattr(self.catalog.tracks[t], feature) is not None
            ]
            ref[feature] = sum(values) / len(values) if values else default
        return ref

    def labels_of(self, track: Track) -> frozenset[str]:
        return self.catalog.labels_of(track.track_id)

    def genre_weight(self, track: Track, genre: str) -> float:
        """How central a genre is to a track: its first genre fully, later ones and tags less."""
        tune = self.tuning.match
        if genre not in track.genres:
            return tune.genre_position_floor
        index = track.genres.index(genre)
        return max(tune.genre_position_floor, 1.0 - tune.genre_position_decay * index)

    def genre_match(
        self, track: Track, labels: frozenset[str]
    ) -> tuple[float, list[str], list[str]]:
        """(match 0–1, asked-for genres the track carries, neighbouring genres it carries)."""
        wanted = self.anchor.genres
        if not wanted:
            return 0.0, [], []
        tune = self.tuning.match
        hits = [g for g in wanted if g in labels]
        if not hits:
            for g in wanted:
                neighbours = self.catalog.neighbour_genres(g)[: tune.neighbours_considered]
                near = [n for n, w in neighbours if n in labels]
                if near:
                    return tune.neighbour_genre * self.genre_weight(track, near[0]), [], near[:1]
            return 0.0, [], []
        score = sum(self.genre_weight(track, g) for g in hits) / len(wanted)
        return min(1.0, score if len(wanted) <= 2 else score * tune.many_genres_boost), hits, []

    def mood_match(self, track: Track) -> tuple[float, list[str], Feature | None]:
        """(match 0–1, asked-for moods the track is labelled with, feature that fit instead)."""
        wanted = self.anchor.moods
        if not wanted:
            return 0.0, [], None
        hits = [m for m in wanted if m in track.moods or m in track.tags]
        if hits:
            return 1.0, hits, None
        for mood in wanted:
            rule = MOOD_FEATURES.get(mood)
            if rule is None:
                continue
            value = getattr(track, rule[0])
            if value is not None and rule[1] <= value <= rule[2]:
                return self.tuning.match.mood_by_features, [], Feature(rule[0])
        return 0.0, [], None

    def label_holds(self, change: Refinement, track: Track) -> bool:
        """A label refinement holds for a track: it carries the label, within its bounds."""
        assert change.label is not None
        if change.label not in track.labels:
            return False
        for word in {change.label, change.said or change.label}:
            bound = self.tuning.label_bounds.get(word)
            if bound is not None and not bound.allows(getattr(track, bound.feature.value)):
                return False
        return True

    def activity_fit(self, track: Track, labels: frozenset[str]) -> float:
        a = self.activity
        if a is None:
            return 0.0

        tune = self.tuning.activity

        def within(value: float | None, low: float, high: float, spread: float) -> float:
            if value is None:
                return tune.missing_feature
            if low <= value <= high:
                return 1.0
            gap = (low - value) if value < low else (value - high)
            return max(0.0, 1.0 - gap / spread)

        label_hit = 1.0 if not labels.isdisjoint(a.labels) else 0.0
        mood_hit = 1.0 if not set(track.moods).isdisjoint(a.moods) else 0.0
        return (
            tune.energy_weight * within(track.energy, *a.energy, tune.energy_spread)
            + tune.tempo_weight * within(track.tempo, *a.tempo, tune.tempo_spread)
            + tune.valence_weight * within(track.valence, *a.valence, tune.valence_spread)
            + tune.label_weight * label_hit
            + tune.mood_weight * mood_hit
        )

    def modifier_fit(self, track: Track, labels: frozenset[str]) -> float:
        tune = self.tuning.refinement
        fits = []
        for change in self.anchor.modifiers:
            if change.label is not None:
                present = self.label_holds(change, track)
                fits.append(1.0 if present == change.up else 0.0)
                continue
            assert change.feature is not None
            value = getattr(track, change.feature.value)
            if value is None:
                fits.append(tune.missing_feature)
                continue
            scale = tune.tempo_scale if change.feature == "tempo" else tune.feature_scale
            moved = change.direction * (value - self.reference[change.feature.value]) / scale
            fits.append(max(0.0, min(1.0, 0.5 + moved)))
        return sum(fits) / len(fits) if fits else 0.0

    def era_fit(self, track: Track) -> float:
        if not self.anchor.era:
            return 1.0
        if track.year is None:
            return self.tuning.match.unknown_year
        first, last = self.anchor.era
        return 1.0 if first <= track.year <= last else 0.0

    def jitter(self, track_id: str) -> float:
        return (zlib.crc32(f"{self.salt}:{track_id}".encode()) % 1000) / 1000

    # -- scoring ----------------------------------------------------------------------------
    def components(self, track: Track) -> tuple[dict[str, float], Evidence]:
        a, t = self.anchor, self.tuning
        catalog = self.catalog
        labels = self.labels_of(track)
        affinity, seed, via = self.affinity.get(track.artist_key, (0.0, None, None))
        genre, genre_hits, near_genres = self.genre_match(track, labels)
        mood, mood_hits, mood_feature = self.mood_match(track)
        own = track.artist_key in a.artists
        evidence = Evidence(
            affinity=affinity,
            seed=seed,
            via=via,
            genre_hits=tuple(genre_hits),
            near_genres=tuple(near_genres),
            mood_hits=tuple(mood_hits),
            mood_feature=mood_feature,
            own=own,
        )
        values = {
            "relevance": self._relevance(track, labels, own, affinity, genre, mood),
            "quality": self._quality(track),
            "novelty": self._novelty(track, own),
            "popularity": t.popularity.listener_rank * catalog.listener_rank(track.artist_key)
            + t.popularity.track_popularity * track.popularity / 100,
            "similarity": self._similarity(track, affinity, genre),
        }
        return {k: round(max(0.0, min(1.0, v)), 4) for k, v in values.items()}, evidence

    def _shared_with_seeds(self, track: Track) -> float:
        shared = sum(1 for lbl in track.labels if lbl in self.seed_labels)
        return min(1.0, shared / self.tuning.match.shared_labels_for_full)

    def _relevance(
        self,
        track: Track,
        labels: frozenset[str],
        own: bool,
        affinity: float,
        genre: float,
        mood: float,
    ) -> float:
        """How well a track answers what was asked, by the kind of request."""
        a, r = self.anchor, self.tuning.relevance
        intent = a.intent
        if intent in ARTIST_INTENTS:
            if own:
                relevance = (
                    1.0
                    if intent != Intent.ARTIST_GENRE
                    else r.artist_genre_own_base + (1 - r.artist_genre_own_base) * genre
                )
            else:
                relevance = r.other_artist_affinity * affinity
        elif intent in SIMILARITY_INTENTS:
            sim = r.own_track_similarity if own else affinity
            if a.seeds and not own:  # a style continuation also compares the seeds' sound
                sim = max(sim, self._shared_with_seeds(track))
            relevance = (
                sim
                if intent == Intent.ARTIST_SIMILARITY
                else (1 - r.hybrid_genre_share) * sim + r.hybrid_genre_share * genre
            )
        elif intent == Intent.CONTEXTUAL:
            fit = self.activity_fit(track, labels)
            relevance = (
                (1 - r.context_genre_share) * fit + r.context_genre_share * genre
                if a.genres
                else fit
            )
            if a.moods:
                relevance = (1 - r.context_mood_share) * relevance + r.context_mood_share * mood
        elif intent == Intent.DISCOVERING_SERENDIPITY:
            relevance = r.serendipity_base + (1 - r.serendipity_base) * self.jitter(track.track_id)
            if a.avoid_genres and labels & set(a.avoid_genres):
                relevance *= r.avoided_genre_factor
        else:  # genre_mood, discovery
            parts = [x for x, wanted in ((genre, a.genres), (mood, a.moods)) if wanted]
            relevance = sum(parts) / len(parts) if parts else r.nothing_asked
        if a.modifiers:
            share = self.tuning.refinement.share
            relevance = (1 - share) * relevance + share * self.modifier_fit(track, labels)
        floor = self.tuning.match.era_floor
        return relevance * (floor + (1 - floor) * self.era_fit(track))

    def _quality(self, track: Track) -> float:
        q = self.tuning.quality
        known = (track.album, track.year, track.energy, track.valence, track.tempo)
        complete = sum(x is not None and x != "" for x in known) / len(known)
        return (
            q.popularity * track.popularity / 100
            + q.standing * self.catalog.standing(track.track_id)
            + q.completeness * complete
        )

    def _novelty(self, track: Track, own: bool) -> float:
        if self.anchor.intent == Intent.BY_ARTIST_UNDERGROUND:
            return 1.0 - track.popularity / 100
        novelty = 1.0 - self.catalog.listener_rank(track.artist_key)
        if self.shown_artists.get(track.artist_key) and not own:
            novelty *= self.tuning.novelty.shown_artist_decay
        return novelty

    def _similarity(self, track: Track, affinity: float, genre: float) -> float:
        if self.anchor.artists:
            return affinity
        if self.seed_labels:
            return self._shared_with_seeds(track)
        return genre

    def feedback_factor(self, track: Track) -> tuple[float, FeedbackEffect | None]:
        f = self.tuning.feedback
        if track.artist_key in self.down_artists:
            return f.down_factor, FeedbackEffect.DOWN
        if track.artist_key in self.up_artists:
            return f.up_factor, FeedbackEffect.UP
        liked = self.liked_affinity.get(track.artist_key)
        if liked and liked[0] > 0:
            return 1.0 + f.near_up_gain * liked[0], FeedbackEffect.NEAR_UP
        return 1.0, None

    def score(self, track: Track, source: str) -> Scored:
        """The final score: the intent-weighted sum, scaled by how well the track matches.

        Scaling by relevance makes the shown fit spread with the match: a loose pick scores
        low even when it is popular and well documented.
        """
        components, evidence = self.components(track)
        base = sum(self.strategy.weights[k] * components[k] for k in COMPONENTS)
        floor = self.tuning.fit.match_floor
        fit = floor + (1 - floor) * components["relevance"]
        factor, reason = self.feedback_factor(track)
        evidence = replace(evidence, feedback=reason)
        score = round(min(1.0, base * fit * factor), 4)
        return Scored(track, score, components, source, evidence)

    def excluded(self, track_id: str) -> bool:
        return track_id in self.shown or self.feedback.get(track_id, 0) < 0

    def rank(self, proposals: dict[str, str], *, gate: bool = True) -> list[Scored]:
        """Score proposals (track id → source), drop shown/disliked and gated ones, best first."""
        out = []
        for track_id, source in proposals.items():
            track = self.catalog.tracks.get(track_id)
            if track is None or self.excluded(track_id):
                continue
            scored = self.score(track, source)
            if gate and not self.passes_gate(scored):
                continue
            if scored.components["relevance"] <= 0.0:
                continue
            out.append(scored)
        out.sort(key=lambda s: (-s.score, s.track_id))
        return out

    def passes_gate(self, scored: Scored) -> bool:
        if self.anchor.intent == Intent.BY_ARTIST_UNDERGROUND:
            siblings = self.catalog.tracks_by(scored.track.artist_key)
            median = sorted(t.popularity for t in siblings)[len(siblings) // 2] if siblings else 0
            return scored.track.popularity <= median or len(siblings) <= 2
        return scored.components["novelty"] >= self.strategy.novelty_gate


def select_page(
    ranked: list[Scored], count: int, strategy: Strategy, catalog: Catalog
) -> tuple[list[Scored], list[str]]:
    """Best-first picks under the diversity caps; caps relax (and say so) to fill the page."""
    notes: list[str] = []
    for per_artist, per_genre in (
        (strategy.per_artist, strategy.per_genre),
        (strategy.per_artist, None),
        (None, None),
    ):
        picked: list[Scored] = []
        artists: Counter = Counter()
        genres: Counter = Counter()
        for item in ranked:
            if len(picked) >= count:
                break
            key = item.track.artist_key
            genre = (catalog.genres_of(item.track) or ("",))[0]
            if (
                per_artist is not None
                and key not in strategy.exempt_artists
                and artists[key] >= per_artist
            ):
                continue
            if (
                per_genre is not None
                and genre not in strategy.exempt_genres
                and genres[genre] >= per_genre
            ):
                continue
            picked.append(item)
            artists[key] += 1
            genres[genre] += 1
        if len(picked) >= count or len(picked) == len(ranked):
            break
        notes.append("Diversity caps were relaxed to fill the list.")
    picked.sort(key=lambda s: (-s.score, s.track_id))
    return picked, notes[:1]
