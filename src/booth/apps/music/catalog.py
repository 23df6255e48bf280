"""The music catalog: artists, tracks and the indexes every stage looks things up in.

The catalog is data, not code: every `artists_*.json` and `tracks_*.csv` in the bundled data
folder, then the same files in the user's own catalog folder (written by `booth music import`),
merged into one read-only `Catalog`. It is built once per process and shared by every request,
so nothing in it may change after loading; per-user state lives in the session store.
"""

from __future__ import annotations

import bisect
import csv
import json
import os
import re
from collections import ChainMap, Counter, defaultdict
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar, cast

K = TypeVar("K")
V = TypeVar("V")

BUNDLED_DIR = Path(__file__).resolve().parent / "data"
TRACK_COLUMNS = (
    "artist",
    "title",
    "album",
    "year",
    "genres",
    "moods",
    "tags",
    "popularity",
    "energy",
    "valence",
    "tempo",
)


# -- normalisation ---------------------------------------------------------------------------
def normalize(text: str) -> str:
    """Lowercase, single-spaced: the form used for every key and comparison."""
    return " ".join(text.casefold().split())


_SEPARATORS = re.compile(r"[_\-]+")


@lru_cache(maxsize=65536)
def label(text: str) -> str:
    """A genre, mood or tag label: lowercase, `_` and `-` read as spaces ("hip-hop" = "hip hop").

    Cached: a catalog repeats a few thousand labels across its tens of thousands of cells.
    """
    return normalize(_SEPARATORS.sub(" ", text))


@lru_cache(maxsize=65536)
def artist_key(name: str) -> str:
    """An artist's key (cached: every track row names its artist again)."""
    return normalize(name)


def make_track_id(artist: str, title: str) -> str:
    """The public id of a track: normalised `artist||title`."""
    return f"{artist_key(artist)}||{normalize(title)}"


@lru_cache(maxsize=65536)
def split_list(value: str | None) -> tuple[str, ...]:
    """A semicolon-separated cell as unique labels, in order (cached: genre cells repeat)."""
    if not value:
        return ()
    seen: dict[str, None] = {}
    for part in value.split(";"):
        item = label(part)
        if item:
            seen.setdefault(item, None)
    return tuple(seen)


def _real(value: str | None, low: float, high: float) -> float | None:
    """A number cell within [low, high], or None when empty; ValueError when out of range."""
    if value is None or str(value).strip() == "":
        return None
    number = float(value)
    if not low <= number <= high:
        raise ValueError(f"{value} is outside {low}–{high}")
    return number


def _whole(value: str | None, low: int, high: int) -> int | None:
    number = _real(value, low, high)
    return None if number is None else int(number)


# -- records ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Artist:
    name: str
    key: str
    genres: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    listeners: int = 0
    similar: tuple[tuple[str, float], ...] = ()  # (artist key, weight 0–1), strongest first
    source: str = "catalog"  # where the record came from: the catalog files, or "lastfm"


@dataclass(frozen=True, slots=True)
class Track:
    track_id: str
    title: str
    artist: str  # display name
    artist_key: str
    album: str = ""
    year: int | None = None
    genres: tuple[str, ...] = ()
    moods: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    popularity: int = 0  # 0–100
    energy: float | None = None  # 0–1
    valence: float | None = None  # 0–1
    tempo: float | None = None  # BPM
    source: str = "catalog"  # where the record came from: the catalog files, or "lastfm"

    # Genres, moods and tags together: what label matches and "sounds like" comparisons use.
    labels: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "labels", frozenset(self.genres) | frozenset(self.moods) | frozenset(self.tags)
        )


def parse_track_row(row: dict[str, str]) -> Track:
    """One CSV row (the documented columns) as a Track; ValueError names what is wrong."""
    artist = (row.get("artist") or "").strip()
    title = (row.get("title") or "").strip()
    if not artist or not title:
        raise ValueError("artist and title are required")
    return Track(
        track_id=make_track_id(artist, title),
        title=title,
        artist=artist,
        artist_key=artist_key(artist),
        album=(row.get("album") or "").strip(),
        year=_whole(row.get("year"), 1800, 2100),
        genres=split_list(row.get("genres")),
        moods=split_list(row.get("moods")),
        tags=split_list(row.get("tags")),
        popularity=_whole(row.get("popularity"), 0, 100) or 0,
        energy=_real(row.get("energy"), 0, 1),
        valence=_real(row.get("valence"), 0, 1),
        tempo=_real(row.get("tempo"), 20, 400),
    )


