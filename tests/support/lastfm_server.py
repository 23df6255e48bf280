"""A loopback server that speaks Last.fm's JSON API, for a small invented world.

`GET /2.0/?method=…&api_key=…&format=json` answers the seven methods booth calls, in Last.fm's
shapes (string numbers, `@attr`, a one-item list sent as a bare object) and with its error JSON
`{"error": 6, "message": "…"}`. None of its artists are in booth's bundled catalog, so a test can
tell where a track came from. A test steers it: `fail_with(code)`, `slow(seconds)`, `garble()`,
`heal()`; `calls` counts requests per method; stopping the server is Last.fm gone.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Query
from fastapi.responses import JSONResponse, PlainTextResponse

from tests.support.servers import ThreadServer

API_KEY = "loopback-key"
ERRORS = {
    6: "The artist you supplied could not be found",
    10: "Invalid API key - You must be granted a valid key by last.fm",
    11: "Service Offline - This service is temporarily offline. Try again later.",
    16: "There was a temporary error processing your request. Please try again",
    29: "Rate Limit Exceeded - Your IP has made too many requests in a short period",
}


@dataclass(frozen=True)
class FakeArtist:
    name: str
    listeners: int
    tags: tuple[str, ...]
    similar: tuple[tuple[str, float], ...]
    tracks: int


# Invented artists; "fogwave" and "glass folk" are invented tags. Two bundled artists appear as
# similar names only, so the graph reaches into the bundled catalog.
WORLD = (
    FakeArtist(
        "Veldt Orchard",
        420_000,
        ("fogwave", "dream pop", "ethereal"),
        (("Copper Lanes", 0.91), ("Hollow Meridian", 0.77), ("Portishead", 0.35)),
        60,
    ),
    FakeArtist(
        "Copper Lanes",
        150_000,
        ("fogwave", "shoegaze"),
        (("Veldt Orchard", 0.91), ("Saffron Static", 0.6)),
        25,
    ),
    FakeArtist(
        "Hollow Meridian",
        90_000,
        ("fogwave", "ambient"),
        (("Veldt Orchard", 0.77), ("Saffron Static", 0.5)),
        25,
    ),
    FakeArtist(
        "Saffron Static",
        12_000,
        ("glass folk", "fogwave"),
        (("Hollow Meridian", 0.5), ("Copper Lanes", 0.6)),
        25,
    ),
    FakeArtist("Juniper Vault", 640_000, ("glass folk", "folk"), (("Saffron Static", 0.4),), 25),
)
BY_NAME = {a.name.casefold(): a for a in WORLD}


def track_title(artist: FakeArtist, i: int) -> str:
    return f"{artist.name.split()[0]} Hymn {i + 1}"


def track_tags(artist: FakeArtist, i: int) -> list[str]:
    """Tracks carry their own tags: the first tag always, the second on every other track."""
    return [artist.tags[0]] + ([artist.tags[1]] if i % 2 == 0 and len(artist.tags) > 1 else [])


@dataclass
class LastfmWorld:
    """What the loopback Last.fm answers, and how it misbehaves when told to."""

    error: int | None = None
    delay: float = 0.0
    garbled: bool = False
    calls: Counter[str] = field(default_factory=Counter)
    keys: list[str] = field(default_factory=list)

    def fail_with(self, code: int) -> None:
        self.error = code

    def slow(self, seconds: float) -> None:
        self.delay = seconds

    def garble(self) -> None:
        self.garbled = True

    def heal(self) -> None:
        self.error, self.delay, self.garbled = None, 0.0, False

    # the methods ---------------------------------------------------------------------------
    def answer(self, method: str, params: dict[str, str]) -> dict[str, Any]:
        handler = getattr(self, "_" + method.replace(".", "_").lower(), None)
        if handler is None:
            return {"error": 3, "message": "Invalid Method - No method with that name"}
        return handler(params)

    def _artist(self, params: dict[str, str]) -> FakeArtist | None:
        return BY_NAME.get(" ".join(params.get("artist", "").casefold().split()))

    def _artist_gettoptracks(self, params: dict[str, str]) -> dict[str, Any]:
        artist = self._artist(params)
        if artist is None:
            return {"error": 6, "message": ERRORS[6]}
        limit = int(params.get("limit", "50"))
        tracks = [
            {
                "name": track_title(artist, i),
                "playcount": str(artist.listeners * 3 // (i + 1)),
                "listeners": str(artist.listeners // (i + 1)),
                "mbid": "",
                "url": f"https://www.last.fm/music/{artist.name}/_/{track_title(artist, i)}",
                "streamable": "0",
                "artist": {"name": artist.name, "mbid": "", "url": ""},
                "@attr": {"rank": str(i + 1)},
            }
            for i in range(min(limit, artist.tracks))
        ]
        return {"toptracks": {"track": tracks, "@attr": {"artist": artist.name}}}

    def _artist_getsimilar(self, params: dict[str, str]) -> dict[str, Any]:
        artist = self._artist(params)
        if artist is None:
            return {"error": 6, "message": ERRORS[6]}
        similar = [{"name": n, "match": f"{w:.6f}", "url": ""} for n, w in artist.similar]
        # one similar artist is sent as a bare object, as Last.fm does
        body = similar[0] if len(similar) == 1 else similar
        return {"similarartists": {"artist": body, "@attr": {"artist": artist.name}}}

    def _artist_gettoptags(self, params: dict[str, str]) -> dict[str, Any]:
        artist = self._artist(params)
        if artist is None:
            return {"error": 6, "message": ERRORS[6]}
        tags = [{"name": t, "count": 100 - 30 * i, "url": ""} for i, t in enumerate(artist.tags)]
        return {"toptags": {"tag": tags, "@attr": {"artist": artist.name}}}

    def _artist_search(self, params: dict[str, str]) -> dict[str, Any]:
        wanted = params.get("artist", "").casefold()
        matches = [
            {"name": a.name, "listeners": str(a.listeners), "mbid": "", "url": ""}
            for a in WORLD
            if wanted and (wanted in a.name.casefold() or a.name.casefold() in wanted)
        ]
        return {
            "results": {
                "opensearch:totalResults": str(len(matches)),
                "artistmatches": {"artist": matches},
                "@attr": {"for": params.get("artist", "")},
            }
        }

    def _tag_gettoptracks(self, params: dict[str, str]) -> dict[str, Any]:
        tag = params.get("tag", "").casefold()
        tracks = [
            {
                "name": track_title(a, i),
                "duration": "240",
                "artist": {"name": a.name, "mbid": "", "url": ""},
                "@attr": {"rank": "0"},
            }
            for a in WORLD
            for i in range(a.tracks)
            if tag in track_tags(a, i)
        ][: int(params.get("limit", "50"))]
        for rank, item in enumerate(tracks, 1):
            item["@attr"] = {"rank": str(rank)}
        return {"tracks": {"track": tracks, "@attr": {"tag": tag}}}

    def _tag_gettopartists(self, params: dict[str, str]) -> dict[str, Any]:
        tag = params.get("tag", "").casefold()
        artists = [{"name": a.name, "@attr": {"rank": str(i + 1)}} for i, a in enumerate(WORLD)]
        artists = [x for x, a in zip(artists, WORLD, strict=True) if tag in a.tags]
        return {"topartists": {"artist": artists, "@attr": {"tag": tag}}}

    def _track_getinfo(self, params: dict[str, str]) -> dict[str, Any]:
        artist = self._artist(params)
        title = params.get("track", "")
        index = (
            next((i for i in range(artist.tracks) if track_title(artist, i) == title), None)
            if artist
            else None
        )
        if artist is None or index is None:
            return {"error": 6, "message": "Track not found"}
        tags = [{"name": t, "url": ""} for t in track_tags(artist, index)]
        return {
            "track": {
                "name": title,
                "listeners": str(artist.listeners // (index + 1)),
                "playcount": str(artist.listeners * 3 // (index + 1)),
                "artist": {"name": artist.name, "mbid": "", "url": ""},
                "album": {"title": f"{artist.name} LP"},
                "toptags": {"tag": tags[0] if len(tags) == 1 else tags},
            }
        }


def lastfm_app(world: LastfmWorld) -> FastAPI:
    app = FastAPI()

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/2.0/")
    async def api(
        method: str = Query(...),
        api_key: str = Query(""),
        format: str = Query("xml"),
        artist: str | None = None,
        tag: str | None = None,
        track: str | None = None,
        limit: str | None = None,
        autocorrect: str | None = None,
    ):
        world.calls[method] += 1
        world.keys.append(api_key)
        if world.delay:
            await asyncio.sleep(world.delay)
        if world.garbled:
            return PlainTextResponse("<html>502 Bad Gateway</html>", status_code=502)
        if format != "json":
            return PlainTextResponse("<lfm status='failed'/>", status_code=400)
        if api_key != API_KEY:
            return JSONResponse({"error": 10, "message": ERRORS[10]}, status_code=403)
        if world.error is not None:
            status = 429 if world.error == 29 else 503
            return JSONResponse(
                {"error": world.error, "message": ERRORS[world.error]}, status_code=status
            )
        params = {
            k: v
            for k, v in {"artist": artist, "tag": tag, "track": track, "limit": limit}.items()
            if v is not None
        }
        return JSONResponse(world.answer(method, params))

    return app


class LastfmServer:
    """The loopback Last.fm on a free port: `url` is what BOOTH_LASTFM_URL points at."""

    def __init__(self) -> None:
        self.world = LastfmWorld()
        self.server = ThreadServer(lastfm_app(self.world))

    @property
    def url(self) -> str:
        return self.server.url + "/2.0/"

    def start(self) -> LastfmServer:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()
