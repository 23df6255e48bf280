"""Retention memory: a server's RSS after 20,000 fit checks against its RSS after 2,000.

Finished runs' logs are kept for resumption as SSE bytes, capped per process by
BOOTH_RUN_RETENTION_BYTES (64 MiB by default) and by age, so memory must not grow with request
volume. One booth server process (real uvicorn on loopback, the embedded SQLite store, Fit
Check's offline engine); this process is the client: `--concurrency` users, each with its own
session, run fit checks one after another. We read the server's RSS (Linux /proc) after the
baseline count and again at the end; the figure is their ratio (target ≤ 1.3). Usage:

    python -m bench.retention [--runs 20000] [--baseline 2000] [--concurrency 8]
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
from pathlib import Path

import httpx

from bench.sse_overhead import free_port

ROOT = Path(__file__).resolve().parents[1]
QUERIES = (
    "Senior Python engineer at Stripe: FastAPI, Redis, Kubernetes, payments APIs",
    "Databricks",
    "Staff backend engineer, Go and Postgres, distributed systems, on-call",
    "Machine learning engineer at Spotify: recommendation systems, PyTorch, Scala",
)
TARGET_RATIO = 1.3


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def start_server(port: int, env: dict[str, str]) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "uvicorn", "booth.server:create_app_from_env", "--factory"]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    pythonpath = os.pathsep.join([str(ROOT / "src"), str(ROOT)])
    process = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env, "PYTHONPATH": pythonpath})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("server did not start")


class User:
    """One client with its own session, running fit checks one after another."""

    def __init__(self, http: httpx.AsyncClient, url: str, number: int) -> None:
        self.http, self.url, self.number = http, url, number
        self.session: dict[str, str] = {}
        self.errors = 0

    async def fit_check(self, i: int) -> None:
        body = {"query": QUERIES[i % len(QUERIES)], **self.session}
        headers = {"X-Session-Token": self.token} if self.session else {}
        response = await self.http.post(self.url, json=body, headers=headers)
        complete = response.status_code == 200 and b"event: complete" in response.content
        self.errors += not complete
        if not self.session and response.status_code == 200:
            self.session = {"session_id": response.headers["x-session-id"]}
            self.token = response.headers["x-session-token"]


async def run_fit_checks(users: list[User], start: int, stop: int) -> None:
    counter = iter(range(start, stop))

    async def work(user: User) -> None:
        for i in counter:
            await user.fit_check(i)

    await asyncio.gather(*[work(user) for user in users])


async def measure(url: str, pid: int, runs: int, baseline: int, concurrency: int) -> dict:
    limits = httpx.Limits(max_connections=concurrency + 4)
    async with httpx.AsyncClient(timeout=120, limits=limits) as http:
        users = [User(http, url, n) for n in range(concurrency)]
        before = rss_mib(pid)
        started = time.perf_counter()
        await run_fit_checks(users, 0, baseline)
        await asyncio.sleep(1)
        at_baseline = rss_mib(pid)
        print(f"after {baseline:>6} fit checks: RSS {at_baseline:7.1f} MiB", flush=True)
        await run_fit_checks(users, baseline, runs)
        await asyncio.sleep(1)
        at_end = rss_mib(pid)
        elapsed = time.perf_counter() - started
    ratio = at_end / at_baseline
    print(f"after {runs:>6} fit checks: RSS {at_end:7.1f} MiB  ratio {ratio:.2f}")
    return {
        "runs": runs,
        "baseline_runs": baseline,
        "concurrency": concurrency,
        "rss_mib_at_start": round(before, 1),
        "rss_mib_at_baseline": round(at_baseline, 1),
        "rss_mib_at_end": round(at_end, 1),
        "ratio": round(ratio, 3),
        "target": TARGET_RATIO,
        "errors": sum(user.errors for user in users),
        "seconds": round(elapsed, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20_000)
    parser.add_argument("--baseline", type=int, default=2_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--out", default=str(ROOT / "bench/results/retention.json"))
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="booth-retention-")
    env = {
        "BOOTH_STORE": f"sqlite:///{tmp}/bench.db",
        "BOOTH_UI": "0",
        "BOOTH_LOG_LEVEL": "WARNING",
        "BOOTH_MAX_RUNS_PER_CLIENT": str(args.concurrency + 4),
    }
    port = free_port()
    server = start_server(port, env)
    try:
        url = f"http://127.0.0.1:{port}/api/fit-check/stream"
        report = asyncio.run(measure(url, server.pid, args.runs, args.baseline, args.concurrency))
    finally:
        server.terminate()
        server.wait(timeout=20)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
