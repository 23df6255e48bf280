"""The two advocates: each proposes candidate tracks from its own angle; the judge decides.

- The discovery advocate walks the artist graph: the artists asked for, their similar artists,
  and lesser-known artists of the requested genres.
- The genre/mood advocate reads labels and audio features: genres, moods, tags, and the energy
  and tempo an activity wants.

Both are plain functions of the catalog and the anchor (recall only, no scoring). `depth` widens
the net when a pool runs dry: 2nd-degree similar artists, then neighbouring genres.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field

from booth.apps.music.catalog import Catalog
from booth.apps.music.context import Anchor
from booth.apps.music.intents import ACTIVITIES
from booth.apps.music.models import ARTIST_INTENTS, Intent

PER_ADVOCATE = 400  # candidates one advocate may put forward
LABEL_EXTRA = 200  # more room for label recall, the widest net
SERENDIPITY_ARTISTS = 60  # artists a shuffled walk visits (plus SERENDIPITY_WIDEN per round)
SERENDIPITY_WIDEN = 40
WELL_KNOWN_RANK = 0.8  # listener rank above which an artist is "well known"
UNDERGROUND_RANK = 0.6  # discovery reads artists ranked at most this (plus per round)
UNDERGROUND_WIDEN = 0.2
ACTIVITY_LEEWAY = 0.15  # energy outside an activity's range a labelled track may have
RANDOM_GENRES = 6  # genres a serendipity walk samples (plus RANDOM_GENRES_WIDEN per round)
RANDOM_GENRES_WIDEN = 3
# tracks taken per artist, by how the artist was reached
PER_SIMILAR_ARTIST = 8
PER_SEED_ARTIST = 4
PER_NEAR_ARTIST_WHEN_EXHAUSTED = 6
PER_GENRE_ARTIST = 5
PER_RANDOM_ARTIST = 3
PER_RANDOM_GENRE = 12


@dataclass
class Proposal:
    """What one advocate puts forward: track ids, in its own order, and how it got them."""

    advocate: str
    track_ids: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, track_ids, exclude: set[str], limit: int = PER_ADVOCATE) -> int:
        before = len(self.track_ids)
        seen = set(self.track_ids)
        for track_id in track_ids:
            if len(self.track_ids) >= limit:
                break
            if track_id not in exclude and track_id not in seen:
                self.track_ids.append(track_id)
                seen.add(track_id)
        return len(self.track_ids) - before


def _rng(anchor: Anchor, salt: str) -> random.Random:
    return random.Random(zlib.crc32(f"{salt}:{anchor.salt}:{anchor.query}".encode()))


def discovery(
    catalog: Catalog, anchor: Anchor, exclude: set[str], depth: int = 0, salt: str = ""
) -> Proposal:
    """Artist-graph recall: asked-for artists, similar artists, under-the-radar artists."""
    out = Proposal("discovery_advocate")
    seeds = [a for a in anchor.artists if a in catalog.artists]
    if seeds and (anchor.intent in ARTIST_INTENTS or anchor.deep_dive):
        for key in seeds:
            n = out.add((t.track_id for t in catalog.tracks_by(key)), exclude)
            out.notes.append(f"{n} unseen tracks by {catalog.artists[key].name}")
        if depth >= 1:  # the artist is exhausted: continue with the nearest artists
            near = _similar(catalog, seeds, hops=depth)
            n = out.add(
                (
                    t.track_id
                    for a in near
                    for t in catalog.tracks_by(a)[:PER_NEAR_ARTIST_WHEN_EXHAUSTED]
                ),
                exclude,
            )
            out.notes.append(
                f"{n} tracks by {len(near)} artists similar to "
                f"{', '.join(catalog.artists[s].name for s in seeds)}"
            )
        return out
    if seeds:
        near = _similar(catalog, seeds, hops=1 + depth)
        n = out.add(
            (t.track_id for a in near for t in catalog.tracks_by(a)[:PER_SIMILAR_ARTIST]), exclude
        )
        out.notes.append(
            f"{n} tracks by {len(near)} artists similar to "
            f"{', '.join(catalog.artists[s].name for s in seeds[:3])}"
        )
        n = out.add(
            (t.track_id for s in seeds for t in catalog.tracks_by(s)[:PER_SEED_ARTIST]), exclude
        )
        out.notes.append(f"{n} tracks by the seed artists themselves")
        return out

    genres = _genres(catalog, anchor, depth)
    rng = _rng(anchor, salt)
    if anchor.intent == Intent.DISCOVERING_SERENDIPITY or not genres:
        avoid = set(anchor.avoid_genres)
        artists = [a for a in catalog.artists.values() if not set(a.genres) & avoid]
        rng.shuffle(artists)
        artists.sort(
            key=lambda a: catalog.listener_rank(a.key) > WELL_KNOWN_RANK
        )  # lesser-known first
        n = out.add(
            (
                t.track_id
                for a in artists[: SERENDIPITY_ARTISTS + SERENDIPITY_WIDEN * depth]
                for t in catalog.tracks_by(a.key)[:PER_RANDOM_ARTIST]
            ),
            exclude,
        )
        out.notes.append(
            f"{n} tracks from a shuffled walk over {min(len(artists), SERENDIPITY_ARTISTS)} artists"
            + (f" outside {', '.join(anchor.avoid_genres[:3])}" if avoid else "")
        )
        return out
    threshold = UNDERGROUND_RANK + UNDERGROUND_WIDEN * depth
    artists = []
    for genre in genres:
        artists.extend(
            a for a in catalog.artists_in_genre(genre) if catalog.listener_rank(a.key) <= threshold
        )
    artists = list({a.key: a for a in artists}.values())
    rng.shuffle(artists)
    wanted = set(genres)
    n = out.add(  # an artist's tracks in the genre themselves, not its best known ones
        (
            t.track_id
            for a in artists
            for t in [t for t in catalog.tracks_by(a.key) if t.labels & wanted][:PER_GENRE_ARTIST]
        ),
        exclude,
    )
    out.notes.append(
        f"{n} tracks by {len(artists)} lesser-known artists in {', '.join(genres[:4])}"
    )
    return out


def genre_mood(
    catalog: Catalog, anchor: Anchor, exclude: set[str], depth: int = 0, salt: str = ""
) -> Proposal:
    """Label and audio-feature recall: genres, moods, tags, activity profiles."""
    out = Proposal("genre_mood_advocate")
    if anchor.intent in ARTIST_INTENTS and anchor.intent != Intent.ARTIST_GENRE or anchor.deep_dive:
        out.notes.append("request is about one artist's own tracks: nothing to add by label")
        return out
    labels = _genres(catalog, anchor, depth) + list(anchor.moods)
    labels += anchor.labels_wanted()
    activity = next((a for a in ACTIVITIES if a.name in anchor.activities), None)
    if activity is not None:
        labels += [lbl for lbl in activity.labels + activity.moods if lbl in catalog.vocabulary]
    if anchor.seeds:
        seed_labels: dict[str, int] = {}
        for t in anchor.seeds:
            if t in catalog.tracks:
                for lbl in catalog.tracks[t].labels:
                    seed_labels[lbl] = seed_labels.get(lbl, 0) + 1
        labels += sorted(seed_labels, key=lambda lbl: -seed_labels[lbl])[:4]
    labels = list(dict.fromkeys(labels))
    if anchor.intent == Intent.ARTIST_GENRE:
        labels = [g for g in labels if g in anchor.genres]
    avoid = set(anchor.avoid_genres)
    if activity is not None:  # what the activity's energy and tempo allow comes first
        low, high = activity.energy
        fits = [
            t.track_id
            for t in catalog.tracks.values()
            if t.energy is not None
            and low <= t.energy <= high
            and (t.tempo is None or activity.tempo[0] <= t.tempo <= activity.tempo[1])
        ]
        fits.sort(key=lambda tid: zlib.crc32(f"{salt}:{anchor.salt}:{tid}".encode()))
        n = out.add(fits, exclude, PER_ADVOCATE)
        out.notes.append(f"{n} tracks whose energy and tempo suit {activity.name}")

    def fits_activity(track) -> bool:
        if activity is None or track.energy is None:
            return True
        return (
            activity.energy[0] - ACTIVITY_LEEWAY
            <= track.energy
            <= activity.energy[1] + ACTIVITY_LEEWAY
        )

    for lbl in labels:
        n = out.add(
            (
                t.track_id
                for t in catalog.tracks_labelled(lbl)
                if not avoid & set(t.genres) and fits_activity(t)
            ),
            exclude,
            PER_ADVOCATE + LABEL_EXTRA,
        )
        if n:
            out.notes.append(f"{n} tracks labelled {lbl}")
    features = [m for m in anchor.modifiers if m.feature is not None]
    if features and not labels:
        change = features[0]
        target = str(change.feature)
        ranked = sorted(
            (t for t in catalog.tracks.values() if getattr(t, target) is not None),
            key=lambda t: -change.direction * getattr(t, target),
        )
        n = out.add((t.track_id for t in ranked), exclude)
        out.notes.append(f"{n} tracks ordered by {target} ({'+' if change.up else '-'})")
    if anchor.intent == Intent.DISCOVERING_SERENDIPITY and not labels:
        rng = _rng(anchor, salt + ":genres")
        genres = [g for g in catalog.genre_counts if g not in avoid]
        rng.shuffle(genres)
        picked = genres[: RANDOM_GENRES + RANDOM_GENRES_WIDEN * depth]
        n = out.add(
            (
                t.track_id
                for g in picked
                for t in catalog.tracks_labelled(g)[:PER_RANDOM_GENRE]
                if not avoid & set(catalog.genres_of(t))
            ),
            exclude,
        )
        out.notes.append(f"{n} tracks from genres picked at random: {', '.join(picked[:4])}")
    if not out.notes:
        out.notes.append("no genre, mood or activity to search by")
    return out


def _genres(catalog: Catalog, anchor: Anchor, depth: int) -> list[str]:
    """The anchor's genres, widened to neighbouring genres from depth 1 on."""
    genres = list(anchor.genres)
    if depth >= 1:
        for genre in anchor.genres:
            genres.extend(n for n, _ in catalog.neighbour_genres(genre)[: 2 + 2 * depth])
    return list(dict.fromkeys(g for g in genres if g not in anchor.avoid_genres))


def _similar(catalog: Catalog, seeds: list[str], hops: int) -> list[str]:
    """Artists up to `hops` steps from the seeds in the similar-artist graph, nearest first."""
    frontier, seen, order = list(seeds), set(seeds), []
    for _ in range(max(1, hops)):
        nxt = []
        for key in frontier:
            for artist, _weight in catalog.similar_to(key):
                if artist.key not in seen:
                    seen.add(artist.key)
                    order.append(artist.key)
                    nxt.append(artist.key)
        frontier = nxt
    return order
