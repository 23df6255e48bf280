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
from dataclasses import dataclass, field

from booth.apps.music.catalog import Catalog, Track
from booth.apps.music.context import Anchor
from booth.apps.music.intents import ACTIVITIES, MOOD_FEATURES, Activity

COMPONENTS = ("relevance", "quality", "novelty", "popularity", "similarity")
WEIGHTS = {
    "by_artist": (0.55, 0.25, 0.0, 0.15, 0.05),
    "by_artist_underground": (0.45, 0.15, 0.35, 0.0, 0.05),
    "artist_similarity": (0.35, 0.15, 0.1, 0.1, 0.3),
    "artist_genre": (0.55, 0.2, 0.0, 0.15, 0.1),
    "hybrid_similarity_genre": (0.4, 0.15, 0.1, 0.1, 0.25),
    "discovery": (0.35, 0.2, 0.4, 0.0, 0.05),
    "discovering_serendipity": (0.3, 0.25, 0.35, 0.05, 0.05),
    "genre_mood": (0.5, 0.25, 0.1, 0.15, 0.0),
    "contextual": (0.55, 0.2, 0.1, 0.15, 0.0),
}
# Minimum novelty a pick needs, per intent (relaxed, and said so, when too few pass).
NOVELTY_GATE = {"discovery": 0.4, "discovering_serendipity": 0.2, "by_artist_underground": 0.35}
ARTIST_INTENTS = ("by_artist", "by_artist_underground", "artist_genre")
SIMILARITY_INTENTS = ("artist_similarity", "hybrid_similarity_genre")
DOWN_FACTOR = 0.35


@dataclass(frozen=True)
class Strategy:
    intent: str
    weights: dict[str, float]
    novelty_gate: float
    per_artist: int | None  # None: no cap (deep dive / artist requests)
    per_genre: int | None
    exempt_artists: frozenset[str]
    exempt_genres: frozenset[str]

    def to_dict(self) -> dict:
        return {
            "intent": self.intent,
            "weights": self.weights,
            "novelty_gate": self.novelty_gate,
            "diversity": {
                "per_artist": self.per_artist,
                "per_genre": self.per_genre,
                "exempt_artists": sorted(self.exempt_artists),
                "exempt_genres": sorted(self.exempt_genres),
            },
        }


def strategy_for(anchor: Anchor, count: int) -> Strategy:
    """Weights, novelty gate and diversity caps for a request of `count` tracks."""
    artist_focused = anchor.deep_dive or anchor.intent in ARTIST_INTENTS
    weights = dict(zip(COMPONENTS, WEIGHTS[anchor.intent], strict=True))
    if anchor.modifiers:  # a refinement is about the change asked for, more than anything
        relevance = min(0.7, weights["relevance"] + 0.2)
        rest = sum(v for k, v in weights.items() if k != "relevance")
        weights = {
            k: relevance if k == "relevance" else round(v * (1 - relevance) / rest, 4)
            for k, v in weights.items()
        }
    return Strategy(
        intent=anchor.intent,
        weights=weights,
        novelty_gate=NOVELTY_GATE.get(anchor.intent, 0.0),
        per_artist=max(1, math.ceil(count / 5)),
        per_genre=None if artist_focused else max(2, math.ceil(count * 0.6)),
        # the deep-dive override: the artists asked for are never capped
        exempt_artists=frozenset(anchor.artists if artist_focused else ()),
        exempt_genres=frozenset(anchor.genres),
    )