def parse_artist(raw: dict) -> Artist:
    name = str(raw.get("name") or "").strip()
    if not name:
        raise ValueError("artist without a name")
    similar = []
    for entry in raw.get("similar") or []:
        if isinstance(entry, str):
            entry = {"name": entry, "weight": 0.5}
        weight = _real(str(entry.get("weight", 0.5)), 0, 1)
        similar.append((artist_key(str(entry["name"])), 0.5 if weight is None else weight))
    return Artist(
        name=name,
        key=artist_key(name),
        genres=split_list(";".join(raw.get("genres") or [])),
        tags=split_list(";".join(raw.get("tags") or [])),
        listeners=max(0, int(raw.get("listeners") or 0)),
        similar=tuple(similar),
    )


# -- merging ---------------------------------------------------------------------------------
def _union(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(a + b))


def merge_artists(old: Artist, new: Artist) -> Artist:
    weights = dict(old.similar)
    for key, weight in new.similar:
        weights[key] = max(weight, weights.get(key, 0.0))
    return replace(
        old,
        genres=_union(old.genres, new.genres),
        tags=_union(old.tags, new.tags),
        listeners=max(old.listeners, new.listeners),
        similar=tuple(weights.items()),
    )


def merge_tracks(old: Track, new: Track) -> Track:
    """A later source wins field by field, but an empty field keeps what was known."""
    changes = {}
    for name in ("album", "year", "genres", "moods", "tags", "energy", "valence", "tempo"):
        value = getattr(new, name)
        if value not in (None, "", ()):
            changes[name] = value
    if new.popularity:
        changes["popularity"] = new.popularity
    return replace(old, **changes)


# -- the catalog -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Catalog:
    """Read-only artists and tracks with the lookups the pipeline needs."""

    artists: MappingProxyType  # key -> Artist
    tracks: MappingProxyType  # track_id -> Track
    sources: tuple[str, ...] = ()
    _by_artist: Mapping[str, tuple[Track, ...]] = field(default_factory=dict, repr=False)
    _by_label: Mapping[str, tuple[Track, ...]] = field(default_factory=dict, repr=False)
    _artists_by_genre: Mapping[str, tuple[Artist, ...]] = field(default_factory=dict, repr=False)
    genre_counts: dict[str, int] = field(default_factory=dict, repr=False)
    mood_counts: dict[str, int] = field(default_factory=dict, repr=False)
    tag_counts: dict[str, int] = field(default_factory=dict, repr=False)
    _neighbours: dict[str, tuple[tuple[str, float], ...]] = field(default_factory=dict, repr=False)
    _inbound: Mapping[str, tuple[tuple[str, float], ...]] = field(default_factory=dict, repr=False)
    _listener_rank: Mapping[str, float] = field(default_factory=dict, repr=False)
    _standing: Mapping[str, float] = field(default_factory=dict, repr=False)
    _listener_counts: tuple[int, ...] = field(default=(), repr=False)  # ascending

    # lookups
    def artist(self, name_or_key: str) -> Artist | None:
        return self.artists.get(artist_key(name_or_key))

    def track(self, track_id: str) -> Track | None:
        return self.tracks.get(track_id)

    def tracks_by(self, key: str) -> tuple[Track, ...]:
        """An artist's tracks, most popular first."""
        return self._by_artist.get(key, ())

    def tracks_labelled(self, name: str) -> tuple[Track, ...]:
        """Tracks carrying a genre, mood or tag of their own, most popular first."""
        return self._by_label.get(label(name), ())

    def artists_in_genre(self, genre: str) -> tuple[Artist, ...]:
        return self._artists_by_genre.get(label(genre), ())

    def similar_to(self, key: str) -> list[tuple[Artist, float]]:
        artist = self.artists.get(key)
        if artist is None:
            return []
        return [(self.artists[k], w) for k, w in artist.similar if k in self.artists]

    def linked_from(self, key: str) -> tuple[tuple[str, float], ...]:
        """(artist key, weight) of every artist whose similar-artist links point at `key`."""
        return self._inbound.get(key, ())

    def neighbour_genres(self, genre: str) -> tuple[tuple[str, float], ...]:
        """Genres that most often share an artist with `genre`, closest first."""
        return self._neighbours.get(label(genre), ())

    def genres_of(self, track: Track) -> tuple[str, ...]:
        """A track's own genres (its artist's only when the data gives the track none)."""
        return track.genres

    # scales (0–1) used by the judge
    def listener_rank(self, key: str) -> float:
        """Where an artist's listener count ranks in the catalog: 0 least heard, 1 most."""
        return self._listener_rank.get(key, 0.0)

    def rank_of_listeners(self, listeners: int) -> float:
        """Where a listener count would rank among this catalog's artists (for outside ones)."""
        counts = self._listener_counts
        if not counts:
            return 0.0
        return bisect.bisect_left(counts, listeners) / max(1, len(counts) - 1)

    def labels_of(self, track_id: str) -> frozenset[str]:
        """A track's own genres, moods and tags: what a "tagged X" claim about it may name."""
        track = self.tracks.get(track_id)
        return track.labels if track is not None else frozenset()

    def standing(self, track_id: str) -> float:
        """Where a track sits among its artist's tracks by popularity: 1.0 is the best known."""
        return self._standing.get(track_id, 1.0)

    def listeners(self, key: str) -> int:
        artist = self.artists.get(key)
        return artist.listeners if artist else 0

    @property
    def vocabulary(self) -> frozenset[str]:
        return (
            frozenset(self.genre_counts) | frozenset(self.mood_counts) | frozenset(self.tag_counts)
        )

    def figures(self) -> dict[str, int]:
        return {
            "artists": len(self.artists),
            "tracks": len(self.tracks),
            "genres": len(self.genre_counts),
            "moods": len(self.mood_counts),
            "tags": len(self.tag_counts),
        }


