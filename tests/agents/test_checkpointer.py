"""booth's LangGraph checkpointer: LangGraph's saver contract on every session store."""

from __future__ import annotations

import asyncio

import pytest
from langgraph.checkpoint.base import empty_checkpoint

from booth.agents.checkpointer import SessionCheckpointer
from tests.agents.graphs import build_memo

THREAD = "thread-session-1"


def config(thread: str = THREAD, checkpoint_id: str | None = None, ns: str = "") -> dict:
    configurable = {"thread_id": thread, "checkpoint_ns": ns}
    if checkpoint_id:
        configurable["checkpoint_id"] = checkpoint_id
    return {"configurable": configurable}


async def put(saver, parent_config, values: dict, step: int, changed: dict):
    """A checkpoint with `values`, whose channels in `changed` got new versions."""
    latest = await saver.aget_tuple(parent_config)
    checkpoint = empty_checkpoint()
    if latest is not None:
        checkpoint["channel_versions"] = dict(latest.checkpoint["channel_versions"])
    for channel in changed:
        current = checkpoint["channel_versions"].get(channel)
        checkpoint["channel_versions"][channel] = saver.get_next_version(current, None)
    checkpoint["channel_values"] = values
    new_versions = {c: checkpoint["channel_versions"][c] for c in changed}
    return await saver.aput(
        parent_config, checkpoint, {"source": "loop", "step": step}, new_versions
    )


@pytest.fixture
async def saver(store):
    await store.create(THREAD, "h")
    return SessionCheckpointer(store, history=4, prune_every=2)


async def test_an_empty_thread_has_no_checkpoint(saver):
    assert await saver.aget_tuple(config()) is None
    assert [t async for t in saver.alist(config())] == []


async def test_the_latest_checkpoint_comes_back_with_its_values_and_parent(saver):
    first = await put(saver, config(), {"a": 1, "b": "x"}, 0, {"a": 1, "b": 1})
    second = await put(saver, first, {"a": 2, "b": "x"}, 1, {"a": 1})
    latest = await saver.aget_tuple(config())
    assert latest.config == second
    assert latest.checkpoint["channel_values"] == {"a": 2, "b": "x"}  # b from the first blob
    assert latest.parent_config == first
    assert latest.metadata["step"] == 1
    older = await saver.aget_tuple(first)
    assert older.checkpoint["channel_values"] == {"a": 1, "b": "x"}
    assert older.parent_config is None


async def test_the_synchronous_api_works_from_another_thread_on_the_savers_loop(saver):
    with pytest.raises(asyncio.InvalidStateError):  # no loop served yet
        saver.get_tuple(config())
    first = await put(saver, config(), {"a": 1}, 0, {"a": 1})
    with pytest.raises(asyncio.InvalidStateError):  # on the loop itself: use the async API
        saver.get_tuple(config())
    checkpoint = (await saver.aget_tuple(first)).checkpoint
    second = await asyncio.to_thread(
        saver.put, first, {**checkpoint, "id": "sync-checkpoint"}, {"step": 1}, {}
    )
    await asyncio.to_thread(saver.put_writes, second, [("a", 5)], "task-1")
    latest = await asyncio.to_thread(saver.get_tuple, config())
    assert latest.config == second and latest.pending_writes == [("task-1", "a", 5)]
    listed = await asyncio.to_thread(lambda: list(saver.list(config())))
    assert [t.config for t in listed] == [second, first]


async def test_pending_writes_come_back_in_langgraph_order(saver):
    saved = await put(saver, config(), {"a": 1}, 0, {"a": 1})
    await saver.aput_writes(saved, [("a", 10), ("b", 11)], task_id="task-b", task_path="~2")
    await saver.aput_writes(saved, [("a", 20)], task_id="task-a", task_path="~1")
    latest = await saver.aget_tuple(config())
    assert latest.pending_writes == [("task-a", "a", 20), ("task-b", "a", 10), ("task-b", "b", 11)]


async def test_listing_is_newest_first_with_limit_before_and_filter(saver):
    saved = [config()]
    for step in range(4):
        saved.append(await put(saver, saved[-1], {"n": step}, step, {"n": 1}))
    ids = [t.config["configurable"]["checkpoint_id"] async for t in saver.alist(config())]
    assert ids == [c["configurable"]["checkpoint_id"] for c in reversed(saved[1:])]
    assert len([t async for t in saver.alist(config(), limit=2)]) == 2
    before = [t async for t in saver.alist(config(), before=saved[3])]
    assert [t.checkpoint["channel_values"]["n"] for t in before] == [1, 0]
    assert [t.metadata["step"] async for t in saver.alist(config(), filter={"step": 2})] == [2]


async def test_threads_are_sessions_and_never_mix(saver, store):
    await store.create("thread-session-2", "h")
    await put(saver, config(), {"secret": "mine"}, 0, {"secret": 1})
    assert await saver.aget_tuple(config("thread-session-2")) is None
    await put(saver, config("thread-session-2"), {"secret": "theirs"}, 0, {"secret": 1})
    mine = await saver.aget_tuple(config())
    assert mine.checkpoint["channel_values"] == {"secret": "mine"}