@dataclass
class Scored:
    track: Track
    score: float
    components: dict[str, float]
    source: str
    evidence: dict = field(default_factory=dict)

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
    ) -> None:
        self.catalog = catalog
        self.anchor = anchor
        self.strategy = strategy_for(anchor, count)
        self.shown = shown
        self.feedback = feedback
        self.salt = f"{session_salt}:{anchor.salt}"
        self.activity: Activity | None = next(
            (a for a in ACTIVITIES if a.name in anchor.activities), None
        )
        self.affinity = self._affinities(anchor.artists)
        self.shown_artists = Counter(
            catalog.tracks[t].artist_key for t in shown if t in catalog.tracks
        )
        self.down_artists = {
            catalog.tracks[t].artist_key
            for t, v in feedback.items()
            if v < 0 and t in catalog.tracks
        }
        self.up_artists = {
            catalog.tracks[t].artist_key
            for t, v in feedback.items()
            if v > 0 and t in catalog.tracks
        } - self.down_artists
        self.liked_affinity = self._affinities(sorted(self.up_artists))
        self.reference = self._reference(anchor.seeds)
        self.seed_labels = Counter(
            lbl for t in anchor.seeds if t in catalog.tracks for lbl in catalog.tracks[t].labels
        )

    # -- evidence ---------------------------------------------------------------------------
    def _affinities(self, seeds: list[str]) -> dict[str, tuple[float, str, str | None]]:
        """artist key → (weight, seed it comes from, artist it passes through)."""
        out: dict[str, tuple[float, str, str | None]] = {}

        def offer(key: str, weight: float, seed: str, via: str | None) -> None:
            if weight > out.get(key, (0.0,))[0]:
                out[key] = (weight, seed, via)

        for seed in seeds:
            offer(seed, 1.0, seed, None)
            for artist, weight in self.catalog.similar_to(seed):
                offer(artist.key, weight, seed, None)
                for second, weight2 in self.catalog.similar_to(artist.key):
                    offer(second.key, 0.7 * weight * weight2, seed, artist.key)
            for key, artist in self.catalog.artists.items():  # links that point at the seed
                for target, weight in artist.similar:
                    if target == seed:
                        offer(key, weight * 0.9, seed, None)
        return out

    def _reference(self, seeds: list[str]) -> dict[str, float]:
        """Mean audio features of the tracks a refinement is relative to."""
        ref = {}
        for feature, default in (("energy", 0.5), ("valence", 0.5), ("tempo", 115.0)):
            values = [
                getattr(self.catalog.tracks[t], feature)
                for t in seeds
                if t in self.catalog.tracks and getattr(self.catalog.tracks[t], feature) is not None
            ]
            ref[feature] = sum(values) / len(values) if values else default
        return ref

    def labels_of(self, track: Track) -> frozenset[str]:
        return self.catalog.labels_of(track.track_id)

    def genre_match(self, track: Track, labels: frozenset[str]) -> tuple[float, list[str]]:
        wanted = self.anchor.genres
        if not wanted:
            return 0.0, []
        hits = [g for g in wanted if g in labels]
        score = len(hits) / len(wanted)
        if not hits:
            for g in wanted:
                near = [n for n, w in self.catalog.neighbour_genres(g)[:5] if n in labels]
                if near:
                    return 0.4, near[:1]
        return min(1.0, score if len(wanted) <= 2 else score * 1.5), hits

    def mood_match(self, track: Track) -> tuple[float, list[str]]:
        wanted = self.anchor.moods
        if not wanted:
            return 0.0, []
        hits = [m for m in wanted if m in track.moods or m in track.tags]
        if hits:
            return 1.0, hits
        for mood in wanted:
            rule = MOOD_FEATURES.get(mood)
            if rule is None:
                continue
            value = getattr(track, rule[0])
            if value is not None and rule[1] <= value <= rule[2]:
                return 0.6, []
        return 0.0, []

    def activity_fit(self, track: Track, labels: frozenset[str]) -> float:
        a = self.activity
        if a is None:
            return 0.0

        def within(value, low, high, spread):
            if value is None:
                return 0.45
            if low <= value <= high:
                return 1.0
            gap = (low - value) if value < low else (value - high)
            return max(0.0, 1.0 - gap / spread)

        label_hit = 1.0 if not labels.isdisjoint(a.labels) else 0.0
        mood_hit = 1.0 if not set(track.moods).isdisjoint(a.moods) else 0.0
        return (
            0.3 * within(track.energy, *a.energy, 0.3)
            + 0.15 * within(track.tempo, *a.tempo, 40)
            + 0.1 * within(track.valence, *a.valence, 0.4)
            + 0.25 * label_hit
            + 0.2 * mood_hit
        )

    def modifier_fit(self, track: Track, labels: frozenset[str]) -> float:
        fits = []
        for target, direction in self.anchor.modifiers:
            if target.startswith("label:"):
                present = target[6:] in labels
                fits.append(1.0 if present == (direction > 0) else 0.0)
                continue
            value = getattr(track, target, None)
            if value is None:
                fits.append(0.3)
                continue
            scale = 60.0 if target == "tempo" else 0.5
            fits.append(
                max(0.0, min(1.0, 0.5 + direction * (value - self.reference[target]) / scale))
            )
        return sum(fits) / len(fits) if fits else 0.0

    def era_fit(self, track: Track) -> float:
        if not self.anchor.era:
            return 1.0
        if track.year is None:
            return 0.5
        first, last = self.anchor.era
        return 1.0 if first <= track.year <= last else 0.0

    def jitter(self, track_id: str) -> float:
        return (zlib.crc32(f"{self.salt}:{track_id}".encode()) % 1000) / 1000

    # -- scoring ----------------------------------------------------------------------------
    def components(self, track: Track) -> tuple[dict[str, float], dict]:
        a = self.anchor
        catalog = self.catalog
        labels = self.labels_of(track)
        affinity, seed, via = self.affinity.get(track.artist_key, (0.0, None, None))
        genre, genre_hits = self.genre_match(track, labels)
        mood, mood_hits = self.mood_match(track)
        own = track.artist_key in a.artists
        evidence = {
            "affinity": affinity,
            "seed": seed,
            "via": via,
            "genre_hits": genre_hits,
            "mood_hits": mood_hits,
            "own": own,
        }

        intent = a.intent
        if intent in ARTIST_INTENTS:
            if own:
                relevance = 1.0 if intent != "artist_genre" else 0.4 + 0.6 * genre
            else:
                relevance = 0.6 * affinity
        elif intent in SIMILARITY_INTENTS:
            sim = 0.35 if own else affinity
            if a.seeds:  # a style continuation also compares the sound of the seed tracks
                shared = sum(1 for lbl in track.labels if lbl in self.seed_labels)
                sim = max(sim, min(1.0, shared / 4)) if not own else sim
            relevance = sim if intent == "artist_similarity" else 0.5 * sim + 0.5 * genre
        elif intent == "contextual":
            fit = self.activity_fit(track, labels)
            relevance = 0.6 * fit + 0.4 * genre if a.genres else fit
            if a.moods:
                relevance = 0.8 * relevance + 0.2 * mood
        elif intent == "discovering_serendipity":
            relevance = 0.4 + 0.6 * self.jitter(track.track_id)
            if a.avoid_genres and labels & set(a.avoid_genres):
                relevance *= 0.15
        else:  # genre_mood, discovery
            parts = [x for x, wanted in ((genre, a.genres), (mood, a.moods)) if wanted]
            relevance = sum(parts) / len(parts) if parts else 0.5
        if a.modifiers:
            relevance = 0.35 * relevance + 0.65 * self.modifier_fit(track, labels)
        relevance *= 0.3 + 0.7 * self.era_fit(track)

        rank = catalog.listener_rank(track.artist_key)
        within = catalog.standing(track.track_id)
        complete = (
            sum(
                x is not None and x != ""
                for x in (track.album, track.year, track.energy, track.valence, track.tempo)
            )
            / 5
        )
        quality = 0.5 * track.popularity / 100 + 0.3 * within + 0.2 * complete
        if intent == "by_artist_underground":
            novelty = 1.0 - track.popularity / 100
        else:
            novelty = 1.0 - rank
            if self.shown_artists.get(track.artist_key) and not own:
                novelty *= 0.75
        popularity = 0.5 * rank + 0.5 * track.popularity / 100
        if a.artists:
            similarity = affinity
        elif self.seed_labels:
            similarity = min(1.0, sum(1 for lbl in track.labels if lbl in self.seed_labels) / 4)
        else:
            similarity = genre
        values = {
            "relevance": relevance,
            "quality": quality,
            "novelty": novelty,
            "popularity": popularity,
            "similarity": similarity,
        }
        return {k: round(max(0.0, min(1.0, v)), 4) for k, v in values.items()}, evidence

    def feedback_factor(self, track: Track) -> tuple[float, str | None]:
        if track.artist_key in self.down_artists:
            return DOWN_FACTOR, "down"
        if track.artist_key in self.up_artists:
            return 1.2, "up"
        liked = self.liked_affinity.get(track.artist_key)
        if liked and liked[0] > 0:
            return 1.0 + 0.1 * liked[0], "near_up"
        return 1.0, None

    def score(self, track: Track, source: str) -> Scored:
        components, evidence = self.components(track)
        base = sum(self.strategy.weights[k] * components[k] for k in COMPONENTS)
        factor, reason = self.feedback_factor(track)
        evidence["feedback"] = reason
        return Scored(track, round(min(1.0, base * factor), 4), components, source, evidence)

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
        if self.anchor.intent == "by_artist_underground":
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
            genre = (catalog.artist_genres(item.track) or ("",))[0]
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


