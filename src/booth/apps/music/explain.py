"""Why a track was picked: claims drawn from the judge's evidence, then written as a sentence.

An explanation is built in two steps so that it can only say what is true. `claims_for` reads
the evidence the judge scored a track with, the track's own data and the request, and returns
typed claims (each one checkable against that data); `render` writes them as text. A model
that writes explanations is given the same claims and nothing else (see `grounded_text`).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from booth.apps.music.catalog import Catalog, Track
from booth.apps.music.intents import Activity
from booth.apps.music.judge import Evidence, Judge, Scored
from booth.apps.music.models import ARTIST_INTENTS, Feature, FeedbackEffect, Intent

MAX_CLAUSES = 3  # an explanation says at most this many things
MAX_NAMED = 3  # and names at most this many labels in one clause


class _Claim(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ByArtist(_Claim):
    """The track is by the artist the request named."""

    kind: Literal["by_artist"] = "by_artist"
    artist: str
    title: str
    album: str | None
    year: int | None
    best_known: bool  # among the artist's most popular tracks here (see `_best_known`)
    deep_dive: bool

    def text(self) -> str:
        verb = "another track" if self.deep_dive else "a track"
        text = f"{verb} by {self.artist}, as asked: {_detail(self.title, self.album, self.year)}"
        return text + (", one of their best-known tracks" if self.best_known else "")


class StandIn(_Claim):
    """The track is by the known artist whose name is closest to an unknown one typed."""

    kind: Literal["stand_in"] = "stand_in"
    artist: str
    typed: str

    def text(self) -> str:
        return f"by {self.artist}, the closest name I know to '{self.typed}'"


class DeeperCut(_Claim):
    """A less-played track of the artist asked for, said against their best-known one."""

    kind: Literal["deeper_cut"] = "deeper_cut"
    artist: str
    title: str
    far: bool  # played at most `explain.deeper_cut_far` as much as their best-known track

    def text(self) -> str:
        how = "far less played" if self.far else "less played"
        return f"a deeper {self.artist} cut: '{self.title}', {how} than their best-known track"


class SimilarArtist(_Claim):
    """The artist is linked to a seed artist in the similar-artist graph."""

    kind: Literal["similar_artist"] = "similar_artist"
    artist: str
    seed: str
    close: bool  # the link is at least `explain.closely_related` strong
    via: str | None = None

    def text(self) -> str:
        if self.via:
            return (
                f"{self.artist} is two steps from {self.seed} in the similar-artist graph "
                f"(via {self.via})"
            )
        if self.close:
            return f"{self.artist} is closely related to {self.seed}"
        return f"{self.artist} is listed as similar to {self.seed}"


class SharedLabels(_Claim):
    kind: Literal["shared_labels"] = "shared_labels"
    labels: tuple[str, ...]
    seed: str

    def text(self) -> str:
        noun = "label" if len(self.labels) == 1 else "labels"
        return f"shares the {noun} {_names(self.labels)} with {self.seed}"


class Tagged(_Claim):
    """The track carries genres the request asked for."""

    kind: Literal["tagged"] = "tagged"
    labels: tuple[str, ...]

    def text(self) -> str:
        return f"tagged {_names(self.labels)}, as asked"


class NeighbourGenre(_Claim):
    """The track carries a genre that neighbours the one asked for, not that one."""

    kind: Literal["neighbour_genre"] = "neighbour_genre"
    label: str
    asked: tuple[str, ...]

    def text(self) -> str:
        return f"tagged {self.label}, a neighbour of {_names(self.asked, word='or')}"


class Feels(_Claim):
    kind: Literal["feels"] = "feels"
    moods: tuple[str, ...]
    asked: bool

    def text(self) -> str:
        return f"feels {_names(self.moods)}" + (", as asked" if self.asked else "")


class MoodByFeature(_Claim):
    """A mood asked for, read from an audio feature because the track has no such label."""

    kind: Literal["mood_by_feature"] = "mood_by_feature"
    feature: Feature
    value: float
    moods: tuple[str, ...]

    def text(self) -> str:
        return f"{self.feature.value} {self.value:.2f} suits {_names(self.moods, word='or')}"


class Suits(_Claim):
    """Facts that make the track fit an activity; each one is within the activity's range."""

    kind: Literal["suits"] = "suits"
    activity: str
    energy: float | None = None
    tempo: float | None = None
    labels: tuple[str, ...] = ()
    moods: tuple[str, ...] = ()

    def text(self) -> str:
        facts = []
        if self.energy is not None:
            facts.append(f"energy {self.energy:.2f}")
        if self.tempo is not None:
            facts.append(f"{self.tempo:.0f} BPM")
        if self.labels:
            facts.append(f"tagged {_names(self.labels)}")
        if self.moods:
            facts.append(f"feels {_names(self.moods)}")
        return f"suits {self.activity}: {', '.join(facts)}"


