"""Fixtures for the music app: catalogs (the bundled one, and a small one written to a tmp dir
through the real loader), real servers on loopback, and a client that keeps one user's session."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import httpx
import pytest
from music_helpers import start_server

from booth.apps.music.catalog import BUNDLED_DIR, TRACK_COLUMNS, Catalog, load_catalog
from booth.apps.music.pipeline import MusicEngine

# A small invented catalog: eight genres, a similar-artist graph, audio features per genre.
SMALL_ARTISTS = [
    (
        "Velvet Lanterns",
        ["dream pop", "shoegaze"],
        ["ethereal", "reverb"],
        900_000,
        [("Glass Harbor", 0.9), ("Moth Choir", 0.7), ("Static Bloom", 0.6), ("Nobody Known", 0.9)],
    ),
    (
        "Glass Harbor",
        ["dream pop"],
        ["ethereal", "female vocals"],
        300_000,
        [("Velvet Lanterns", 0.9), ("Moth Choir", 0.6)],
    ),
    (
        "Moth Choir",
        ["shoegaze"],
        ["reverb", "noisy"],
        40_000,
        [("Velvet Lanterns", 0.7), ("Static Bloom", 0.8)],
    ),
    (
        "Static Bloom",
        ["shoegaze", "noise rock"],
        ["noisy", "underground"],
        12_000,
        [("Moth Choir", 0.8)],
    ),
    (
        "Circuit Saint",
        ["techno", "electronic"],
        ["warehouse", "hypnotic"],
        2_000_000,
        [("Night Lattice", 0.8), ("Quiet Engines", 0.5)],
    ),
    (
        "Night Lattice",
        ["techno", "ambient", "electronic"],
        ["hypnotic", "minimal"],
        60_000,
        [("Circuit Saint", 0.8), ("Quiet Engines", 0.7)],
    ),
    (
        "Quiet Engines",
        ["ambient", "electronic"],
        ["drone", "minimal"],
        25_000,
        [("Night Lattice", 0.7)],
    ),
    ("Blue Hour Trio", ["jazz"], ["piano", "smoky"], 150_000, [("Lowlight Quartet", 0.8)]),
    ("Lowlight Quartet", ["jazz"], ["saxophone", "smoky"], 8_000, [("Blue Hour Trio", 0.8)]),
    ("Ironbark", ["metal"], ["riffs", "heavy"], 500_000, [("Cinder Wolves", 0.7)]),
    (
        "Cinder Wolves",
        ["metal", "noise rock"],
        ["heavy", "underground"],
        30_000,
        [("Ironbark", 0.7)],
    ),
    (
        "Paper Rivers",
        ["chamber folk", "folk"],
        ["acoustic", "storytelling"],
        200_000,
        [("Glass Harbor", 0.4)],
    ),
]
# genre → (energy, valence, tempo, moods)
PROFILES = {
    "dream pop": (0.45, 0.55, 100, ["dreamy", "melancholic"]),
    "shoegaze": (0.7, 0.35, 120, ["dreamy", "intense"]),
    "techno": (0.85, 0.45, 130, ["hypnotic", "energetic"]),
    "ambient": (0.15, 0.45, 70, ["calm", "dreamy"]),
    "jazz": (0.3, 0.6, 95, ["chill", "focused"]),
    "metal": (0.95, 0.2, 160, ["aggressive", "intense"]),
    "chamber folk": (0.25, 0.65, 90, ["calm", "nostalgic"]),
}


def write_small_catalog(folder: Path) -> Path:
    """Write the small catalog as `artists_t.json` + `tracks_t.csv` (the bundled format)."""
    folder.mkdir(parents=True, exist_ok=True)
    artists = [
        {
            "name": name,
            "genres": genres,
            "tags": tags,
            "listeners": listeners,
            "similar": [{"name": n, "weight": w} for n, w in similar],
        }
        for name, genres, tags, listeners, similar in SMALL_ARTISTS
    ]
    (folder / "artists_t.json").write_text(json.dumps(artists), encoding="utf-8")
    with (folder / "tracks_t.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=TRACK_COLUMNS)
        writer.writeheader()
        for a, (name, genres, tags, _listeners, _) in enumerate(SMALL_ARTISTS):
            energy, valence, tempo, moods = PROFILES[genres[0]]
            for i in range(8):
                writer.writerow(
                    {
                        "artist": name,
                        "title": f"{name.split()[0]} Song {i + 1}",
                        "album": f"{name} LP{1 + i // 4}",
                        "year": 1995 + a + i,
                        "genres": ";".join(genres),
                        "moods": ";".join(moods[: 1 + i % 2]),
                        "tags": ";".join(tags[: 1 + i % 2]),
                        "popularity": max(5, 90 - 9 * i - 2 * a),
                        "energy": round(min(1.0, max(0.0, energy + (i - 4) * 0.04)), 2),
                        "valence": round(min(1.0, max(0.0, valence + (i % 4 - 1.5) * 0.1)), 2),
                        "tempo": tempo + 3 * i,
                    }
                )
        # A track whose artist has no entry in any artists file.
        writer.writerow(
            {
                "artist": "Lone Wanderer",
                "title": "Unmapped Road",
                "album": "",
                "year": "",
                "genres": "folk",
                "moods": "calm",
                "tags": "acoustic",
                "popularity": 20,
                "energy": "",
                "valence": "",
                "tempo": "",
            }
        )
    return folder


@pytest.fixture(scope="session")
def small_dir(tmp_path_factory) -> Path:
    return write_small_catalog(tmp_path_factory.mktemp("small-catalog"))


@pytest.fixture(scope="session")
def small(small_dir) -> Catalog:
    return load_catalog(small_dir)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(BUNDLED_DIR)


@pytest.fixture(scope="session")
def engine(catalog) -> MusicEngine:
    return MusicEngine.build(catalog)


@pytest.fixture(scope="session")
def small_engine(small) -> MusicEngine:
    return MusicEngine.build(small)


@pytest.fixture(scope="module")
def server(engine):
    """A real server (bundled catalog, memory store) on a loopback port, shared by a module."""
    running = start_server(engine)
    yield running
    running.stop()


@pytest.fixture
async def http(server):
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        yield client
