"""A LangGraph checkpointer on booth's session store: thread id = session id.

LangGraph's `BaseCheckpointSaver`, async side, over the session's entries (core/sessions/
entries.py), so a graph's threads live, expire and are deleted with booth's sessions, on memory,
SQLite or Redis alike. Each thing LangGraph saves is its own record:

    c␟<ns>␟<checkpoint id>                  the checkpoint without its channel values
    b␟<ns>␟<channel>␟<version>              one channel value, written when its version changes
    w␟<ns>␟<checkpoint id>␟<task>␟<idx>      one pending write
    s␟<ns>␟<channel>␟<log>␟<n>               segment n of a growing list's log (listlog.py)

so a turn writes only what it changed - for a growing list such as `messages`, only the new
elements - and reading the latest checkpoint is a few small reads (the newest `c` record, the
blobs it names, its writes) whatever the thread's length. History is
bounded: every `prune_every` steps the checkpoints older than the newest `history` go, with their
writes and every blob no kept checkpoint names. Checkpoint ids (uuid6) and channel versions
(zero-padded counters) sort as strings, which is what the range reads and deletes rely on.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Coroutine, Iterator, Sequence
from typing import Any, TypeVar

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    WRITES_IDX_MAP,
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    PendingWrite,
    get_checkpoint_id,
    get_checkpoint_metadata,
    writes_sort_key,
)
from langgraph.checkpoint.serde.base import SerializerProtocol

from booth.agents.listlog import LOG_TYPE, Head, Heads, read_reference, reference
from booth.core.sessions.base import SessionStore
from booth.core.sessions.entries import prefix_end

T = TypeVar("T")

SEP = "\x1f"  # unit separator: never part of a namespace, channel or task id
DEFAULT_HISTORY = 32
DEFAULT_PRUNE_EVERY = 16


def _key(*parts: str) -> str:
    return SEP.join(parts)


def _prefix(*parts: str) -> str:
    return SEP.join(parts) + SEP


def pack(typed: tuple[str, bytes]) -> bytes:
    """A serializer's (type, bytes) pair as one value: the type, NUL, the bytes."""
    kind, data = typed
    return kind.encode() + b"\x00" + data


def unpack(value: bytes) -> tuple[str, bytes]:
    kind, _, data = value.partition(b"\x00")
    return kind.decode(), data


def _thread(config: RunnableConfig) -> tuple[str, str]:
    configurable = config.get("configurable", {})
    return str(configurable["thread_id"]), str(configurable.get("checkpoint_ns", ""))


def _config(thread_id: str, ns: str, checkpoint_id: str) -> RunnableConfig:
    return {
        "configurable": {
            "thread_id": thread_id,
            "checkpoint_ns": ns,
            "checkpoint_id": checkpoint_id,
        }
    }


