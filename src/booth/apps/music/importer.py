"""`booth music import FILE.csv`: merge a user's own tracks into their catalog folder.

The user's catalog is the same format as the bundled one (`tracks_user.csv`, `artists_user.json`)
in its own folder, so one loader reads both and the user's rows win field by field. Importing the
same file twice changes nothing; a bad row is skipped and reported with its line number.

Columns (header row required; only artist and title are mandatory):
  artist, title, album, year, genres, moods, tags, popularity (0–100), energy (0–1),
  valence (0–1), tempo (BPM), listeners (artist's listener count),
  similar (artist names separated by `;`, each optionally `Name:weight`)
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from booth.apps.music.catalog import (
    TRACK_COLUMNS,
    Track,
    artist_key,
    merge_tracks,
    parse_track_row,
    read_tracks_file,
)

IMPORT_COLUMNS = (*TRACK_COLUMNS, "listeners", "similar")
TRACKS_FILE = "tracks_user.csv"
ARTISTS_FILE = "artists_user.json"


@dataclass
class ImportReport:
    destination: Path
    read: int = 0
    added: int = 0
    updated: int = 0
    artists_updated: int = 0
    skipped: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.added + self.updated


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return ";".join(value)
    return str(value)


def track_row(track: Track) -> dict[str, str]:
    return {column: _cell(getattr(track, column)) for column in TRACK_COLUMNS}


def parse_similar(value: str) -> list[dict]:
    """`A;B:0.8` → [{name: A, weight: 0.5}, {name: B, weight: 0.8}]."""
    links = []
    for part in (value or "").split(";"):
        part = part.strip()
        if not part:
            continue
        name, _, weight = part.rpartition(":") if ":" in part else (part, "", "")
        try:
            number = float(weight) if weight else 0.5
        except ValueError:  # a colon inside a name, not a weight
            name, number = part, 0.5
        links.append({"name": name.strip(), "weight": max(0.0, min(1.0, number))})
    return links


def _write_atomically(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            write(out)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def import_csv(source: Path, destination: Path) -> ImportReport:
    """Merge `source` into the catalog folder `destination`; returns what happened."""
    report = ImportReport(destination=destination)
    with Path(source).open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None:
            raise ValueError(f"{source} is empty: it needs a header row")
        header = {name: name.strip().lower() for name in reader.fieldnames if name}
        if not {"artist", "title"} <= set(header.values()):
            raise ValueError(
                f"{source} needs at least the columns artist and title; "
                f"it has {', '.join(header.values())}"
            )
        report.ignored_columns = sorted(v for v in header.values() if v not in IMPORT_COLUMNS)
        incoming: list[Track] = []
        artist_facts: dict[str, dict] = {}
        for line, raw in enumerate(reader, start=2):
            row = {header[k]: (v or "") for k, v in raw.items() if k in header}
            report.read += 1
            try:
                track = parse_track_row(row)
                listeners = int(float(row["listeners"])) if row.get("listeners") else None
                if listeners is not None and listeners < 0:
                    raise ValueError("listeners must not be negative")
            except (ValueError, TypeError) as exc:
                report.skipped.append(f"line {line}: {exc}")
                continue
            incoming.append(track)
            if listeners is not None or row.get("similar"):
                facts = artist_facts.setdefault(
                    track.artist_key,
                    {"name": track.artist, "genres": [], "tags": [], "listeners": 0, "similar": []},
                )
                facts["listeners"] = max(facts["listeners"], listeners or 0)
                facts["similar"].extend(parse_similar(row.get("similar", "")))
                facts["genres"] = list(dict.fromkeys(facts["genres"] + list(track.genres)))
                facts["tags"] = list(dict.fromkeys(facts["tags"] + list(track.tags)))

    tracks_path = destination / TRACKS_FILE
    existing = (
        {t.track_id: t for t in read_tracks_file(tracks_path)} if tracks_path.exists() else {}
    )
    for track in incoming:
        if track.track_id in existing:
            existing[track.track_id] = merge_tracks(existing[track.track_id], track)
            report.updated += 1
        else:
            existing[track.track_id] = track
            report.added += 1

    def write_tracks(out) -> None:
        writer = csv.DictWriter(out, fieldnames=TRACK_COLUMNS)
        writer.writeheader()
        for track in existing.values():
            writer.writerow(track_row(track))

    if incoming:
        _write_atomically(tracks_path, write_tracks)
    if artist_facts:
        artists_path = destination / ARTISTS_FILE
        known = (
            json.loads(artists_path.read_text(encoding="utf-8")) if artists_path.exists() else []
        )
        by_key = {artist_key(a["name"]): a for a in known}
        for key, facts in artist_facts.items():
            old = by_key.get(key)
            if old is not None:
                weights = {artist_key(s["name"]): s for s in old.get("similar", [])}
                weights.update({artist_key(s["name"]): s for s in facts["similar"]})
                facts = {
                    **old,
                    "listeners": max(old.get("listeners", 0), facts["listeners"]),
                    "genres": list(dict.fromkeys(old.get("genres", []) + facts["genres"])),
                    "tags": list(dict.fromkeys(old.get("tags", []) + facts["tags"])),
                    "similar": list(weights.values()),
                }
            by_key[key] = facts
            report.artists_updated += 1
        _write_atomically(
            artists_path,
            lambda out: json.dump(list(by_key.values()), out, indent=1, ensure_ascii=False),
        )
    return report
