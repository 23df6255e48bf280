"""Last.fm's JSON API (`/2.0/?method=…&format=json`): the calls a recommender needs.

Everything Last.fm returns is untrusted: responses are read through pydantic models that coerce
its string numbers ("12345") and its habit of sending one item as an object instead of a list.
Each call goes through the `lastfm` circuit breaker with a timeout, waits for a token of the
key's polite request rate (shared across replicas on Redis), and is cached in the provider store
under a key booth builds from the method and its normalised arguments, never the user's text.

Last.fm's error codes: 6 (not found) is an answer, cached briefly, not a failure; 10 (bad key),
29 (rate limited), 11 and 16 (temporarily unavailable) are failures the breaker counts.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from booth.config import Settings
from booth.core.errors import BoothError
from booth.core.host import Host
from booth.core.resilience import CircuitBreaker
from booth.providers.store import ProviderStore, provider_store_for

log = logging.getLogger("booth.lastfm")

UPSTREAM = "lastfm"
DEFAULT_URL = "https://ws.audioscrobbler.com/2.0/"
NOT_FOUND = 6
BAD_KEY = 10
TEMPORARY = (11, 16)
RATE_LIMITED = 29
NOT_FOUND_TTL = 600.0  # "no such artist" is remembered briefly: it may be added later
MAX_RATE_WAIT = 2.0  # seconds a call may wait for a token before giving up as rate-limited

M = TypeVar("M", bound=BaseModel)


# -- what booth reads of Last.fm's responses -------------------------------------------------
def _as_list(value: Any) -> Any:
    """Last.fm sends a one-item list as the bare item, and an empty one as "" or absent."""
    if value is None or value == "" or value == {}:
        return []
    return value if isinstance(value, list) else [value]


def _as_number(value: Any) -> Any:
    return 0 if value in (None, "") else value


def _as_object(value: Any) -> Any:
    return value if isinstance(value, dict) else {}


class _Lenient(BaseModel):
    """Extra keys are ignored (Last.fm adds fields); types are coerced ("12" → 12)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class ArtistRef(_Lenient):
    name: str = Field(min_length=1)


class ForArtist(_Lenient):
    """`@attr` of an artist's lists: the artist's name as Last.fm writes it (however asked)."""

    artist: str = ""


class Tag(_Lenient):
    name: str = Field(min_length=1)
    count: int = 0

    _count = field_validator("count", mode="before")(_as_number)


class TopTrack(_Lenient):
    name: str = Field(min_length=1)
    playcount: int = 0
    listeners: int = 0
    url: str = ""
    artist: ArtistRef

    _numbers = field_validator("playcount", "listeners", mode="before")(_as_number)


class TopTracks(_Lenient):
    track: list[TopTrack] = []
    attr: ForArtist = Field(default_factory=ForArtist, alias="@attr")

    _list = field_validator("track", mode="before")(_as_list)
    _attr = field_validator("attr", mode="before")(_as_object)


class SimilarArtist(_Lenient):
    name: str = Field(min_length=1)
    match: float = Field(0.0, ge=0.0, le=1.0)
    url: str = ""

    _match = field_validator("match", mode="before")(_as_number)


class SimilarArtists(_Lenient):
    artist: list[SimilarArtist] = []
    attr: ForArtist = Field(default_factory=ForArtist, alias="@attr")

    _list = field_validator("artist", mode="before")(_as_list)
    _attr = field_validator("attr", mode="before")(_as_object)


class TopTags(_Lenient):
    tag: list[Tag] = []
    attr: ForArtist = Field(default_factory=ForArtist, alias="@attr")

    _list = field_validator("tag", mode="before")(_as_list)
    _attr = field_validator("attr", mode="before")(_as_object)


class FoundArtist(_Lenient):
    name: str = Field(min_length=1)
    listeners: int = 0
    url: str = ""

    _listeners = field_validator("listeners", mode="before")(_as_number)


class ArtistMatches(_Lenient):
    artist: list[FoundArtist] = []

    _list = field_validator("artist", mode="before")(_as_list)


class SearchResults(_Lenient):
    artistmatches: ArtistMatches = ArtistMatches()


class TagTrack(_Lenient):
    name: str = Field(min_length=1)
    url: str = ""
    artist: ArtistRef