def build_catalog(
    artists: Iterable[Artist], tracks: Iterable[Track], sources: Iterable[str] = ()
) -> Catalog:
    """Merge records (later ones win), drop dangling similar-artist links, build the indexes."""
    by_key: dict[str, Artist] = {}
    for artist in artists:
        by_key[artist.key] = (
            merge_artists(by_key[artist.key], artist) if artist.key in by_key else artist
        )
    by_id: dict[str, Track] = {}
    for track in tracks:
        by_id[track.track_id] = (
            merge_tracks(by_id[track.track_id], track) if track.track_id in by_id else track
        )

    # An artist known only from tracks gets an entry built from them.
    derived_genres: dict[str, Counter] = defaultdict(Counter)
    derived_tags: dict[str, Counter] = defaultdict(Counter)
    names: dict[str, str] = {}
    for track in by_id.values():
        derived_genres[track.artist_key].update(track.genres)
        derived_tags[track.artist_key].update(track.tags)
        names.setdefault(track.artist_key, track.artist)
    for key, name in names.items():
        if key not in by_key:
            by_key[key] = Artist(
                name=name,
                key=key,
                genres=tuple(g for g, _ in derived_genres[key].most_common(4)),
                tags=tuple(t for t, _ in derived_tags[key].most_common(6)),
            )
    # Similar links only to artists we have, strongest first, never to oneself.
    for key, artist in list(by_key.items()):
        links = tuple(
            sorted(
                ((k, w) for k, w in artist.similar if k in by_key and k != key),
                key=lambda kw: -kw[1],
            )
        )
        if links != artist.similar:
            by_key[key] = replace(artist, similar=links)
    # Tracks take the catalog's display name of their artist, and its genres only when they have
    # none of their own: a track's labels are its own ("Creep" is not electronic because
    # Radiohead is).
    for track_id, track in list(by_id.items()):
        artist = by_key[track.artist_key]
        if track.artist != artist.name or not track.genres:
            by_id[track_id] = replace(
                track, artist=artist.name, genres=track.genres or artist.genres
            )

    by_artist: dict[str, list[Track]] = defaultdict(list)
    by_label: dict[str, list[Track]] = defaultdict(list)
    genre_counts: Counter = Counter()
    mood_counts: Counter = Counter()
    tag_counts: Counter = Counter()
    for track in _by_popularity(by_id.values()):  # sorted once: every index keeps this order
        by_artist[track.artist_key].append(track)
        for name in track.labels:
            by_label[name].append(track)
    for track in by_id.values():
        genre_counts.update(track.genres)
        mood_counts.update(track.moods)
        tag_counts.update(track.tags)
    artists_by_genre: dict[str, list[Artist]] = defaultdict(list)
    cooccur: dict[str, Counter] = defaultdict(Counter)
    for artist in by_key.values():
        genres = set(artist.genres)
        for track in by_artist.get(artist.key, ()):
            genres.update(track.genres)
        for genre in genres:
            artists_by_genre[genre].append(artist)
            genre_counts.setdefault(genre, 0)
            for other in genres:
                if other != genre:
                    cooccur[genre][other] += 1
    neighbours = {
        genre: tuple(
            (other, count / max(1, len(artists_by_genre[genre])))
            for other, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:8]
        )  # ties by name: the same on every replica, whatever the hash seed
        for genre, counts in cooccur.items()
    }

    ordered = sorted(by_key.values(), key=lambda a: (a.listeners, a.key))
    last = max(1, len(ordered) - 1)
    rank = {a.key: i / last for i, a in enumerate(ordered)}
    for i, a in enumerate(ordered):  # equal listener counts share the lower rank
        if i and a.listeners == ordered[i - 1].listeners:
            rank[a.key] = rank[ordered[i - 1].key]
    by_artist_sorted = {k: tuple(v) for k, v in by_artist.items()}
    standing = {}
    for tracks_of in by_artist_sorted.values():
        last_index = max(1, len(tracks_of) - 1)
        for i, track in enumerate(tracks_of):
            standing[track.track_id] = 1.0 - i / last_index if len(tracks_of) > 1 else 1.0
    return Catalog(
        artists=MappingProxyType(by_key),
        _inbound=_inbound(by_key),
        tracks=MappingProxyType(by_id),
        sources=tuple(sources),
        _by_artist=by_artist_sorted,
        _standing=standing,
        _by_label={k: tuple(v) for k, v in by_label.items()},
        _artists_by_genre={
            k: tuple(sorted(v, key=lambda a: (-a.listeners, a.key)))
            for k, v in artists_by_genre.items()
        },
        genre_counts=dict(genre_counts),
        mood_counts=dict(mood_counts),
        tag_counts=dict(tag_counts),
        _neighbours=neighbours,
        _listener_rank=rank,
        _listener_counts=tuple(a.listeners for a in ordered),
    )


