"""What one Fit Check stream costs the server, against a bare sse-starlette endpoint, same run.

Three figures, each a ratio booth / bare measured in this run (real uvicorn processes on
loopback; this process is the client):
- server CPU per stream: N concurrent Fit Check streams against a bare endpoint replaying the
  very events a Fit Check stream sent (recorded first, ~45 events);
- RSS per open stream: K streams open mid-run (every recorded event but the terminal one sent,
  then held until the client leaves), from a booth run and from a bare sse-starlette endpoint:
  server RSS growth over idle, divided by K (the best of the rounds, a fresh server each);
- time to first `/health`: booth with its apps and the UI (as `booth serve` starts) against the
  bare replay app, from process start. The UI is built after the server listens, so booth's
  time until /ui serves Gradio's page is reported too (no goal; it shows what start-up defers).
Goals (issue #10): CPU ≤ 2.5×, RSS ≤ 1.6×, time to /health ≤ 3×. Usage:

    python -m bench.stream_cost [--n 200] [--hold 200] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from bench.serve import HOLD_PATH, held
from bench.sse_overhead import ROOT, cpu_seconds, free_port

STREAM = "/api/fit-check/stream"
STARTUP_LIMIT = 300  # seconds; a loaded CI machine starts Gradio slowly
RSS_SETTLE = 1.0  # seconds for the servers to finish sending before RSS is read
RSS_WARMUP = 3  # streams opened and closed before the idle reading (more would leave free
# memory in Python's allocator for the measured streams to reuse, hiding their cost)
QUERY = "Senior Python backend engineer at Stripe building payment APIs with FastAPI"


def spawn(kind: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str, float]:
    """A server process and its URL, once `/health` answers; and how long that took."""
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.serve", kind, str(port)],
        cwd=ROOT,
        env={**os.environ, **env, "PYTHONPATH": f"{ROOT}:{ROOT / 'src'}"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health", timeout=1).status_code < 500:
                return process, url, time.perf_counter() - started
        except httpx.HTTPError:
            time.sleep(0.02)
    process.kill()
    raise RuntimeError(f"{kind} server did not start")


def ui_ready_after(url: str) -> float:
    """Seconds until /ui serves Gradio's page (it answers 503 "starting" while being built)."""
    started = time.perf_counter()
    deadline = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < deadline:
        response = httpx.get(url + "/ui/", headers={"Accept": "text/html"}, timeout=5)
        if response.status_code == 200:
            return time.perf_counter() - started
        time.sleep(0.05)
    raise RuntimeError("the UI did not start")


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def record(url: str) -> list[dict[str, str]]:
    """One Fit Check stream's events, as sse-starlette dicts (id, event, data)."""
    events: list[dict[str, str]] = []
    current: dict[str, str] = {}
    with httpx.stream("POST", url + STREAM, json={"query": QUERY}, timeout=60) as response:
        for line in response.iter_lines():
            if not line:
                if current:
                    events.append(current)
                current = {}
            elif not line.startswith(":"):
                field, _, value = line.partition(": ")
                current[field] = value
    return events


async def read_all(http: httpx.AsyncClient, url: str) -> bool:
    async with http.stream("POST", url + STREAM, json={"query": QUERY}) as response:
        last = ""
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                last = line[6:].strip()
        return response.status_code == 200 and last == "complete"


async def cpu_per_stream(url: str, pid: int, n: int) -> float:
    """Server CPU milliseconds per stream, N at once."""
    limits = httpx.Limits(max_connections=n + 10, max_keepalive_connections=n + 10)
    async with httpx.AsyncClient(timeout=120, limits=limits) as http:
        before = cpu_seconds(pid)
        ok = await asyncio.gather(*[read_all(http, url) for _ in range(n)])
        used = cpu_seconds(pid) - before
    if not all(ok):
        raise RuntimeError(f"{ok.count(False)} of {n} streams did not complete")
    return used * 1000 / n


async def open_stream(
    http: httpx.AsyncClient, url: str, events: int
) -> tuple[httpx.Response, AsyncIterator[str]]:
    """A stream whose first `events` events have arrived; it stays open until closed.

    The line iterator is returned with the response: dropping it would let httpx close the
    connection (a finalised iterator closes its stream), and the stream would not be open.
    """
    response = await http.send(http.build_request("POST", url + HOLD_PATH, json={}), stream=True)
    lines = response.aiter_lines()
    seen = 0
    async for line in lines:
        if line.startswith("event:"):
            seen += 1
            if seen == events:
                break
    return response, lines