def _names(items: list[str], limit: int = 2) -> str:
    items = list(dict.fromkeys(items))[:limit]
    return " and ".join(items) if len(items) <= 2 else ", ".join(items[:-1]) + " and " + items[-1]


def explain(judge: Judge, item: Scored) -> str:
    """One or two sentences of why, built only from catalog facts and this request."""
    catalog, anchor, track, ev = judge.catalog, judge.anchor, item.track, item.evidence
    artist = catalog.artists.get(track.artist_key)
    clauses: list[str] = []
    detail = (
        f"'{track.title}'"
        + (f" from {track.album}" if track.album else "")
        + (f" ({track.year})" if track.year else "")
    )
    if ev["own"] and (anchor.intent in ARTIST_INTENTS or anchor.deep_dive):
        siblings = catalog.tracks_by(track.artist_key)
        if anchor.intent == "by_artist_underground":
            top = siblings[0].popularity if siblings else track.popularity
            clauses.append(
                f"a deeper {track.artist} cut: popularity {track.popularity} against "
                f"{top} for their best-known track here, {detail}"
            )
        else:
            verb = "another track" if anchor.deep_dive else "a track"
            position = 1 + sum(1 for t in siblings if t.popularity > track.popularity)
            clauses.append(
                f"{verb} by {track.artist}, as asked: {detail}, "
                f"#{position} of {len(siblings)} by popularity in the catalog"
            )
        if ev["genre_hits"]:
            clauses.append(f"tagged {_names(ev['genre_hits'])} as requested")
    elif ev["seed"] and ev["affinity"] > 0 and not ev["own"]:
        seed = catalog.artists[ev["seed"]].name
        shared = sorted(
            judge.labels_of(track)
            & set(catalog.artists[ev["seed"]].genres + catalog.artists[ev["seed"]].tags)
        )
        how = "whom you asked about" if not anchor.seeds else "from your last picks"
        if ev["via"]:
            clauses.append(
                f"{track.artist} is two steps from {seed} in the similar-artist graph "
                f"(via {catalog.artists[ev['via']].name})"
            )
        else:
            clauses.append(
                f"{track.artist} is listed as similar to {seed} (weight {ev['affinity']:.2f})"
            )
        if shared:
            clauses.append(f"shares {_names(shared)} tags with {seed}, {how}")
    if ev["genre_hits"] and not ev["own"]:
        others = [g for g in catalog.artist_genres(track) if g not in ev["genre_hits"]][:2]
        clauses.append(
            f"tagged {_names(ev['genre_hits'], 3)}"
            + (f", alongside {_names(others)}" if others and not ev["seed"] else "")
        )
    if ev["mood_hits"]:
        clauses.append(f"feels {_names(ev['mood_hits'])}")
    elif anchor.moods and track.moods and anchor.intent in ("genre_mood", "discovery"):
        clauses.append(f"feels {_names(list(track.moods))}")
    if judge.activity is not None:
        reasons = activity_reasons(judge.activity, track, judge.labels_of(track))
        if reasons:
            clauses.append(f"suits {judge.activity.name}: {', '.join(reasons[:3])}")
    changes = []  # what a refinement asked for comes first, and only when it holds
    for target, direction in anchor.modifiers:
        if target.startswith("label:"):
            name = target[6:]
            if (name in judge.labels_of(track)) == (direction > 0):
                changes.append(f"{'has' if direction > 0 else 'leaves out'} {name}, as you asked")
        elif getattr(track, target) is not None:
            value, ref = getattr(track, target), judge.reference[target]
            if (value - ref) * direction > 0:
                fmt = "{:.0f}" if target == "tempo" else "{:.2f}"
                changes.append(
                    f"{modifier_words(target, direction)} than your last picks "
                    f"({target} {fmt.format(value)} vs {fmt.format(ref)})"
                )
    clauses = changes[:2] + clauses
    if anchor.intent == "discovering_serendipity" and anchor.avoid_genres:
        fresh = [g for g in catalog.artist_genres(track) if g not in anchor.avoid_genres]
        if fresh:
            clauses.append(
                f"a change of direction: {_names(fresh)}, away from {_names(anchor.avoid_genres)}"
            )
    if (
        judge.strategy.weights["novelty"] >= 0.3
        and artist is not None
        and artist.listeners
        and catalog.listener_rank(track.artist_key) < 0.5
    ):
        clauses.append(f"under the radar: about {_listeners(artist.listeners)} listeners")
    elif anchor.intent == "discovering_serendipity" and not anchor.avoid_genres:
        genres = catalog.artist_genres(track)[:2]
        if genres:
            clauses.append(f"a wildcard from {_names(list(genres))}")
    if ev.get("feedback") == "up":
        clauses.append(f"you gave {track.artist} a thumbs-up")
    elif ev.get("feedback") == "near_up":
        clauses.append("close to an artist you gave a thumbs-up")
    if not clauses:
        genres = catalog.artist_genres(track)[:2]
        clauses.append(
            f"{detail} by {track.artist}" + (f", {_names(list(genres))}" if genres else "")
        )
    text = "; ".join(clauses[:3])
    return text[0].upper() + text[1:] + "."