def overlay(base: Catalog, extra: Catalog) -> Catalog:
    """`base` with `extra`'s records added, without copying base (built per turn, so cheap).

    A record both know keeps base's (richer) data; an artist both know gets the union of their
    similar-artist links. Lookups go to the extra layer first, then to base.
    """
    if not extra.tracks and not extra.artists:
        return base
    artists: dict[str, Artist] = {}
    for key, artist in extra.artists.items():
        known = base.artists.get(key)
        artists[key] = merge_artists(known, artist) if known is not None else artist
    tracks = {k: t for k, t in extra.tracks.items() if k not in base.tracks}
    by_artist = {
        key: _by_popularity({*base.tracks_by(key), *(t for t in got if t.track_id in tracks)})
        for key, got in extra._by_artist.items()
    }
    by_label = {
        name: _by_popularity(
            {*base.tracks_labelled(name), *(t for t in got if t.track_id in tracks)}
        )
        for name, got in extra._by_label.items()
    }
    by_genre = {
        genre: tuple({a.key: a for a in (*base.artists_in_genre(genre), *got)}.values())
        for genre, got in extra._artists_by_genre.items()
    }
    rank = {
        key: base.rank_of_listeners(a.listeners)
        for key, a in artists.items()
        if key not in base.artists
    }
    standing: dict[str, float] = {}
    for ordered in by_artist.values():
        last = max(1, len(ordered) - 1)
        for i, track in enumerate(ordered):
            standing[track.track_id] = 1.0 - i / last if len(ordered) > 1 else 1.0
    inbound = {  # links of the artists this layer replaces are read from the layer
        target: (
            *(link for link in base.linked_from(target) if link[0] not in artists),
            *links,
        )
        for target, links in _inbound(artists).items()
    }
    return replace(
        base,
        artists=MappingProxyType(_layers(artists, base.artists)),
        _inbound=_layers(inbound, base._inbound),
        tracks=MappingProxyType(_layers(tracks, base.tracks)),
        _by_artist=_layers(by_artist, base._by_artist),
        _by_label=_layers(by_label, base._by_label),
        _artists_by_genre=_layers(by_genre, base._artists_by_genre),
        _listener_rank=_layers(rank, base._listener_rank),
        _standing=_layers(standing, base._standing),
    )


