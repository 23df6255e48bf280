"""LLM overhead: a fit check through booth vs the same model calls made directly with the SDK.

A zero-latency OpenAI-compatible model runs on loopback (tests/support/openai_server.py, in this
process); booth runs as its own server process with `BOOTH_LLM_BASE_URL` pointing at it. Each
round, one fit check goes through booth end to end (HTTP + SSE, every event read), then the very
requests booth sent the model in that run are replayed directly with `AsyncOpenAI` (streams read
to the end). booth's added time per run is the paired difference; the ratio is booth / direct.
For scale, the same query also runs on a second, offline booth (no model): booth's own engine
and streaming, which an online run does as well. Cross-process timings on a shared machine are
noisy, so the same run is also measured in one process, timing booth's work outside the model
calls (`TimedProvider`) against an offline run of the same query.

    python -m bench.llm_overhead [--runs 60] [--warmup 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from pathlib import Path
from typing import Any

import httpx
from openai import AsyncOpenAI

from booth.apps.fitcheck.service import (
    FitCheckRequest,
    build_engine,
    load_resources,
    start_fit_check,
)
from booth.config import Settings
from booth.core.resilience import CircuitBreaker
from booth.llm import LLMConfig, LLMProvider
from booth.server import build_host
from tests.apps.fitcheck.model import FitCheckModel, reading
from tests.support.openai_server import ChatCall, OpenAIServer
from tests.support.servers import ProcessServer

ROOT = Path(__file__).resolve().parents[1]
QUERY = """Senior Backend Engineer at Northwind Logistics

