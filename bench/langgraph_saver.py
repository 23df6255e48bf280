"""booth's LangGraph checkpointer vs LangGraph's own savers: cost per turn as a thread grows.

One chat graph (a `messages` list with LangGraph's `add_messages`, one reply node), one thread
per saver, grown turn by turn to 1,000 turns. At thread lengths 10, 100 and 1,000 it measures
the next `--turns` turns: the time spent inside the saver (aget_tuple, aput, aput_writes), the
whole turn (`ainvoke`), and the bytes the saver holds for the thread. Savers, in the same run:

- booth on SQLite (SessionCheckpointer over SqliteSessionStore) and on memory;
- LangGraph's AsyncSqliteSaver (same SQLite pragmas as booth's store: WAL, synchronous=NORMAL,
  so the figures compare designs, not durability settings) and InMemorySaver;
- booth on Redis with `--redis URL` (a database the run may flush).

    python -m bench.langgraph_saver [--turns 10] [--lengths 10 100 1000] [--redis URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any

import aiosqlite
from langchain_core.messages import AIMessage, AnyMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.graph import END, START, StateGraph, add_messages
from redis.asyncio import Redis
from typing_extensions import TypedDict

from booth.agents.checkpointer import SessionCheckpointer
from booth.core.sessions.base import Expiry, SessionStore
from booth.core.sessions.memory import MemorySessionStore
from booth.core.sessions.redis import RedisSessionStore
from booth.core.sessions.sqlite import SqliteSessionStore

ROOT = Path(__file__).resolve().parents[1]
THREAD = "bench-thread-0001"
LONG_LIVED = Expiry(idle_ttl=24 * 3600, max_age=7 * 24 * 3600)
TIMED = ("aget_tuple", "aput", "aput_writes")


class Chat(TypedDict):
    messages: Annotated[list[AnyMessage], add_messages]


async def reply(state: Chat) -> Chat:
    asked = state["messages"][-1].content
    return {"messages": [AIMessage(f"Noted: {asked}. That makes {len(state['messages'])}.")]}


def chat_graph():
    builder = StateGraph(Chat)
    builder.add_node("reply", reply)
    builder.add_edge(START, "reply")
    builder.add_edge("reply", END)
    return builder.compile()


class SaverClock:
    """Time spent inside a saver's async methods, by wrapping them on the instance."""

    def __init__(self, saver: Any) -> None:
        self.seconds = 0.0
        for name in TIMED:
            setattr(saver, name, self._timed(getattr(saver, name)))

    def _timed(self, method: Callable[..., Awaitable[Any]]):
        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await method(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

        return timed


class Subject:
    """One saver under test: how to build it, and how many bytes it holds for the thread."""

    def __init__(self, name: str, saver: Any, size: Callable[[], Awaitable[int]], close=None):
        self.name = name
        self.saver = saver
        self.size = size
        self.close = close


async def booth_subject(name: str, store: SessionStore) -> Subject:
    await store.create(THREAD, "bench")
    saver = SessionCheckpointer(store)

    async def size() -> int:
        return sum(len(k.encode()) + len(v) for k, v in await store.scan_entries(THREAD))

    return Subject(name, saver, size, store.close)


async def langgraph_sqlite_subject(path: Path) -> Subject:
    conn = await aiosqlite.connect(path)
    await conn.execute("PRAGMA journal_mode=WAL")
    await conn.execute("PRAGMA synchronous=NORMAL")
    saver = AsyncSqliteSaver(conn)
    await saver.setup()

    async def size() -> int:
        total = 0
        for sql in (
            "SELECT COALESCE(SUM(LENGTH(checkpoint) + LENGTH(metadata)), 0) FROM checkpoints",
            "SELECT COALESCE(SUM(LENGTH(value)), 0) FROM writes",
        ):
            async with conn.execute(sql) as cursor:
                row = await cursor.fetchone()
                total += row[0] if row else 0
        return total

    return Subject("langgraph AsyncSqliteSaver", saver, size, conn.close)


def in_memory_subject() -> Subject:
    saver = InMemorySaver()

    async def size() -> int:
        total = 0
        for by_ns in saver.storage.values():
            for checkpoints in by_ns.values():
                for (_, c), (_, m), _parent in checkpoints.values():
                    total += len(c) + len(m)
        for _, blob in saver.blobs.values():
            total += len(blob)
        for writes in saver.writes.values():
            for _task, _channel, (_, value), _path in writes.values():
                total += len(value)
        return total

    return Subject("langgraph InMemorySaver", saver, size)


async def turn(graph: Any, n: int) -> None:
    config = {"configurable": {"thread_id": THREAD}}
    await graph.ainvoke({"messages": [("user", f"message {n:05d} of this thread")]}, config)


async def measure(subject: Subject, lengths: list[int], turns: int) -> list[dict[str, Any]]:
    clock = SaverClock(subject.saver)
    graph = chat_graph().copy(update={"checkpointer": subject.saver})
    done, rows = 0, []
    for length in lengths:
        while done < length:
            done += 1
            await turn(graph, done)
        saver_ms, turn_ms = [], []
        for _ in range(turns):
            done += 1
            before, started = clock.seconds, time.perf_counter()
            await turn(graph, done)
            turn_ms.append((time.perf_counter() - started) * 1000)
            saver_ms.append((clock.seconds - before) * 1000)
        rows.append(
            {
                "saver": subject.name,
                "length": length,
                "saver_ms": round(statistics.median(saver_ms), 3),
                "turn_ms": round(statistics.median(turn_ms), 3),
                "bytes": await subject.size(),
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    return rows


def table(rows: list[dict[str, Any]], lengths: list[int]) -> str:
    """Markdown: saver ms per turn and bytes held, with ratios against booth on the same kind."""
    by = {(r["saver"], r["length"]): r for r in rows}
    pairs = [
        ("langgraph AsyncSqliteSaver", "booth on SQLite"),
        ("langgraph InMemorySaver", "booth on memory"),
    ]
    lines = [
        "| thread length | saver | saver ms/turn | turn ms | bytes held | vs booth (time, bytes) |",
        "|---:|---|---:|---:|---:|---|",
    ]
    for length in lengths:
        for name in sorted({r["saver"] for r in rows}):
            r = by[(name, length)]
            versus = ""
            for theirs, ours in pairs:
                if name == theirs and (ours, length) in by:
                    o = by[(ours, length)]
                    versus = (
                        f"{r['saver_ms'] / max(o['saver_ms'], 1e-9):.1f}× slower, "
                        f"{r['bytes'] / max(o['bytes'], 1):.0f}× the bytes"
                    )
            lines.append(
                f"| {length:,} | {name} | {r['saver_ms']:.2f} | {r['turn_ms']:.2f} | "
                f"{r['bytes']:,} | {versus} |"
            )
    return "\n".join(lines)


async def main(turns: int, lengths: list[int], redis_url: str | None) -> None:
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        subjects = [
            await booth_subject(
                "booth on SQLite", SqliteSessionStore(Path(tmp) / "booth.db", LONG_LIVED)
            ),
            await langgraph_sqlite_subject(Path(tmp) / "langgraph.db"),
            await booth_subject("booth on memory", MemorySessionStore(LONG_LIVED)),
            in_memory_subject(),
        ]
        if redis_url:
            client = Redis.from_url(redis_url)
            await client.flushdb()
            subjects.append(
                await booth_subject("booth on Redis", RedisSessionStore(client, LONG_LIVED))
            )
        for subject in subjects:
            rows += await measure(subject, lengths, turns)
            if subject.close is not None:
                await subject.close()
    out = ROOT / "bench" / "results" / "langgraph_saver.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"turns": turns, "lengths": lengths, "rows": rows}, indent=2))
    print(table(rows, lengths))
    print(f"\nwritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=10, help="turns measured at each length")
    parser.add_argument("--lengths", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--redis", default=None, help="also booth on this Redis (flushed)")
    args = parser.parse_args()
    asyncio.run(main(args.turns, sorted(args.lengths), args.redis))
