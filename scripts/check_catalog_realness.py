"""Check a seeded sample of the bundled music catalog against MusicBrainz.

For every sampled track it asks MusicBrainz's public search service for recordings of that
title by that artist and reports, per field, how often the catalog is wrong:

- title: no recording with this title is credited to this artist;
- album: the title exists, but on no release with the catalog's album title;
- year:  the album (or, without one, the recording) was first released in another year.

MusicBrainz asks clients for at most one request per second and a User-Agent that says who is
calling; both are honoured. Without a network the script stops with a clear message: the error
rate is only ever measured, never assumed.

    PYTHONPATH=src python scripts/check_catalog_realness.py --sample 200 --seed 13
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from booth.apps.music.catalog import BUNDLED_DIR, Track, load_catalog

SEARCH_URL = "https://musicbrainz.org/ws/2/recording"
USER_AGENT = "booth-catalog-realness/1.0 ( https://github.com/booth/booth )"
MIN_INTERVAL_S = 1.1  # MusicBrainz allows one request per second per client
RESULTS_PER_QUERY = 50
RETRIES = 3
LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/]|&&|\|\|)')
EDITION_SUFFIX = re.compile(
    r"\s*[\(\[][^)\]]*(remaster|deluxe|edition|version|expanded|anniversary|bonus|mono|stereo)"
    r"[^)\]]*[\)\]]\s*$",
    re.IGNORECASE,
)
DASH_SUFFIX = re.compile(r"\s+-\s+.*(remaster|version|edit|mix).*$", re.IGNORECASE)


class OfflineError(RuntimeError):
    """MusicBrainz could not be reached at all."""


# -- matching --------------------------------------------------------------------------------
def plain(text: str) -> str:
    """Casefolded, accent-free, punctuation-free text: what two spellings of a name share."""
    text = EDITION_SUFFIX.sub("", DASH_SUFFIX.sub("", text))
    text = unicodedata.normalize("NFKD", text.replace("’", "'").replace("&", " and "))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def same_name(ours: str, theirs: str) -> bool:
    a, b = plain(ours), plain(theirs)
    return bool(a) and (a == b or a.removeprefix("the ") == b.removeprefix("the "))


def lucene_phrase(text: str) -> str:
    return '"' + LUCENE_SPECIAL.sub(r"\\\1", text) + '"'


def year_of(date: str | None) -> int | None:
    return int(date[:4]) if date and date[:4].isdigit() else None


@dataclass(frozen=True)
class Release:
    title: str
    year: int | None


@dataclass(frozen=True)
class Recording:
    title: str
    artists: tuple[str, ...]
    first_year: int | None
    releases: tuple[Release, ...]

    @classmethod
    def from_json(cls, raw: dict) -> Recording:
        credits = raw.get("artist-credit") or []
        artists = tuple(
            name
            for credit in credits
            for name in (credit.get("name"), (credit.get("artist") or {}).get("name"))
            if name
        )
        releases = tuple(
            Release(title=r.get("title") or "", year=year_of(r.get("date")))
            for r in raw.get("releases") or []
        )
        return cls(
            title=raw.get("title") or "",
            artists=artists,
            first_year=year_of(raw.get("first-release-date")),
            releases=releases,
        )


@dataclass
class Verdict:
    track: Track
    title_ok: bool
    album_ok: bool | None = None  # None: not checked (no album, or title not found)
    year_ok: bool | None = None
    found_years: tuple[int, ...] = ()


def judge(track: Track, recordings: Iterable[Recording]) -> Verdict:
    """Compare one catalog track with what MusicBrainz knows about recordings of its title."""
    mine = [
        r
        for r in recordings
        if same_name(track.title, r.title) and any(same_name(track.artist, a) for a in r.artists)
    ]
    if not mine:
        return Verdict(track, title_ok=False)
    verdict = Verdict(track, title_ok=True)
    on_album = [rel for r in mine for rel in r.releases if same_name(track.album, rel.title)]
    if track.album:
        verdict.album_ok = bool(on_album)
    if track.year is not None:
        years = {rel.year for rel in on_album if rel.year}
        if on_album and years:
            expected = {min(years)}
        else:
            expected = {r.first_year for r in mine if r.first_year}
        if expected:
            verdict.year_ok = track.year in expected
            verdict.found_years = tuple(sorted(expected))
    return verdict


# -- the service -----------------------------------------------------------------------------
@dataclass
class MusicBrainz:
    client: httpx.Client
    last_call: float = field(default=0.0)

    def recordings(self, title: str, artist: str) -> list[Recording]:
        query = f"recording:{lucene_phrase(title)} AND artist:{lucene_phrase(artist)}"
        params = {"query": query, "fmt": "json", "limit": str(RESULTS_PER_QUERY)}
        for attempt in range(1, RETRIES + 1):
            self._wait()
            try:
                response = self.client.get(SEARCH_URL, params=params)
            except httpx.TransportError as exc:
                if attempt == RETRIES:
                    raise OfflineError(f"cannot reach musicbrainz.org: {exc}") from exc
                continue
            if response.status_code in (429, 503):  # rate limited: back off and retry
                time.sleep(attempt * 2.0)
                continue
            response.raise_for_status()
            return [Recording.from_json(r) for r in response.json().get("recordings") or []]
        raise OfflineError("musicbrainz.org keeps refusing requests (rate limited)")

    def _wait(self) -> None:
        pause = MIN_INTERVAL_S - (time.monotonic() - self.last_call)
        if pause > 0:
            time.sleep(pause)
        self.last_call = time.monotonic()


# -- report ----------------------------------------------------------------------------------
def rate(verdicts: list[Verdict], field_name: str) -> tuple[int, int]:
    """(wrong, checked) for one field; fields that could not be checked are left out."""
    values = [getattr(v, field_name) for v in verdicts if getattr(v, field_name) is not None]
    return sum(1 for ok in values if not ok), len(values)


def report(verdicts: list[Verdict], show_failures: bool) -> str:
    lines = [f"checked {len(verdicts)} sampled tracks against MusicBrainz"]
    for name, what in (
        ("title_ok", "title by that artist"),
        ("album_ok", "on that album"),
        ("year_ok", "in that year"),
    ):
        wrong, checked = rate(verdicts, name)
        share = f"{100 * wrong / checked:.1f}%" if checked else "n/a"
        lines.append(f"  {what:<22} error rate {share:>6}  ({wrong} of {checked} checked)")
    if show_failures:
        for v in verdicts:
            if v.title_ok and v.album_ok is not False and v.year_ok is not False:
                continue
            t = v.track
            problems = [
                label
                for label, ok in (
                    ("title", v.title_ok),
                    ("album", v.album_ok),
                    (f"year (MusicBrainz: {v.found_years})", v.year_ok),
                )
                if ok is False
            ]
            lines.append(f"  ✗ {t.artist} – {t.title} [{t.album}, {t.year}]: {', '.join(problems)}")
    return "\n".join(lines)


def sample(tracks: list[Track], size: int, seed: int) -> list[Track]:
    ordered = sorted(tracks, key=lambda t: t.track_id)
    return random.Random(seed).sample(ordered, min(size, len(ordered)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=200, help="tracks to check (default 200)")
    parser.add_argument("--seed", type=int, default=13, help="sampling seed (default 13)")
    parser.add_argument("--catalog", type=Path, default=BUNDLED_DIR, help="catalog folder")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per request")
    parser.add_argument("--failures", action="store_true", help="list every failing track")
    args = parser.parse_args(argv)

    tracks = list(load_catalog(args.catalog).tracks.values())
    chosen = sample(tracks, args.sample, args.seed)
    print(f"{len(tracks)} tracks in {args.catalog}; sampling {len(chosen)} (seed {args.seed})")
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    verdicts: list[Verdict] = []
    with httpx.Client(headers=headers, timeout=args.timeout) as client:
        service = MusicBrainz(client)
        try:
            for i, track in enumerate(chosen, 1):
                verdicts.append(judge(track, service.recordings(track.title, track.artist)))
                if i % 25 == 0:
                    print(f"  … {i}/{len(chosen)}", file=sys.stderr)
        except OfflineError as exc:
            print(f"error: {exc}", file=sys.stderr)
            print("No error rate measured: this check needs network access to musicbrainz.org.")
            if verdicts:
                print(report(verdicts, args.failures) + "\n(partial: stopped early)")
            return 2
    print(report(verdicts, args.failures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