class RefinedLabel(_Claim):
    """Labels a refinement asked for more (or less) of, that hold for the track."""

    kind: Literal["refined_label"] = "refined_label"
    labels: tuple[str, ...]
    up: bool
    said: str

    def text(self) -> str:
        if not self.up:
            return f"not tagged {_names(self.labels, word='or')}, as you asked for less {self.said}"
        return f"tagged {_names(self.labels)}, for the more {self.said} you asked"


class RefinedFeature(_Claim):
    kind: Literal["refined_feature"] = "refined_feature"
    feature: Feature
    words: str  # "more energetic", "slower"
    value: float
    reference: float

    def text(self) -> str:
        fmt = "{:.0f}" if self.feature == Feature.TEMPO else "{:.2f}"
        return (
            f"{self.words} than your last picks ({self.feature.value} "
            f"{fmt.format(self.value)} vs {fmt.format(self.reference)})"
        )


class InEra(_Claim):
    kind: Literal["in_era"] = "in_era"
    year: int
    decade: int

    def text(self) -> str:
        return f"from {self.year}, in the {self.decade}s as asked"


class ChangeOfDirection(_Claim):
    kind: Literal["change_of_direction"] = "change_of_direction"
    genres: tuple[str, ...]
    away: tuple[str, ...]

    def text(self) -> str:
        return f"a change of direction: {_names(self.genres)}, away from {_names(self.away)}"


class UnderTheRadar(_Claim):
    kind: Literal["under_the_radar"] = "under_the_radar"
    listeners: int

    def text(self) -> str:
        return f"under the radar: about {_listeners(self.listeners)} listeners"


class Wildcard(_Claim):
    kind: Literal["wildcard"] = "wildcard"
    genres: tuple[str, ...]

    def text(self) -> str:
        return f"a wildcard from {_names(self.genres)}"


class Liked(_Claim):
    kind: Literal["liked"] = "liked"
    artist: str
    near: bool

    def text(self) -> str:
        if self.near:
            return f"{self.artist} is close to an artist you gave a thumbs-up"
        return f"you gave {self.artist} a thumbs-up"


class Describe(_Claim):
    """What the track is, when nothing more specific can be said."""

    kind: Literal["describe"] = "describe"
    title: str
    album: str | None
    year: int | None
    artist: str
    genres: tuple[str, ...]

    def text(self) -> str:
        base = f"{_detail(self.title, self.album, self.year)} by {self.artist}"
        return base + (f", {_names(self.genres)}" if self.genres else "")


Claim = Annotated[
    ByArtist
    | StandIn
    | DeeperCut
    | SimilarArtist
    | SharedLabels
    | Tagged
    | NeighbourGenre
    | Feels
    | MoodByFeature
    | Suits
    | RefinedLabel
    | RefinedFeature
    | InEra
    | ChangeOfDirection
    | UnderTheRadar
    | Wildcard
    | Liked
    | Describe,
    Field(discriminator="kind"),
]


# -- from evidence to claims -----------------------------------------------------------------
def claims_for(judge: Judge, item: Scored) -> list[Claim]:
    """Every claim the evidence for this track backs, most important first."""
    catalog, anchor, track, ev = judge.catalog, judge.anchor, item.track, item.evidence
    claims: list[Claim] = []
    claims.extend(_refinement_claims(judge, track))
    claims.extend(_artist_claims(judge, track, ev))
    if ev.genre_hits:
        claims.append(Tagged(labels=tuple(ev.genre_hits[:MAX_NAMED])))
    elif ev.near_genres:
        claims.append(NeighbourGenre(label=ev.near_genres[0], asked=tuple(anchor.genres[:2])))
    if ev.mood_hits:
        claims.append(Feels(moods=tuple(ev.mood_hits[:2]), asked=True))
    elif ev.mood_feature is not None and getattr(track, ev.mood_feature.value) is not None:
        claims.append(
            MoodByFeature(
                feature=ev.mood_feature,
                value=getattr(track, ev.mood_feature.value),
                moods=tuple(anchor.moods[:2]),
            )
        )
    if judge.activity is not None:
        suits = _suits(judge.activity, track)
        if suits is not None:
            claims.append(suits)
    if anchor.era and track.year is not None and anchor.era[0] <= track.year <= anchor.era[1]:
        claims.append(InEra(year=track.year, decade=anchor.era[0]))
    claims.extend(_discovery_claims(judge, track))
    if ev.feedback in (FeedbackEffect.UP, FeedbackEffect.NEAR_UP):
        claims.append(Liked(artist=track.artist, near=ev.feedback == FeedbackEffect.NEAR_UP))
    if not claims:
        claims.append(
            Describe(
                title=track.title,
                album=track.album or None,
                year=track.year,
                artist=track.artist,
                genres=catalog.genres_of(track)[:2],
            )
        )
    return claims