class SessionCheckpointer(BaseCheckpointSaver[str]):
    """LangGraph checkpoints in booth's session store (async API; the sync one is refused)."""

    def __init__(
        self,
        sessions: SessionStore,
        *,
        history: int = DEFAULT_HISTORY,
        prune_every: int = DEFAULT_PRUNE_EVERY,
        serde: SerializerProtocol | None = None,
    ) -> None:
        super().__init__(serde=serde)
        if history < 1 or prune_every < 1:
            raise ValueError("history and prune_every must be at least 1")
        self.sessions = sessions
        self.history = history
        self.prune_every = prune_every
        self.heads = Heads()
        self._loop: asyncio.AbstractEventLoop | None = None  # the loop it serves, for sync calls

    # -- reading ------------------------------------------------------------------------------
    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        self._loop = asyncio.get_running_loop()
        thread_id, ns = _thread(config)
        wanted = get_checkpoint_id(config)
        if wanted:
            found = await self.sessions.get_entries(thread_id, [_key("c", ns, wanted)])
            raw = found.get(_key("c", ns, wanted))
            if raw is None:
                return None
            checkpoint_id = wanted
        else:
            latest = await self.sessions.scan_entries(
                thread_id, _prefix("c", ns), prefix_end(_prefix("c", ns)), limit=1, reverse=True
            )
            if not latest:
                return None
            key, raw = latest[0]
            checkpoint_id = key.rsplit(SEP, 1)[1]
            return await self._tuple(thread_id, ns, checkpoint_id, raw, latest=True)
        return await self._tuple(thread_id, ns, checkpoint_id, raw)

    async def _tuple(
        self, thread_id: str, ns: str, checkpoint_id: str, raw: bytes, latest: bool = False
    ) -> CheckpointTuple:
        record = self.serde.loads_typed(unpack(raw))
        checkpoint: Checkpoint = record["checkpoint"]
        values, writes = await asyncio.gather(
            self._channel_values(thread_id, ns, checkpoint["channel_versions"], latest),
            self._pending_writes(thread_id, ns, checkpoint_id),
        )
        parent = record["parent"]
        return CheckpointTuple(
            config=_config(thread_id, ns, checkpoint_id),
            checkpoint={**checkpoint, "channel_values": values},
            metadata=record["metadata"],
            parent_config=_config(thread_id, ns, parent) if parent else None,
            pending_writes=writes,
        )

    async def _channel_values(
        self, thread_id: str, ns: str, versions: ChannelVersions, latest: bool
    ) -> dict[str, Any]:
        """The values a checkpoint's versions name; a list this process holds is not re-read.

        `latest`: the values are the thread's newest, so they become the heads of their lists.
        """
        values: dict[str, Any] = {}
        keys: dict[str, str] = {}
        for channel, version in versions.items():
            head = self.heads.get((thread_id, ns, channel))
            if head is not None and head.version == str(version):
                values[channel] = list(head.items)
            else:
                keys[_key("b", ns, channel, str(version))] = channel
        found = await self.sessions.get_entries(thread_id, list(keys)) if keys else {}
        for key, raw in found.items():
            channel = keys[key]
            typed = unpack(raw)
            if typed[0] == LOG_TYPE:
                log, upto = read_reference(typed[1])
                items = await self._read_log(thread_id, ns, channel, log, upto)
                values[channel] = items
                if latest:
                    head = Head(str(versions[channel]), log, upto, tuple(items))
                    self.heads.put((thread_id, ns, channel), head)
            elif typed[0] != "empty":
                values[channel] = self.serde.loads_typed(typed)
        return values

    async def _read_log(
        self, thread_id: str, ns: str, channel: str, log: str, upto: int
    ) -> list[Any]:
        prefix = _prefix("s", ns, channel, log)
        rows = await self.sessions.scan_entries(thread_id, prefix, prefix + f"{upto:08d}")
        if len(rows) != upto:
            raise ValueError(f"list {channel!r} of thread {thread_id} lost segments of its log")
        items: list[Any] = []
        for _, raw in rows:
            items.extend(self.serde.loads_typed(unpack(raw)))
        return items

    async def _pending_writes(
        self, thread_id: str, ns: str, checkpoint_id: str
    ) -> list[PendingWrite]:
        prefix = _prefix("w", ns, checkpoint_id)
        rows = await self.sessions.scan_entries(thread_id, prefix, prefix_end(prefix))
        stored = [self.serde.loads_typed(unpack(raw)) for _, raw in rows]
        stored.sort(key=lambda w: writes_sort_key(w["path"], w["task"], w["idx"]))
        return [(w["task"], w["channel"], self.serde.loads_typed(w["value"])) for w in stored]

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        """Newest first. A thread is required: sessions are private, so there is no global list."""
        if config is None:
            raise ValueError("booth's checkpointer lists one thread at a time: pass a thread_id")
        thread_id = str(config["configurable"]["thread_id"])
        ns = config["configurable"].get("checkpoint_ns")
        start = _prefix("c") if ns is None else _prefix("c", ns)
        end = prefix_end(start)
        if before is not None and (before_id := get_checkpoint_id(before)) and ns is not None:
            end = _key("c", ns, before_id)
        only = get_checkpoint_id(config)
        rows = await self.sessions.scan_entries(thread_id, start, end, reverse=True)
        for key, raw in rows:
            _, row_ns, checkpoint_id = key.split(SEP)
            if only and checkpoint_id != only:
                continue
            if before is not None and (before_id := get_checkpoint_id(before)):
                if checkpoint_id >= before_id:
                    continue
            item = await self._tuple(thread_id, row_ns, checkpoint_id, raw)
            if filter and not all(item.metadata.get(k) == v for k, v in filter.items()):
                continue
            if limit is not None and limit <= 0:
                return
            if limit is not None:
                limit -= 1
            yield item

    # -- writing ------------------------------------------------------------------------------
    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        thread_id, ns = _thread(config)
        stored = dict(checkpoint)
        values: dict[str, Any] = stored.pop("channel_values")  # type: ignore[assignment]
        record = {
            "checkpoint": stored,
            "metadata": get_checkpoint_metadata(config, metadata),
            "parent": config["configurable"].get("checkpoint_id"),
        }
        entries = {_key("c", ns, checkpoint["id"]): pack(self.serde.dumps_typed(record))}
        heads: list[tuple[tuple[str, str, str], Head]] = []
        for channel, version in new_versions.items():
            blob = _key("b", ns, channel, str(version))
            value = values.get(channel)
            if isinstance(value, list):
                head = self._log_write(entries, thread_id, ns, channel, str(version), value)
                entries[blob] = pack(reference(head.log, head.upto))
                heads.append(((thread_id, ns, channel), head))
            elif channel in values:
                entries[blob] = pack(self.serde.dumps_typed(value))
            else:
                entries[blob] = pack(("empty", b""))
        await self.sessions.put_entries(thread_id, entries)
        for key, head in heads:  # only once stored: a failed write must not leave a head
            self.heads.put(key, head)
        step = metadata.get("step", 0)
        if isinstance(step, int) and step > 0 and step % self.prune_every == 0:
            await self.prune_thread(thread_id, ns)
        return _config(thread_id, ns, checkpoint["id"])

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        thread_id, ns = _thread(config)
        checkpoint_id = config["configurable"]["checkpoint_id"]
        entries: dict[str, bytes] = {}
        for position, (channel, value) in enumerate(writes):
            idx = WRITES_IDX_MAP.get(channel, position)
            write = {
                "task": task_id,
                "channel": channel,
                "idx": idx,
                "path": task_path,
                "value": self.serde.dumps_typed(value),
            }
            key = _key("w", ns, checkpoint_id, task_id, f"{idx:+06d}")
            entries[key] = pack(self.serde.dumps_typed(write))
        # A retried task writes the same keys again and replaces its earlier writes.
        if entries:
            await self.sessions.put_entries(thread_id, entries)

    def _log_write(
        self,
        entries: dict[str, bytes],
        thread_id: str,
        ns: str,
        channel: str,
        version: str,
        value: list[Any],
    ) -> Head:
        """Add the segment that stores `value` to `entries`; returns its new head."""
        head = self.heads.get((thread_id, ns, channel))
        if head is not None and head.extended_by(value):
            log, upto, tail = head.log, head.upto, value[len(head.items) :]
        else:
            log, upto, tail = version, 0, value  # a new log, starting with the whole list
        if tail or upto == 0:
            entries[_key("s", ns, channel, log, f"{upto:08d}")] = pack(self.serde.dumps_typed(tail))
            upto += 1
        return Head(version, log, upto, tuple(value))

    # -- bounding and deleting ----------------------------------------------------------------
    async def prune_thread(self, thread_id: str, ns: str) -> int:
        """Drop checkpoints older than the newest `history`, their writes and orphaned blobs."""
        prefix = _prefix("c", ns)
        rows = await self.sessions.scan_entries(thread_id, prefix, prefix_end(prefix), reverse=True)
        if len(rows) <= self.history:
            return 0
        kept, dropped = rows[: self.history], rows[self.history :]
        boundary = kept[-1][0].rsplit(SEP, 1)[1]  # the oldest checkpoint kept
        oldest_kept: dict[str, str] = {}
        for _, raw in kept:
            for channel, version in self._versions(raw).items():
                if channel not in oldest_kept or str(version) < oldest_kept[channel]:
                    oldest_kept[channel] = str(version)
        channels = set(oldest_kept)
        for _, raw in dropped:
            channels.update(self._versions(raw))
        await self.sessions.delete_entries(thread_id, prefix, _key("c", ns, boundary))
        await self.sessions.delete_entries(thread_id, _prefix("w", ns), _key("w", ns, boundary))
        for channel in channels:
            start = _prefix("b", ns, channel)
            end = _key("b", ns, channel, oldest_kept[channel]) if channel in oldest_kept else None
            await self.sessions.delete_entries(thread_id, start, end or prefix_end(start))
        await self._prune_logs(thread_id, ns, channels, oldest_kept)
        return len(dropped)

    async def _prune_logs(
        self, thread_id: str, ns: str, channels: set[str], oldest_kept: dict[str, str]
    ) -> None:
        """Drop the logs older than the one the oldest kept version of each list lives in.

        Logs are named by the version that started them, and a list only ever extends its
        newest log, so every kept version lives in that log or a later one.
        """
        blobs = {_key("b", ns, c, v): c for c, v in oldest_kept.items()}
        found = await self.sessions.get_entries(thread_id, list(blobs))
        first_log: dict[str, str] = {}
        for key, raw in found.items():
            typed = unpack(raw)
            if typed[0] == LOG_TYPE:
                first_log[blobs[key]] = read_reference(typed[1])[0]
        for channel in channels:
            start = _prefix("s", ns, channel)
            if channel in first_log:
                end = _prefix("s", ns, channel, first_log[channel])
            elif channel in oldest_kept:
                continue  # its kept versions are not lists and it has no log to keep
            else:
                end = prefix_end(start)
            await self.sessions.delete_entries(thread_id, start, end)

    def _versions(self, raw: bytes) -> ChannelVersions:
        return self.serde.loads_typed(unpack(raw))["checkpoint"]["channel_versions"]

    async def adelete_thread(self, thread_id: str) -> None:
        self.heads.forget_thread(str(thread_id))
        for kind in ("c", "b", "w", "s"):
            await self.sessions.delete_entries(str(thread_id), kind + SEP, prefix_end(kind + SEP))

    def get_next_version(self, current: str | None, channel: None) -> str:
        """A zero-padded counter (so versions sort as strings) and a random tie-breaker."""
        if current is None:
            number = 0
        elif isinstance(current, int):
            number = current
        else:
            number = int(str(current).split(".")[0])
        return f"{number + 1:032}.{random.random():016}"

    # -- the synchronous API: from another thread, on the loop the saver serves ---------------
    def _on_loop(self, work: Coroutine[Any, Any, T]) -> T:
        """Run `work` on the saver's event loop and wait for it (LangGraph's async savers do
        the same). Its store connections belong to that loop, so a call from the loop's own
        thread would deadlock: there, use the async API."""
        loop = self._loop
        if loop is None or loop.is_closed():
            work.close()
            raise asyncio.InvalidStateError(
                "SessionCheckpointer has not served a graph on an event loop yet: use the async API"
            )
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            work.close()
            raise asyncio.InvalidStateError(
                "Synchronous SessionCheckpointer calls come from another thread; on the event "
                "loop use ainvoke/astream"
            )
        return asyncio.run_coroutine_threadsafe(work, loop).result()

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return self._on_loop(self.aget_tuple(config))

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        async def collect() -> list[CheckpointTuple]:
            found = self.alist(config, filter=filter, before=before, limit=limit)
            return [item async for item in found]

        return iter(self._on_loop(collect()))

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        return self._on_loop(self.aput(config, checkpoint, metadata, new_versions))

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        self._on_loop(self.aput_writes(config, writes, task_id, task_path))