class TagTracks(_Lenient):
    track: list[TagTrack] = []

    _list = field_validator("track", mode="before")(_as_list)


class TagArtist(_Lenient):
    name: str = Field(min_length=1)


class TagArtists(_Lenient):
    artist: list[TagArtist] = []

    _list = field_validator("artist", mode="before")(_as_list)


class AlbumRef(_Lenient):
    title: str = ""


class TrackInfo(_Lenient):
    name: str = Field(min_length=1)
    listeners: int = 0
    playcount: int = 0
    url: str = ""
    artist: ArtistRef
    album: AlbumRef | None = None
    toptags: TopTags = TopTags()

    _numbers = field_validator("listeners", "playcount", mode="before")(_as_number)

    @field_validator("toptags", mode="before")
    @classmethod
    def _empty_tags(cls, value: Any) -> Any:
        return {} if value in (None, "") else value


# -- errors ----------------------------------------------------------------------------------
class LastfmError(Exception):
    """A call that failed: Last.fm said so (with its code) or could not be reached."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class LastfmNotFound(Exception):
    """Last.fm does not know the artist, tag or track (error 6): an answer, not a failure."""


# -- the client ------------------------------------------------------------------------------
@dataclass(frozen=True)
class LastfmConfig:
    api_key: str
    url: str = DEFAULT_URL
    timeout: float = 5.0
    cache_ttl: float = 24 * 3600.0
    rate: float = 5.0  # requests per second per key (Last.fm asks for no more than ~5)
    burst: int = 10


def normalised(value: str) -> str:
    """How an argument enters a cache key: lowercase, single-spaced."""
    return " ".join(str(value).casefold().split())


def cache_key(method: str, params: Mapping[str, str | int]) -> str:
    parts = "&".join(f"{k}={normalised(str(v))}" for k, v in sorted(params.items()))
    return f"lastfm:{method}:{hashlib.sha256(parts.encode()).hexdigest()[:32]}"


@dataclass
class LastfmClient:
    """The seven Last.fm methods booth uses, each cached, rate-limited and behind the breaker."""

    config: LastfmConfig
    breaker: CircuitBreaker
    store: ProviderStore
    transport: httpx.AsyncBaseTransport | None = None
    _http: httpx.AsyncClient | None = field(default=None, repr=False)

    @property
    def bucket(self) -> str:
        """The rate bucket of this API key (hashed: the key itself is never stored)."""
        return "lastfm:" + hashlib.sha256(self.config.api_key.encode()).hexdigest()[:16]

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(
                timeout=httpx.Timeout(self.config.timeout),
                transport=self.transport,
                headers={"User-Agent": "booth (music recommendations)"},
            )
        return self._http

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    # the methods ----------------------------------------------------------------------------
    async def artist_top_tracks(self, artist: str, limit: int = 30) -> TopTracks:
        raw = await self._call("artist.getTopTracks", {"artist": artist, "limit": limit})
        return _read(TopTracks, raw, "toptracks")

    async def artist_similar(self, artist: str, limit: int = 30) -> SimilarArtists:
        raw = await self._call("artist.getSimilar", {"artist": artist, "limit": limit})
        return _read(SimilarArtists, raw, "similarartists")

    async def artist_top_tags(self, artist: str) -> TopTags:
        raw = await self._call("artist.getTopTags", {"artist": artist})
        return _read(TopTags, raw, "toptags")

    async def artist_search(self, artist: str, limit: int = 5) -> SearchResults:
        raw = await self._call("artist.search", {"artist": artist, "limit": limit})
        return _read(SearchResults, raw, "results")

    async def tag_top_tracks(self, tag: str, limit: int = 50) -> TagTracks:
        raw = await self._call("tag.getTopTracks", {"tag": tag, "limit": limit})
        return _read(TagTracks, raw, "tracks")

    async def tag_top_artists(self, tag: str, limit: int = 30) -> TagArtists:
        raw = await self._call("tag.getTopArtists", {"tag": tag, "limit": limit})
        return _read(TagArtists, raw, "topartists")

    async def track_info(self, artist: str, track: str) -> TrackInfo:
        raw = await self._call("track.getInfo", {"artist": artist, "track": track})
        return _read(TrackInfo, raw, "track")

    # one call -------------------------------------------------------------------------------
    async def _call(self, method: str, params: dict[str, str | int]) -> dict[str, Any]:
        """The JSON of one method call: from the cache, or from Last.fm (then cached)."""
        key = cache_key(method, params)
        cached = await self.store.get(key)
        if cached is not None:
            return dict(cached)
        await self._wait_for_token()  # booth's own politeness: not a failure of Last.fm
        try:
            raw = await self.breaker.call(lambda: self._fetch(method, params))
        except BoothError as open_breaker:  # the breaker is open: fail fast, say why
            raise LastfmError(open_breaker.message) from None
        ttl = NOT_FOUND_TTL if raw.get("error") == NOT_FOUND else self.config.cache_ttl
        await self.store.set(key, raw, ttl)
        return raw

    async def _fetch(self, method: str, params: dict[str, str | int]) -> dict[str, Any]:
        query = {
            "method": method,
            **{k: str(v) for k, v in params.items()},
            "autocorrect": "1",
            "api_key": self.config.api_key,
            "format": "json",
        }
        try:
            response = await self._client().get(self.config.url, params=query)
        except httpx.HTTPError as exc:
            raise LastfmError(f"Last.fm unreachable: {type(exc).__name__}") from None
        try:
            body = response.json()
        except ValueError:
            raise LastfmError(
                f"Last.fm answered HTTP {response.status_code} without JSON"
            ) from None
        if not isinstance(body, dict):
            raise LastfmError("Last.fm answered with something other than a JSON object")
        if "error" in body:
            code = _int(body.get("error"))
            message = str(body.get("message") or "")[:200]
            if code == NOT_FOUND:
                # a "not found" is an answer: the breaker counts it as a success
                return {"error": NOT_FOUND, "message": message}
            if code == BAD_KEY:
                log.warning("Last.fm rejected the API key (error 10): check BOOTH_LASTFM_API_KEY")
            raise LastfmError(f"Last.fm error {code}: {message}", code)
        if response.status_code >= 400:
            raise LastfmError(f"Last.fm answered HTTP {response.status_code}")
        return body

    async def _wait_for_token(self) -> None:
        """The key's polite rate: wait briefly for a token, or fail as rate-limited."""
        waited = 0.0
        while True:
            wait = await self.store.take_token(self.bucket, self.config.rate, self.config.burst)
            if wait <= 0:
                return
            if waited + wait > MAX_RATE_WAIT:
                raise LastfmError("booth's request rate for this Last.fm key is used up", 29)
            await asyncio.sleep(wait)
            waited += wait


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _read(model: type[M], raw: dict[str, Any], root: str) -> M:
    """A validated response body; a not-found answer or a malformed body raise."""
    if raw.get("error") == NOT_FOUND:
        raise LastfmNotFound(str(raw.get("message") or "not found"))
    try:
        return model.model_validate(raw.get(root) or {})
    except ValidationError as exc:
        raise LastfmError(
            f"Last.fm sent a malformed {root}: {exc.error_count()} problems"
        ) from None


# -- wiring into a server --------------------------------------------------------------------
HOST_KEY = "booth.lastfm.client"


def install_lastfm(host: Host, settings: Settings) -> LastfmClient | None:
    """This host's Last.fm client and its breaker (shown in /health), if a key is configured.

    Idempotent: the music routes and the UI may both ask; one client and breaker per host.
    """

    def build() -> LastfmClient | None:
        if not settings.lastfm_api_key:
            return None
        breaker = CircuitBreaker(
            UPSTREAM,
            failure_threshold=settings.breaker_failures,
            reset_after=settings.breaker_reset,
        )
        host.breakers[UPSTREAM] = breaker
        config = LastfmConfig(
            api_key=settings.lastfm_api_key.get_secret_value(),
            url=settings.lastfm_url,
            timeout=settings.lastfm_timeout,
            cache_ttl=settings.lastfm_cache_ttl,
            rate=settings.lastfm_rate,
        )
        return LastfmClient(config, breaker, provider_store_for(host.sessions))

    return host.shared(HOST_KEY, build)


def lastfm_of(host: Host) -> LastfmClient | None:
    """This host's Last.fm client, or None when no key is configured (or not installed)."""
    client: LastfmClient | None = host.shared(HOST_KEY, lambda: None)
    return client