async def still_open(http: httpx.AsyncClient, url: str) -> bool:
    """Whether the server still has runs going (booth) — the bare app has no such count."""
    body = (await http.get(url + "/health")).json()
    return "active_runs" not in body or body["active_runs"] > 0


async def rss_per_open_stream(url: str, pid: int, k: int, events: int) -> float:
    """Server RSS growth (KB) per open stream: K streams mid-run (every event but the last
    one sent), against the same server idle."""
    limits = httpx.Limits(max_connections=k + 10, max_keepalive_connections=k + 10)
    async with httpx.AsyncClient(timeout=120, limits=limits) as http:
        for _ in range(RSS_WARMUP):  # first-use allocations are not per stream
            response, _ = await open_stream(http, url, events)
            await response.aclose()
        await asyncio.sleep(RSS_SETTLE)
        idle = rss_kb(pid)
        streams = await asyncio.gather(*[open_stream(http, url, events) for _ in range(k)])
        await asyncio.sleep(RSS_SETTLE)
        held = rss_kb(pid)
        if not await still_open(http, url):
            raise RuntimeError("the held streams were closed before RSS was read")
        for response, _ in streams:
            await response.aclose()
    return (held - idle) / k


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200, help="concurrent streams for CPU")
    parser.add_argument("--hold", type=int, default=200, help="streams held open for RSS")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "bench/results/stream_cost.json"))
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="booth-bench-"))
    env = {
        "BOOTH_STORE": f"sqlite:///{tmp}/bench.db",
        "BOOTH_MAX_RUNS": "5000",
        "BOOTH_MAX_RUNS_PER_CLIENT": "5000",
        "BOOTH_LOG_LEVEL": "WARNING",
    }
    booth, booth_url, _ = spawn("fitcheck", env)
    replay_file = tmp / "replay.json"
    replay_file.write_text(json.dumps(record(booth_url)))
    bare, bare_url, _ = spawn("replay", {**env, "BENCH_REPLAY": str(replay_file)})
    cpu: dict[str, float] = {}
    rss: dict[str, float] = {}
    try:
        for _ in range(args.rounds):  # interleaved, so drift hits both; best of the rounds
            for kind, url, process in (("bare", bare_url, bare), ("booth", booth_url, booth)):
                ms = asyncio.run(cpu_per_stream(url, process.pid, args.n))
                cpu[kind] = min(cpu.get(kind, ms), ms)
    finally:
        for process in (booth, bare):
            process.terminate()
            process.wait(timeout=20)
    sent = len(held(json.loads(replay_file.read_text())))
    for _ in range(args.rounds):  # a fresh server each round; the allocator's luck varies
        for kind, server in (("bare", "replay-hold"), ("booth", "booth-hold")):
            process, url, _ = spawn(server, {**env, "BENCH_REPLAY": str(replay_file)})
            try:
                kb = asyncio.run(rss_per_open_stream(url, process.pid, args.hold, sent))
            finally:
                process.terminate()
                process.wait(timeout=20)
            rss[kind] = min(rss.get(kind, kb), kb)
    start: dict[str, float] = {}
    ui_ready = STARTUP_LIMIT
    for _ in range(args.rounds):
        for kind, server in (("bare", "replay"), ("booth", "booth-ui")):
            process, url, seconds = spawn(server, {**env, "BENCH_REPLAY": str(replay_file)})
            if kind == "booth":
                ui_ready = min(ui_ready, seconds + ui_ready_after(url))
            process.terminate()
            process.wait(timeout=20)
            start[kind] = min(start.get(kind, seconds), seconds)
    events = len(json.loads(replay_file.read_text()))
    report = {
        "events_per_stream": events,
        "cpu_ms_per_stream": {k: round(v, 3) for k, v in cpu.items()},
        "rss_kb_per_open_stream": {k: round(v, 1) for k, v in rss.items()},
        "seconds_to_first_health": {k: round(v, 3) for k, v in start.items()},
        "seconds_to_ui_ready": {"booth": round(ui_ready, 3)},
        "ratios": {
            "cpu_per_stream": round(cpu["booth"] / cpu["bare"], 2),
            "rss_per_open_stream": round(rss["booth"] / rss["bare"], 2),
            "time_to_first_health": round(start["booth"] / start["bare"], 2),
        },
    }
    print(json.dumps(report, indent=2))
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
