"""Music turn latency: offline, and with a zero-latency loopback Last.fm (cache cold and warm).

Four servers, each its own process on loopback, measured in the same run:
- `bare`: a bare FastAPI endpoint answering a recommendation-sized JSON document (the floor);
- `offline`: booth, bundled catalog only;
- `lastfm`: booth with BOOTH_LASTFM_URL pointing at a loopback Last.fm that answers at once.
This process is the client: sequential `POST /recommendations`, each on a new session. Cold
turns name an artist never asked before (every Last.fm call misses the cache); warm turns ask
the same artists again (every call hits it). Usage:

    python -m bench.music_latency [--turns 60] [--out bench/results/music_latency.json]

The goal: warm-cache Last.fm turns within 3x of offline turns (p50).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
KEY = "bench-key"
BUNDLED = [
    "Radiohead",
    "Portishead",
    "Kendrick Lamar",
    "Bon Iver",
    "Aphex Twin",
    "Massive Attack",
    "Daft Punk",
    "Mitski",
    "Robyn",
    "Burial",
]


# -- the servers (run in child processes) ----------------------------------------------------
def serve(kind: str, port: int) -> None:
    import uvicorn
    from fastapi import FastAPI

    if kind == "bare":
        app = FastAPI()
        body = json.loads((ROOT / "bench" / "results" / "music_sample.json").read_text())

        @app.post("/recommendations")
        async def recommendations(payload: dict) -> dict:
            return body

        @app.get("/health")
        async def health() -> dict:
            return {"status": "ok"}

    elif kind == "fake_lastfm":
        app = fake_lastfm()
    else:
        from booth.config import Settings
        from booth.server import create_app

        app = create_app(Settings(store="memory", ui=False, log_level="WARNING"))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def fake_lastfm():
    """The tests' loopback Last.fm, with any "Bench Artist N" it is asked about invented."""
    from tests.support.lastfm_server import BY_NAME, FakeArtist, LastfmWorld, lastfm_app

    class BenchWorld(LastfmWorld):
        def _artist(self, params: dict[str, str]) -> FakeArtist | None:
            name = " ".join(params.get("artist", "").split())
            match = re.fullmatch(r"bench artist (\d+)", name.casefold())
            if match is None:
                return BY_NAME.get(name.casefold())
            n = int(match.group(1))
            similar = tuple((f"Bench Artist {n * 7 + k}", 0.9 - 0.1 * k) for k in range(1, 5))
            return FakeArtist(f"Bench Artist {n}", 100_000 + n, ("fogwave",), similar, 60)

        def _artist_search(self, params: dict[str, str]) -> dict:
            artist = self._artist(params)
            found = [{"name": artist.name, "listeners": str(artist.listeners)}] if artist else []
            return {"results": {"artistmatches": {"artist": found}}}

    return lastfm_app(BenchWorld())


# -- the client ------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(kind: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.music_latency", "--serve", kind, str(port)],
        cwd=ROOT,
        env={**os.environ, **(env or {}), "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health", timeout=2).status_code in (200, 503):
                return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{kind} server did not start")


def timed_turns(url: str, queries: list[str]) -> tuple[list[float], list[dict]]:
    """Milliseconds per turn (each on a new session), and the results."""
    times, results = [], []
    with httpx.Client(base_url=url, timeout=60) as http:
        for query in queries:
            started = time.perf_counter()
            response = http.post("/recommendations", json={"query": query})
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{query!r}: HTTP {response.status_code} {response.text[:200]}")
            results.append(response.json())
    return times, results


def percentiles(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"p50": round(statistics.median(ordered), 2), "p99": round(p99, 2), "n": len(times)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", nargs=2, metavar=("KIND", "PORT"))
    parser.add_argument("--turns", type=int, default=60)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "music_latency.json"))
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]))
        return

    turns = args.turns
    offline_queries = [f"songs by {BUNDLED[i % len(BUNDLED)]}" for i in range(turns)]
    live_queries = [f"songs by Bench Artist {i}" for i in range(turns)]
    processes = []
    try:
        offline, offline_url = start("offline")
        processes.append(offline)
        timed_turns(offline_url, offline_queries[:5])  # warm the process (catalog, imports)
        offline_ms, sample = timed_turns(offline_url, offline_queries)
        sample_path = ROOT / "bench" / "results" / "music_sample.json"
        sample_path.write_text(json.dumps(sample[0]))

        bare, bare_url = start("bare")
        processes.append(bare)
        timed_turns(bare_url, offline_queries[:5])
        bare_ms, _ = timed_turns(bare_url, offline_queries)

        fake, fake_url = start("fake_lastfm")
        processes.append(fake)
        live, live_url = start(
            "offline",
            {
                "BOOTH_LASTFM_API_KEY": "loopback-key",
                "BOOTH_LASTFM_URL": fake_url + "/2.0/",
                "BOOTH_LASTFM_RATE": "100000",
            },
        )
        processes.append(live)
        timed_turns(live_url, ["songs by Veldt Orchard", "songs by Radiohead"])  # warm process
        cold_ms, cold = timed_turns(live_url, live_queries)
        warm_ms, warm = timed_turns(live_url, live_queries)
        for result in cold + warm:
            assert result["metadata"]["sources"] == ["catalog", "lastfm"], result["metadata"]
            assert result["recommendations"][0]["source"] == "lastfm"
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=20)

    figures = {
        "bare": percentiles(bare_ms),
        "offline": percentiles(offline_ms),
        "lastfm_cold": percentiles(cold_ms),
        "lastfm_warm": percentiles(warm_ms),
    }
    base = figures["offline"]["p50"]
    figures["ratios_p50"] = {
        "offline_vs_bare": round(base / figures["bare"]["p50"], 2),
        "lastfm_cold_vs_offline": round(figures["lastfm_cold"]["p50"] / base, 2),
        "lastfm_warm_vs_offline": round(figures["lastfm_warm"]["p50"] / base, 2),
    }
    figures["goal_warm_within_3x"] = figures["ratios_p50"]["lastfm_warm_vs_offline"] <= 3.0
    Path(args.out).write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
