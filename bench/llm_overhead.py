"""LLM overhead: a fit check through booth vs the same model calls made directly with the SDK.

A zero-latency OpenAI-compatible model runs on loopback (tests/support/openai_server.py) in a
process of its own, as a real model is elsewhere: its work shares no GIL with the client reading
booth's stream, nor with the direct SDK calls. booth runs as its own server process with
`BOOTH_LLM_BASE_URL` pointing at it. Each round, one fit check goes through booth end to end
(HTTP + SSE, read to the end of the stream by a bare client, `StreamClient`), then the very
requests booth sent the model in that run are replayed directly with `AsyncOpenAI` (streams read
to the end), in booth's order, and those booth had in flight together together here too.
booth's added time per run is the paired difference; the ratio is booth / direct. For scale,
the same query also runs on a second, offline booth (no model): booth's own engine and
streaming, which an online run does as well. Cross-process timings on a shared machine are
noisy, so the same run is also measured in one process: the run's wall time while no model call
was in flight (`TimedProvider`), against an offline run of the same query.

    python -m bench.llm_overhead [--runs 60] [--warmup 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import statistics
import time
from collections.abc import AsyncGenerator
from multiprocessing.connection import Connection
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


TAKE, STOP = "take", "stop"  # what the bench asks the model process


def serve_model(conn: Connection) -> None:
    """The model process: serve until told to stop, handing over the chat calls on request."""
    with OpenAIServer(FitCheckModel(READING)) as model:
        conn.send(model.base_url)
        while conn.recv() == TAKE:
            calls = model.chat_calls
            model.calls.clear()
            conn.send(calls)


class ModelProcess:
    """The loopback model in its own process; `take_calls` returns the calls since the last."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=serve_model, args=(child,), daemon=True)
        self.base_url = ""

    def __enter__(self) -> ModelProcess:
        self._process.start()
        self.base_url = self._conn.recv()
        return self

    def __exit__(self, *exc: object) -> None:
        self._conn.send(STOP)
        self._process.join(timeout=10)

    def take_calls(self) -> list[ChatCall]:
        self._conn.send(TAKE)
        calls: list[ChatCall] = self._conn.recv()
        return calls


STREAM_PATH = "/api/fit-check/stream"
CHUNKED_END = b"\r\n0\r\n\r\n"  # the last chunk of a chunked body: booth ended the stream


class StreamClient:
    """A bare HTTP/1.1 client on one kept-alive connection: it posts the fit check and reads
    the SSE body to its end, checking the run completed, without decoding it line by line in
    Python. A browser's EventSource parses in native code; an httpx client spent ~4 ms of CPU
    per run here, on the same two cores as booth and the model, and that was counted as
    booth's time."""

    def __init__(self, url: str) -> None:
        self.address = httpx.URL(url)
        body = json.dumps({"query": QUERY}).encode()
        head = (
            f"POST {STREAM_PATH} HTTP/1.1\r\nhost: {self.address.netloc.decode()}\r\n"
            f"content-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
        )
        self.request = head.encode() + body
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> StreamClient:
        host, port = self.address.host, self.address.port
        self._reader, self._writer = await asyncio.open_connection(host, port)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._writer is not None
        self._writer.close()
        await self._writer.wait_closed()

    async def fit_check(self) -> tuple[float, int]:
        """One fit check end to end; returns (seconds, events read)."""
        assert self._reader is not None and self._writer is not None
        started = time.perf_counter()
        self._writer.write(self.request)
        received = bytearray()
        while not received.endswith(CHUNKED_END):
            chunk = await self._reader.read(1 << 16)
            if not chunk:
                raise ConnectionError("booth closed the connection mid-stream")
            received += chunk
        elapsed = time.perf_counter() - started
        assert received.startswith(b"HTTP/1.1 200 "), bytes(received[:200])
        assert b"\nevent: complete\n" in received, "a benchmark run failed"
        return elapsed, received.count(b"\nevent: ")


def waves(calls: list[ChatCall]) -> list[list[ChatCall]]:
    """booth's calls in the order it made them, those it had in flight together grouped."""
    grouped: list[list[ChatCall]] = []
    busy_until = float("-inf")
    for call in sorted(calls, key=lambda c: c.received_at):
        if grouped and call.received_at < busy_until:
            grouped[-1].append(call)
        else:
            grouped.append([call])
        busy_until = max(busy_until, call.finished_at or float("inf"))
    return grouped


async def replay(client: AsyncOpenAI, call: ChatCall) -> None:
    body: dict[str, Any] = dict(call.body)
    if body.get("stream"):
        stream = await client.chat.completions.create(**body)
        async for _ in stream:
            continue
    else:
        await client.chat.completions.create(**body)


async def directly(client: AsyncOpenAI, calls: list[ChatCall]) -> float:
    """The same requests, straight to the model with the SDK: one after another as booth made
    them, and those booth had in flight at the same time at the same time here too."""
    started = time.perf_counter()
    for wave in waves(calls):
        await asyncio.gather(*(replay(client, call) for call in wave))
    return time.perf_counter() - started


async def measure(
    model: ModelProcess, booth_url: str, offline_url: str, runs: int, warmup: int
) -> dict[str, Any]:
    client = AsyncOpenAI(base_url=model.base_url, api_key="bench", max_retries=0)
    booth_s: list[float] = []
    direct_s: list[float] = []
    offline_s: list[float] = []
    calls_per_run = waves_per_run = 0
    async with StreamClient(booth_url) as online, StreamClient(offline_url) as offline_client:
        for i in range(warmup + runs):
            model.take_calls()
            elapsed, _ = await online.fit_check()
            calls = model.take_calls()
            direct = await directly(client, calls)
            offline, _ = await offline_client.fit_check()
            if i >= warmup:
                booth_s.append(elapsed)
                direct_s.append(direct)
                offline_s.append(offline)
                calls_per_run, waves_per_run = len(calls), len(waves(calls))
    await client.close()
    added = sorted((b - d) * 1000 for b, d in zip(booth_s, direct_s, strict=True))
    booth_p50 = statistics.median(booth_s) * 1000
    direct_p50 = statistics.median(direct_s) * 1000
    return {
        "runs": runs,
        "model_calls_per_run": calls_per_run,
        "model_call_waves_per_run": waves_per_run,  # calls booth had in flight together: 1 wave
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
    """The provider, keeping the wall time during which at least one of its calls waited on the
    model (the model's share of a run; calls in flight together count once)."""

    spent = 0.0
    _waiting = 0
    _since = 0.0

    def _wait(self) -> None:
        if self._waiting == 0:
            self._since = time.perf_counter()
        self._waiting += 1

    def _done(self) -> None:
        self._waiting -= 1
        if self._waiting == 0:
            self.spent += time.perf_counter() - self._since

    async def structured(self, *args: Any, **kwargs: Any) -> Any:
        self._wait()
        try:
            return await super().structured(*args, **kwargs)
        finally:
            self._done()

    async def stream_text(self, *args: Any, **kwargs: Any) -> AsyncGenerator[str, None]:
        self._wait()
        waiting = True
        try:
            async for chunk in super().stream_text(*args, **kwargs):
                self._done()  # booth's own work on the chunk is not the model's
                waiting = False
                yield chunk
                self._wait()
                waiting = True
        finally:
            if waiting:
                self._done()


async def in_process(model: ModelProcess, runs: int, warmup: int) -> dict[str, float]:
    """booth's own time per online run (no model call in flight) vs a whole offline run."""
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
    with ModelProcess() as model:
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