def modifier_words(target: str, direction: int) -> str:
    """How a refinement reads: ("valence", +1) → "happier"."""
    if target.startswith("label:"):
        return f"{'more' if direction > 0 else 'less'} {target[6:]}"
    words = {
        "energy": ("more energetic", "calmer"),
        "valence": ("happier", "darker"),
        "tempo": ("faster", "slower"),
    }
    return words[target][0 if direction > 0 else 1]


def activity_reasons(activity: Activity, track: Track, labels: frozenset[str]) -> list[str]:
    """The facts that make a track suit an activity (empty when none do)."""
    reasons = []
    if track.energy is not None and activity.energy[0] <= track.energy <= activity.energy[1]:
        reasons.append(f"energy {track.energy:.2f}")
    if track.tempo is not None and activity.tempo[0] <= track.tempo <= activity.tempo[1]:
        reasons.append(f"{track.tempo:.0f} BPM")
    tagged = [lbl for lbl in activity.labels if lbl in labels][:2]
    if tagged:
        reasons.append(f"tagged {_names(tagged)}")
    moods = [m for m in activity.moods if m in track.moods][:2]
    if moods:
        reasons.append(_names(moods))
    return reasons


def _listeners(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1_000_000:.1f}M"
    if count >= 1_000:
        return f"{count // 1000}k"
    return str(count)
