"""Last.fm as part of the catalog: the records a request needs, fetched and merged per turn.

For one anchor (the request a turn answers) this asks Last.fm for the artists named (their top
tracks, similar artists and top tags), the similar artists' own top tracks, and the top tracks and
artists of the genres named; turns them into catalog records marked `source="lastfm"`; and
overlays them on the bundled catalog. Pools, cursors and the never-repeat rule work on track ids,
so a page of Last.fm tracks pages exactly like a page of bundled ones: the next turn asks for the
same records (answered from the provider cache) and finds the same ids.

Last.fm failing is never the turn failing: whatever it could not answer is left out, the turn
answers from the bundled catalog, and `degraded` names the provider so the client can tell.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from booth.apps.music.catalog import (
    Artist,
    Catalog,
    Track,
    artist_key,
    build_catalog,
    label,
    make_track_id,
    overlay,
)
from booth.apps.music.context import Anchor
from booth.apps.music.intents import edit_distance, edit_limit, simplify
from booth.providers.lastfm import (
    LastfmClient,
    LastfmError,
    LastfmNotFound,
    SimilarArtists,
    TopTags,
    TopTracks,
)

log = logging.getLogger("booth.music.live")

SOURCE = "lastfm"
CATALOG_SOURCE = "catalog"
ARTISTS_ASKED = 3  # artists of one request looked up on Last.fm
SIMILAR_WITH_TRACKS = 4  # similar artists whose own top tracks are fetched
TRACK_INFO_PER_ARTIST = 3  # tracks of an asked artist whose own tags are fetched
TAGS_ASKED = 2  # genres of one request looked up as Last.fm tags
TAGS_PER_ARTIST = 4  # an artist's top tags kept as its genres
MIN_TAG_SHARE = 0.1  # a tag counts for an artist when its count is ≥ this share of the top one
TOP_TRACKS = 100  # of an artist asked for: enough for ten "more" pages
SIMILAR_TOP_TRACKS = 20  # of a similar artist
SIMILAR_ARTISTS = 30
TAG_TRACKS = 50
LOG_LISTENERS_FOR_FULL = 7.0  # 10^7 listeners is popularity 100
VIEW_MEMO_SECONDS = 60.0  # a built view is reused this long (its data is cached far longer)
VIEW_MEMO_ENTRIES = 256

T = TypeVar("T")


@dataclass
class Gathered:
    """Records from Last.fm for one turn, and how the provider fared."""

    artists: dict[str, Artist] = field(default_factory=dict)
    tracks: dict[str, Track] = field(default_factory=dict)
    used: bool = False  # Last.fm (or its cache) answered at least once
    failed: bool = False  # at least one call failed: the answer is degraded

    def add_artist(self, artist: Artist) -> None:
        known = self.artists.get(artist.key)
        if known is None:
            self.artists[artist.key] = artist
            return
        self.artists[artist.key] = Artist(
            name=known.name,
            key=known.key,
            genres=known.genres or artist.genres,
            tags=tuple(dict.fromkeys(known.tags + artist.tags)),
            listeners=max(known.listeners, artist.listeners),
            similar=known.similar or artist.similar,
            source=SOURCE,
        )

    def add_track(self, track: Track) -> None:
        known = self.tracks.get(track.track_id)
        if known is None or (not known.genres and track.genres):
            self.tracks[track.track_id] = track


@dataclass(frozen=True)
class LiveView:
    """The catalog a turn answers from, and which providers it used or missed."""

    catalog: Catalog
    sources: tuple[str, ...]
    degraded: tuple[str, ...]


@dataclass
class LiveMusic:
    """The bundled catalog plus what Last.fm knows, one request at a time.

    A view built without failures is kept for VIEW_MEMO_SECONDS in this process, keyed by what
    it was built from (the artists and tags asked for), so a warm turn does not rebuild it.
    """

    client: LastfmClient
    base: Catalog
    clock: Callable[[], float] = time.monotonic
    _memo: dict[tuple[Any, ...], tuple[float, LiveView]] = field(default_factory=dict, repr=False)

    # -- one call, never raising: a failure is recorded, not thrown ------------------------
    async def _ask(self, got: Gathered, call: Awaitable[T]) -> T | None:
        try:
            answer = await call
        except LastfmNotFound:
            got.used = True
            return None
        except LastfmError as exc:
            log.info("Last.fm call failed: %s", exc)
            got.failed = True
            return None
        got.used = True
        return answer

    # -- finding an artist only Last.fm knows -----------------------------------------------
    async def find_artist(self, typed: str) -> tuple[str | None, bool]:
        """(The Last.fm artist a typed name means, or None; whether Last.fm failed).

        Only a result whose name is the typed one, or a typo away from it, is trusted: an
        artist Last.fm merely ranks first for some words is not who the user asked for.
        """
        got = Gathered()
        found = await self._ask(got, self.client.artist_search(typed))
        if found is None:
            return None, got.failed
        wanted = simplify(typed).removeprefix("the ")
        limit = edit_limit(wanted)
        for match in found.artistmatches.artist:
            name = simplify(match.name).removeprefix("the ")
            if edit_distance(wanted, name, limit) <= limit:
                return match.name, got.failed
        return None, got.failed

    # -- the records of one anchor ----------------------------------------------------------
    async def view(self, anchor: Anchor | None, *also: Anchor | None) -> LiveView:
        """The bundled catalog overlaid with Last.fm's records for these anchors."""
        key = tuple(_wants(a) for a in (anchor, *also) if a is not None)
        memo = self._memo.get(key)
        if memo is not None and memo[0] > self.clock():
            return memo[1]
        view = await self._build(anchor, *also)
        if not view.degraded:
            if len(self._memo) >= VIEW_MEMO_ENTRIES:
                self._memo.pop(next(iter(self._memo)))
            self._memo[key] = (self.clock() + VIEW_MEMO_SECONDS, view)
        return view

    async def _build(self, anchor: Anchor | None, *also: Anchor | None) -> LiveView:
        got = Gathered()
        for each in (anchor, *also):
            if each is not None:
                await self._gather(got, each)
        extra = build_catalog(got.artists.values(), got.tracks.values())
        sources = (CATALOG_SOURCE, SOURCE) if got.used and got.tracks else (CATALOG_SOURCE,)
        return LiveView(overlay(self.base, extra), sources, (SOURCE,) if got.failed else ())

    async def _gather(self, got: Gathered, anchor: Anchor) -> None:
        artists, tags = _wants(anchor)
        names = [self._name(key) for key in artists]
        await asyncio.gather(
            *(self._artist(got, name) for name in names),
            *(self._tag(got, tag) for tag in tags),
        )

    def _name(self, key: str) -> str:
        artist = self.base.artists.get(key)
        return artist.name if artist is not None else key

    async def _artist(self, got: Gathered, name: str) -> None:
        top, similar, tags = await asyncio.gather(
            self._ask(got, self.client.artist_top_tracks(name, TOP_TRACKS)),
            self._ask(got, self.client.artist_similar(name, SIMILAR_ARTISTS)),
            self._ask(got, self.client.artist_top_tags(name)),
        )
        if top is None and similar is None and tags is None:
            return
        display = _display_name(name, top, similar, tags)
        genres = _genres(tags.tag if tags else [])
        links = tuple(
            (artist_key(s.name), round(s.match, 3)) for s in (similar.artist if similar else [])
        )
        got.add_artist(
            Artist(
                name=display,
                key=artist_key(display),
                genres=genres,
                listeners=_listeners(top),
                similar=links,
                source=SOURCE,
            )
        )
        for s in similar.artist if similar else []:
            got.add_artist(Artist(name=s.name, key=artist_key(s.name), source=SOURCE))
        own_tags = await asyncio.gather(
            *(
                self._ask(got, self.client.track_info(display, t.name))
                for t in (top.track[:TRACK_INFO_PER_ARTIST] if top else [])
            )
        )
        tagged = {
            make_track_id(display, info.name): _genres(info.toptags.tag)
            for info in own_tags
            if info is not None
        }
        self._add_top_tracks(got, display, top, genres, tagged)
        strangers = [
            s.name
            for s in (similar.artist if similar else [])
            if artist_key(s.name) not in self.base.artists
        ][:SIMILAR_WITH_TRACKS]
        await asyncio.gather(*(self._similar_artist(got, n) for n in strangers))

    async def _similar_artist(self, got: Gathered, name: str) -> None:
        top, tags = await asyncio.gather(
            self._ask(got, self.client.artist_top_tracks(name, SIMILAR_TOP_TRACKS)),
            self._ask(got, self.client.artist_top_tags(name)),
        )
        if top is None:
            return
        display = _display_name(name, top, tags)
        genres = _genres(tags.tag if tags else [])
        got.add_artist(
            Artist(
                name=display,
                key=artist_key(display),
                genres=genres,
                listeners=_listeners(top),
                source=SOURCE,
            )
        )
        self._add_top_tracks(got, display, top, genres, {})

    def _add_top_tracks(
        self,
        got: Gathered,
        artist: str,
        top: TopTracks | None,
        genres: tuple[str, ...],
        tagged: dict[str, tuple[str, ...]],
    ) -> None:
        """An artist's top tracks; each keeps its own tags where known, else the artist's."""
        tracks = top.track if top else []
        for i, item in enumerate(tracks):
            track_id = make_track_id(artist, item.name)
            got.add_track(
                Track(
                    track_id=track_id,
                    title=item.name,
                    artist=artist,
                    artist_key=artist_key(artist),
                    genres=tagged.get(track_id) or genres,
                    popularity=_popularity(item.listeners, i, len(tracks)),
                    source=SOURCE,
                )
            )

    async def _tag(self, got: Gathered, tag: str) -> None:
        tracks, artists = await asyncio.gather(
            self._ask(got, self.client.tag_top_tracks(tag, TAG_TRACKS)),
            self._ask(got, self.client.tag_top_artists(tag)),
        )
        name = label(tag)
        for charted in artists.artist if artists else []:
            got.add_artist(
                Artist(
                    name=charted.name, key=artist_key(charted.name), genres=(name,), source=SOURCE
                )
            )
        listed = tracks.track if tracks else []
        for i, item in enumerate(listed):
            got.add_artist(
                Artist(name=item.artist.name, key=artist_key(item.artist.name), source=SOURCE)
            )
            got.add_track(
                Track(
                    track_id=make_track_id(item.artist.name, item.name),
                    title=item.name,
                    artist=item.artist.name,
                    artist_key=artist_key(item.artist.name),
                    genres=(name,),  # Last.fm lists it among the tag's top tracks
                    popularity=_popularity(0, i, len(listed)),
                    source=SOURCE,
                )
            )