def _artist_claims(judge: Judge, track: Track, ev: Evidence) -> list[Claim]:
    catalog, anchor = judge.catalog, judge.anchor
    if ev.own and anchor.stand_in_for:
        return [StandIn(artist=track.artist, typed=anchor.stand_in_for)]
    if ev.own and (anchor.intent in ARTIST_INTENTS or anchor.deep_dive):
        siblings = catalog.tracks_by(track.artist_key)
        top = siblings[0].popularity if siblings else track.popularity
        # their best-known track itself (an artist with one or two) is no deeper cut
        if anchor.intent == Intent.BY_ARTIST_UNDERGROUND and track.popularity < top:
            far = track.popularity <= judge.tuning.explain.deeper_cut_far * top
            return [DeeperCut(artist=track.artist, title=track.title, far=far)]
        return [
            ByArtist(
                artist=track.artist,
                title=track.title,
                album=track.album or None,
                year=track.year,
                best_known=_best_known(judge, track, siblings),
                deep_dive=anchor.deep_dive,
            )
        ]
    if ev.own or ev.seed is None or ev.affinity <= 0 or ev.seed not in catalog.artists:
        return []
    seed = catalog.artists[ev.seed]
    via = catalog.artists.get(ev.via) if ev.via else None
    claims: list[Claim] = [
        SimilarArtist(
            artist=track.artist,
            seed=seed.name,
            close=ev.affinity >= judge.tuning.explain.closely_related,
            via=via.name if via else None,
        )
    ]
    shared = sorted(track.labels & set(seed.genres + seed.tags))
    if shared:
        claims.append(SharedLabels(labels=tuple(shared[:2]), seed=seed.name))
    return claims


def _best_known(judge: Judge, track: Track, siblings: tuple[Track, ...]) -> bool:
    """Whether a track is one of its artist's best known here: of an artist with enough tracks
    to tell, within their top few (a share of them, at most a fixed number) by popularity."""
    tune = judge.tuning.explain
    if len(siblings) < tune.best_known_min_tracks:
        return False
    position = 1 + sum(1 for t in siblings if t.popularity > track.popularity)
    return position <= min(tune.best_known_top, int(len(siblings) * tune.best_known_share))


def _refinement_claims(judge: Judge, track: Track) -> list[Claim]:
    """What a refinement asked for comes first, and only where it holds for this track."""
    claims: list[Claim] = []
    labels: dict[tuple[str, bool], list[str]] = {}
    for change in judge.anchor.modifiers:
        if change.label is not None:
            if judge.label_holds(change, track) == change.up:
                said = change.said or change.label
                labels.setdefault((said, change.up), []).append(change.label)
            continue
        assert change.feature is not None
        value = getattr(track, change.feature.value)
        reference = judge.reference[change.feature.value]
        digits = 0 if change.feature == Feature.TEMPO else 2  # as shown: a visible difference
        if (
            value is not None
            and (round(value, digits) - round(reference, digits)) * change.direction > 0
        ):
            claims.append(
                RefinedFeature(
                    feature=change.feature,
                    words=change.words(),
                    value=value,
                    reference=reference,
                )
            )
    for (said, up), names in labels.items():
        claims.append(RefinedLabel(labels=tuple(names[:MAX_NAMED]), up=up, said=said))
    return claims[:2]


def _discovery_claims(judge: Judge, track: Track) -> list[Claim]:
    catalog, anchor = judge.catalog, judge.anchor
    claims: list[Claim] = []
    genres = catalog.genres_of(track)
    if anchor.intent == Intent.DISCOVERING_SERENDIPITY and anchor.avoid_genres:
        fresh = tuple(g for g in genres if g not in anchor.avoid_genres)
        if fresh:
            claims.append(ChangeOfDirection(genres=fresh[:2], away=tuple(anchor.avoid_genres[:2])))
    listeners = catalog.listeners(track.artist_key)
    tune = judge.tuning.explain
    if (
        judge.strategy.weights["novelty"] >= tune.novelty_weight_for_radar
        and listeners
        and catalog.listener_rank(track.artist_key) < tune.radar_listener_rank
    ):
        claims.append(UnderTheRadar(listeners=listeners))
    elif anchor.intent == Intent.DISCOVERING_SERENDIPITY and not anchor.avoid_genres and genres:
        claims.append(Wildcard(genres=genres[:2]))
    return claims