Requirements:
- 5+ years building backend services in Python
- PostgreSQL and Kafka in production; nice to have: Kubernetes
- Lead a team of three engineers.
"""
READING = reading(
    employer="Northwind Logistics",
    job_title="Senior Backend Engineer",
    min_years=5,
    people_management=True,
    skills=[
        {"names": ["Python"], "importance": "required"},
        {"names": ["PostgreSQL"], "importance": "required"},
        {"names": ["Kafka"], "importance": "required"},
        {"names": ["Kubernetes"], "importance": "nice_to_have"},
    ],
)


async def through_booth(http: httpx.AsyncClient) -> tuple[float, int]:
    """One fit check end to end; returns (seconds, events read)."""
    started = time.perf_counter()
    events = 0
    async with http.stream("POST", "/api/fit-check/stream", json={"query": QUERY}) as response:
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                events += 1
                if line.strip() in ("event: complete", "event: error"):
                    assert line.strip() == "event: complete", "a benchmark run failed"
    return time.perf_counter() - started, events


async def directly(client: AsyncOpenAI, calls: list[ChatCall]) -> float:
    """The same requests, straight to the model with the SDK, one after another as booth did."""
    started = time.perf_counter()
    for call in calls:
        body: dict[str, Any] = dict(call.body)
        if body.get("stream"):
            stream = await client.chat.completions.create(**body)
            async for _ in stream:
                continue
        else:
            await client.chat.completions.create(**body)
    return time.perf_counter() - started


async def measure(
    model: OpenAIServer, booth_url: str, offline_url: str, runs: int, warmup: int
) -> dict[str, Any]:
    client = AsyncOpenAI(base_url=model.base_url, api_key="bench", max_retries=0)
    booth_s: list[float] = []
    direct_s: list[float] = []
    offline_s: list[float] = []
    calls_per_run = 0
    async with (
        httpx.AsyncClient(base_url=booth_url, timeout=60) as http,
        httpx.AsyncClient(base_url=offline_url, timeout=60) as offline_http,
    ):
        for i in range(warmup + runs):
            model.calls.clear()
            elapsed, _ = await through_booth(http)
            calls = list(model.chat_calls)
            direct = await directly(client, calls)
            offline, _ = await through_booth(offline_http)
            if i >= warmup:
                booth_s.append(elapsed)
                direct_s.append(direct)
                offline_s.append(offline)
                calls_per_run = len(calls)
    await client.close()
    added = sorted((b - d) * 1000 for b, d in zip(booth_s, direct_s, strict=True))
    booth_p50 = statistics.median(booth_s) * 1000
    direct_p50 = statistics.median(direct_s) * 1000
    return {
        "runs": runs,
        "model_calls_per_run": calls_per_run,
        "booth_p50_ms": round(booth_p50, 2),
        "direct_p50_ms": round(direct_p50, 2),
        "added_p50_ms": round(statistics.median(added), 2),
        "added_p90_ms": round(added[int(len(added) * 0.9) - 1], 2),
        "ratio_booth_to_direct": round(booth_p50 / direct_p50, 2),
        "offline_booth_p50_ms": round(statistics.median(offline_s) * 1000, 2),
        # what the model layer adds on top of booth's offline run (paired per round)
        "llm_layer_added_p50_ms": round(
            statistics.median(
                (b - d - o) * 1000 for b, d, o in zip(booth_s, direct_s, offline_s, strict=True)
            ),
            2,
        ),
    }


class TimedProvider(LLMProvider):
    """The provider, keeping the wall time spent inside its calls (the model's share)."""

    spent = 0.0

    async def structured(self, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return await super().structured(*args, **kwargs)
        finally:
            self.spent += time.perf_counter() - started

    async def stream_text(self, *args: Any, **kwargs: Any):  # type: ignore[override]
        started = time.perf_counter()
        async for chunk in super().stream_text(*args, **kwargs):
            self.spent += time.perf_counter() - started
            yield chunk
            started = time.perf_counter()
        self.spent += time.perf_counter() - started


async def in_process(model: OpenAIServer, runs: int, warmup: int) -> dict[str, float]:
    """booth's own work per online run (outside model calls) vs a whole offline run, in-process."""
    resources = load_resources()
    config = LLMConfig(model.base_url, "bench", "test-model", ())
    provider = TimedProvider(config, CircuitBreaker("llm"))
    online = build_engine(resources, provider)
    host = build_host(Settings(store="memory", ui=False))
    await host.runtime.startup()

    async def one(engine: Any) -> float:
        opened = await host.open_session(None, None)
        body = FitCheckRequest(query=QUERY)
        started = time.perf_counter()
        run, subscriber = await start_fit_check(
            host, opened, body, "bench", resources=resources, engine=engine
        )
        async for _ in host.events(run, subscriber):
            continue
        return time.perf_counter() - started

    own: list[float] = []
    offline: list[float] = []
    try:
        for i in range(warmup + runs):
            provider.spent = 0.0
            total = await one(online)
            alone = await one(build_engine(resources))
            if i >= warmup:
                own.append((total - provider.spent) * 1000)
                offline.append(alone * 1000)
    finally:
        await host.runtime.shutdown()
        await host.close()
        await provider.close()
    return {
        "in_process_booth_work_p50_ms": round(statistics.median(own), 2),
        "in_process_offline_run_p50_ms": round(statistics.median(offline), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--out", default=str(ROOT / "bench/results/llm_overhead.json"))
    args = parser.parse_args()
    with OpenAIServer(FitCheckModel(READING)) as model:
        env = {
            "BOOTH_STORE": "memory",
            "BOOTH_UI": "false",
            "BOOTH_LLM_BASE_URL": model.base_url,
            "BOOTH_LLM_MODEL": "test-model",
            "BOOTH_LOG_LEVEL": "WARNING",
        }
        offline_env = {k: v for k, v in env.items() if not k.startswith("BOOTH_LLM")}
        booth = ProcessServer(env, apps=True, test_app=False).start()
        offline = ProcessServer(offline_env, apps=True, test_app=False).start()
        try:
            report = asyncio.run(measure(model, booth.url, offline.url, args.runs, args.warmup))
            report.update(asyncio.run(in_process(model, args.runs, args.warmup)))
        finally:
            booth.stop()
            offline.stop()
    print(json.dumps(report, indent=2))
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