def _wants(anchor: Anchor) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What of an anchor is looked up on Last.fm: its first artists and tags."""
    tags = [g for g in [*anchor.genres, *anchor.moods] if g]
    return tuple(anchor.artists[:ARTISTS_ASKED]), tuple(tags[:TAGS_ASKED])


def _display_name(
    asked: str, top: TopTracks | None, *others: SimilarArtists | TopTags | None
) -> str:
    """The artist's name as Last.fm writes it: an artist outside the bundled catalog is asked
    for by its key ("veldt orchard"), which is never what a listener should read."""
    if top is not None and top.track:
        return top.track[0].artist.name
    for answer in (top, *others):
        if answer is not None and answer.attr.artist:
            return answer.attr.artist
    return asked


def _genres(tags: list) -> tuple[str, ...]:
    """Last.fm tags worth keeping as genres: the strongest few, by their counts."""
    if not tags:
        return ()
    top = max((t.count for t in tags), default=0)
    keep = [t for t in tags if top == 0 or t.count >= MIN_TAG_SHARE * top]
    return tuple(dict.fromkeys(label(t.name) for t in keep if label(t.name)))[:TAGS_PER_ARTIST]


def _listeners(top: TopTracks | None) -> int:
    """An artist's listeners, as Last.fm counts its best-known track's (a lower bound)."""
    if top is None or not top.track:
        return 0
    return max(t.listeners for t in top.track)


def _popularity(listeners: int, index: int, count: int) -> int:
    """0–100: from listeners on a log scale when Last.fm gives them, else from the rank."""
    if listeners > 0:
        return min(100, round(100 * math.log10(1 + listeners) / LOG_LISTENERS_FOR_FULL))
    return max(1, round(80 * (1 - index / max(1, count))))