def _inbound(artists: Mapping[str, Artist]) -> dict[str, tuple[tuple[str, float], ...]]:
    """Similar-artist links reversed: target key → (key of the artist linking to it, weight)."""
    out: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for key, artist in artists.items():
        for target, weight in artist.similar:
            out[target].append((key, weight))
    return {target: tuple(links) for target, links in out.items()}


def _layers(top: dict[K, V], below: Mapping[K, V]) -> Mapping[K, V]:
    """`top` over `below`, read-only (ChainMap only ever writes to its first map)."""
    return ChainMap(top, cast("MutableMapping[K, V]", below))


def _by_popularity(tracks: Iterable[Track]) -> tuple[Track, ...]:
    return tuple(sorted(tracks, key=lambda t: (-t.popularity, t.track_id)))


# -- files -----------------------------------------------------------------------------------
def read_artists_file(path: Path, errors: list[str] | None = None) -> list[Artist]:
    """Artists of one JSON file; a bad entry is skipped (and described in `errors` when given)."""
    with path.open(encoding="utf-8") as handle:
        raw = json.load(handle)
    if isinstance(raw, dict):
        raw = raw.get("artists", [])
    artists = []
    for index, entry in enumerate(raw):
        try:
            artists.append(parse_artist(entry))
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            if errors is not None:
                errors.append(f"{path.name}[{index}]: {exc}")
    return artists


def read_tracks_file(path: Path, errors: list[str] | None = None) -> list[Track]:
    """Tracks of one CSV; a bad row is skipped (and described in `errors` when given)."""
    tracks = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            try:
                tracks.append(parse_track_row(row))
            except (ValueError, TypeError) as exc:
                if errors is not None:
                    errors.append(f"{path.name}:{line}: {exc}")
    return tracks


def catalog_files(location: Path) -> tuple[list[Path], list[Path]]:
    """(artists files, tracks files) of a folder, or of a single .json/.csv file."""
    if location.is_file():
        if location.suffix == ".json":
            return [location], []
        return [], [location]
    if not location.is_dir():
        return [], []
    return sorted(location.glob("artists_*.json")), sorted(location.glob("tracks_*.csv"))


def load_catalog(*locations: Path) -> Catalog:
    """Every catalog file in `locations`, merged in order (later locations win)."""
    artists: list[Artist] = []
    tracks: list[Track] = []
    sources: list[str] = []
    for location in locations:
        artist_files, track_files = catalog_files(Path(location))
        for path in artist_files:
            artists.extend(read_artists_file(path))
            sources.append(str(path))
        for path in track_files:
            tracks.extend(read_tracks_file(path))
            sources.append(str(path))
    return build_catalog(artists, tracks, sources)


def user_catalog_dir(data_dir: Path) -> Path:
    """Where `booth music import` keeps the user's catalog: BOOTH_MUSIC_CATALOG or data dir."""
    configured = os.environ.get("BOOTH_MUSIC_CATALOG")
    return Path(configured) if configured else Path(data_dir) / "music"


def _signature(location: Path) -> tuple:
    artist_files, track_files = catalog_files(location)
    return tuple(
        (str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in artist_files + track_files
    )


@lru_cache(maxsize=4)
def _cached(locations: tuple[Path, ...], signatures: tuple) -> Catalog:
    return load_catalog(*locations)


def shared_catalog(data_dir: Path) -> Catalog:
    """The bundled catalog merged with the user's, loaded once per process (per set of files)."""
    locations = (BUNDLED_DIR, user_catalog_dir(data_dir))
    return _cached(locations, tuple(_signature(p) for p in locations))