async def test_history_is_bounded_and_the_latest_state_survives_pruning(saver, store):
    saved = await put(saver, config(), {"n": 0, "fixed": "kept"}, 0, {"n": 1, "fixed": 1})
    for step in range(1, 41):
        saved = await put(saver, saved, {"n": step, "fixed": "kept"}, step, {"n": 1})
    checkpoints = [t async for t in saver.alist(config())]
    assert len(checkpoints) <= 4 + 2
    latest = await saver.aget_tuple(config())
    assert latest.checkpoint["channel_values"] == {"n": 40, "fixed": "kept"}
    oldest = checkpoints[-1]
    assert oldest.checkpoint["channel_values"]["fixed"] == "kept"  # its older blob is kept
    # Bounded storage: blobs of dropped versions went with their checkpoints.
    assert len(await store.scan_entries(THREAD)) <= 3 * (4 + 2)


async def test_delete_thread_removes_it(saver):
    await put(saver, config(), {"a": 1}, 0, {"a": 1})
    await saver.adelete_thread(THREAD)
    assert await saver.aget_tuple(config()) is None


async def test_an_expired_session_has_no_thread(saver, clock):
    await put(saver, config(), {"a": 1}, 0, {"a": 1})
    clock.advance(61)
    assert await saver.aget_tuple(config()) is None


async def test_versions_sort_as_strings():
    saver = SessionCheckpointer.__new__(SessionCheckpointer)
    versions = [None]
    for _ in range(12):
        versions.append(SessionCheckpointer.get_next_version(saver, versions[-1], None))
    assert versions[1:] == sorted(versions[1:])


async def test_a_real_graph_continues_its_thread_across_turns(saver, store):
    graph = build_memo().copy(update={"checkpointer": saver})
    cfg = {"configurable": {"thread_id": THREAD}}
    for turn in range(1, 8):
        state = await graph.ainvoke({"messages": [("user", f"turn-{turn}")]}, cfg)
    assert state["notes"] == [f"turn-{n}" for n in range(1, 8)]
    assert state["messages"][-1].content.startswith("Turn 7.")
    snapshot = await graph.aget_state(cfg)
    assert snapshot.values["notes"][-1] == "turn-7"


# -- growing lists: stored once, as segments ------------------------------------------------------


async def stored_bytes(store, thread: str = THREAD) -> int:
    return sum(len(key) + len(value) for key, value in await store.scan_entries(thread))


async def test_a_growing_conversation_is_stored_once_not_once_per_turn(saver, store):
    graph = build_memo().copy(update={"checkpointer": saver})
    cfg = {"configurable": {"thread_id": THREAD}}
    sizes = []
    for turn in range(1, 61):
        state = await graph.ainvoke({"messages": [("user", f"message number {turn:03d}")]}, cfg)
        sizes.append(await stored_bytes(store))
    assert len(state["messages"]) == 120
    whole = len(saver.serde.dumps_typed(state["messages"])[1])
    # What is stored grows with the conversation (each message once), not with its square.
    assert sizes[-1] < 3 * whole
    assert sizes[-1] - sizes[29] < 1.5 * (sizes[29] - sizes[0]) + whole / 4


async def test_another_process_reads_the_thread_and_continues_it(saver, store):
    graph = build_memo().copy(update={"checkpointer": saver})
    cfg = {"configurable": {"thread_id": THREAD}}
    for turn in range(1, 6):
        await graph.ainvoke({"messages": [("user", f"turn-{turn}")]}, cfg)
    other = SessionCheckpointer(store, history=4, prune_every=2)  # no heads: reads the store
    replica = build_memo().copy(update={"checkpointer": other})
    state = await replica.ainvoke({"messages": [("user", "turn-6")]}, cfg)
    assert state["notes"] == [f"turn-{n}" for n in range(1, 7)]
    assert [m.content for m in state["messages"][::2]] == [f"turn-{n}" for n in range(1, 7)]
    back = await saver.aget_tuple(config())  # the first process sees the replica's turn
    assert back.checkpoint["channel_values"]["notes"][-1] == "turn-6"


async def test_a_list_that_shrinks_starts_a_new_log_and_old_logs_go(saver, store):
    saved = config()
    for step in range(6):
        saved = await put(saver, saved, {"items": list(range(step + 1))}, step, {"items": 1})
    saved = await put(saver, saved, {"items": ["replaced"]}, 6, {"items": 1})
    for step in range(7, 14):
        previous = (await saver.aget_tuple(config())).checkpoint["channel_values"]["items"]
        saved = await put(saver, saved, {"items": [*previous, step]}, step, {"items": 1})
    fresh = SessionCheckpointer(store)
    latest = await fresh.aget_tuple(config())
    assert latest.checkpoint["channel_values"]["items"] == ["replaced", *range(7, 14)]
    logs = {key.split("\x1f")[3] for key, _ in await store.scan_entries(THREAD, "s\x1f")}
    assert len(logs) == 1  # the log before the replacement was pruned with its checkpoints


async def test_a_graph_with_a_subgraph_ends_as_it_does_on_langgraphs_own_saver(saver):
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.graph import END, START, StateGraph

    from tests.agents.graphs import Memo

    def outer(checkpointer):
        builder = StateGraph(Memo)
        builder.add_node("inner", build_memo())
        builder.add_edge(START, "inner")
        builder.add_edge("inner", END)
        return builder.compile(checkpointer=checkpointer)

    cfg = {"configurable": {"thread_id": THREAD}}
    ours, theirs = outer(saver), outer(InMemorySaver())
    for turn in range(3):
        for graph in (ours, theirs):
            state = await graph.ainvoke({"messages": [("user", f"turn-{turn}")]}, cfg)
    assert (await ours.aget_state(cfg)).values["notes"] == state["notes"]
    namespaces = {k.split("\x1f")[1] for k, _ in await saver.sessions.scan_entries(THREAD, "c\x1f")}
    assert len(namespaces) > 1  # the subgraph's checkpoints live in their own namespaces
