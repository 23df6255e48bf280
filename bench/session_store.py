"""Session store latency: append a turn + read the recent turns, per backend, short vs long history.

The promise is that a turn's cost does not grow with the conversation: the figure at history
length 1000 should stay within 1.5x of the figure at 10. Usage:

    python -m bench.session_store [--ops 500] [--redis redis://127.0.0.1:6379/15]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

from redis.asyncio import Redis

from booth.core.sessions.memory import MemorySessionStore
from booth.core.sessions.redis import RedisSessionStore
from booth.core.sessions.sqlite import SqliteSessionStore

ROOT = Path(__file__).resolve().parents[1]
TURN = {
    "query": "songs like radiohead but calmer",
    "intent": "artist_similarity",
    "tracks": [f"artist {i}||title {i}" for i in range(10)],
}


async def build(kind: str, tmp: str, redis_url: str):
    if kind == "memory":
        return MemorySessionStore()
    if kind == "sqlite":
        return SqliteSessionStore(f"{tmp}/bench.db")
    client = Redis.from_url(redis_url)
    await client.flushdb()
    return RedisSessionStore(client)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def measure(store, session_id: str, history: int, ops: int) -> dict:
    await store.create(session_id, "h")
    for _ in range(history):
        await store.append_turn(session_id, TURN)
    timings = []
    for _ in range(ops):
        started = time.perf_counter()
        await store.append_turn(session_id, TURN)
        await store.recent_turns(session_id, 10)
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "history": history,
        "p50_ms": round(statistics.median(timings), 4),
        "p95_ms": round(percentile(timings, 0.95), 4),
    }


async def run(ops: int, redis_url: str) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="booth-bench-") as tmp:
        for kind in ("memory", "sqlite", "redis"):
            store = await build(kind, tmp, redis_url)
            try:
                short = await measure(store, f"{kind}-short-history", 10, ops)
                long = await measure(store, f"{kind}-long-history", 1000, ops)
            finally:
                if kind == "redis":
                    await store.redis.flushdb()
                await store.close()
            ratio = long["p50_ms"] / short["p50_ms"]
            rows.append(
                {"backend": kind, "short": short, "long": long, "p50_ratio": round(ratio, 3)}
            )
            print(
                f"{kind:7s} history 10: p50 {short['p50_ms']:.3f} ms "
                f"p95 {short['p95_ms']:.3f} ms | "
                f"history 1000: p50 {long['p50_ms']:.3f} ms p95 {long['p95_ms']:.3f} ms | "
                f"ratio {ratio:.2f}"
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ops", type=int, default=500)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--out", default=str(ROOT / "bench/results/session_store.json"))
    args = parser.parse_args()
    rows = asyncio.run(run(args.ops, args.redis))
    Path(args.out).write_text(json.dumps({"ops": args.ops, "results": rows}, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