def _suits(activity: Activity, track: Track) -> Suits | None:
    """The facts that make a track suit an activity, or None when none do."""
    energy = (
        track.energy
        if track.energy is not None and activity.energy[0] <= track.energy <= activity.energy[1]
        else None
    )
    tempo = (
        track.tempo
        if track.tempo is not None and activity.tempo[0] <= track.tempo <= activity.tempo[1]
        else None
    )
    labels = tuple(lbl for lbl in activity.labels if lbl in track.labels)[:2]
    moods = tuple(m for m in activity.moods if m in track.moods)[:2]
    if energy is None and tempo is None and not labels and not moods:
        return None
    return Suits(activity=activity.name, energy=energy, tempo=tempo, labels=labels, moods=moods)


# -- from claims to text ---------------------------------------------------------------------
def render(claims: list[Claim]) -> str:
    """The first few claims as one sentence."""
    text = "; ".join(claim.text() for claim in claims[:MAX_CLAUSES])
    return sentence(text, getattr(claims[0], "artist", None) if claims else None)


def sentence(text: str, name: str | None = None) -> str:
    """`text` with a capital and a full stop, unless it opens with `name`: a name stays as
    written ("will.i.am", "k.d. lang"), or the claim would be about someone else."""
    if not text:
        return ""
    if name and text.startswith(name):
        return text + "."
    return text[0].upper() + text[1:] + "."


def explain(judge: Judge, item: Scored) -> str:
    """One sentence of why, built only from the judge's evidence for this track."""
    return render(claims_for(judge, item))


def _names(items: tuple[str, ...] | list[str], limit: int = MAX_NAMED, word: str = "and") -> str:
    items = list(dict.fromkeys(items))[:limit]
    if len(items) <= 2:
        return f" {word} ".join(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def _detail(title: str, album: str | None, year: int | None) -> str:
    return f"'{title}'" + (f" from {album}" if album else "") + (f" ({year})" if year else "")


def _listeners(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1_000_000:.1f}M"
    if count >= 1_000:
        return f"{count // 1000}k"
    return str(count)


# -- model-written text, checked against the claims ------------------------------------------
CLAUSE_SPLIT = re.compile(r"(?<=[.;!?])\s+|;\s*")
NUMBER = re.compile(r"\d+(?:\.\d+)?")
WORD = re.compile(r"[\w&'.-]+")
MAX_NAME_WORDS = 4


def names_in(text: str, names: frozenset[str]) -> set[str]:
    """The known names (labels, artists) a text mentions, as word sequences of up to four."""
    words = [w.strip(".'-").casefold() for w in WORD.findall(text)]
    found = set()
    for size in range(1, MAX_NAME_WORDS + 1):
        for start in range(len(words) - size + 1):
            phrase = " ".join(words[start : start + size])
            if phrase in names:
                found.add(phrase)
    return found


def grounded_text(written: str, claims: list[Claim], track: Track, names: frozenset[str]) -> str:
    """A model's explanation with every clause it cannot back removed.

    A clause is kept when it names at least one thing that can be checked, and every number and
    every known name (genre, mood, tag or artist) in it appears in the claims it was given or in
    the track's title, artist and album; a clause naming something the evidence does not hold,
    or nothing checkable at all, is dropped. Nothing kept → the offline text.
    """
    backing = " ".join(claim.text() for claim in claims)
    backing = f"{backing} {track.title} {track.artist} {track.album}".casefold()
    backed_names = names_in(backing, names)
    backed_numbers = set(NUMBER.findall(backing))
    kept = []
    for clause in CLAUSE_SPLIT.split(written.strip()):
        clause = clause.strip().rstrip(".;")
        if not clause:
            continue
        numbers = NUMBER.findall(clause)
        named = names_in(clause, names)
        about_the_track = bool(numbers or named)  # a clause must state something checkable
        if about_the_track and set(numbers) <= backed_numbers and named <= backed_names:
            kept.append(clause)
    if not kept:
        return render(claims)
    return sentence("; ".join(kept), track.artist)


def known_names(catalog: Catalog) -> frozenset[str]:
    """Labels and artist names an explanation might claim: each must be backed to be kept."""
    labels = {v for v in catalog.vocabulary if len(v) > 2}
    artists = {a.name.casefold() for a in catalog.artists.values() if len(a.name) > 2}
    return frozenset(labels | artists)
