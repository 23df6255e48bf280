"""booth's Agents SDK Session: the SDK's Session protocol on every session store."""

from __future__ import annotations

from agents.memory import Session

from booth.agents.agent_session import StoreSession


def item(text: str, role: str = "user") -> dict:
    return {"role": role, "content": text}


async def test_it_is_an_agents_sdk_session(store):
    assert isinstance(StoreSession(store, "session-one"), Session)


async def test_items_come_back_in_order_and_the_latest_n(store):
    await store.create("session-one", "h")
    session = StoreSession(store, "session-one")
    assert await session.get_items() == []
    await session.add_items([item("one"), item("two", "assistant")])
    await session.add_items([item("three")])
    assert [i["content"] for i in await session.get_items()] == ["one", "two", "three"]
    assert [i["content"] for i in await session.get_items(limit=2)] == ["two", "three"]


async def test_pop_removes_the_latest_and_clear_removes_all(store):
    await store.create("session-one", "h")
    session = StoreSession(store, "session-one")
    assert await session.pop_item() is None
    await session.add_items([item("one"), item("two")])
    assert (await session.pop_item())["content"] == "two"
    await session.add_items([item("three")])
    assert [i["content"] for i in await session.get_items()] == ["one", "three"]
    await session.clear_session()
    assert await session.get_items() == []
    await session.add_items([item("again")])
    assert [i["content"] for i in await session.get_items()] == ["again"]


async def test_sessions_do_not_share_items(store):
    for name in ("session-one", "session-two"):
        await store.create(name, "h")
    await StoreSession(store, "session-one").add_items([item("private")])
    assert await StoreSession(store, "session-two").get_items() == []


async def test_items_keep_unicode_and_structure(store):
    await store.create("session-one", "h")
    session = StoreSession(store, "session-one")
    call = {"type": "function_call", "name": "f", "arguments": '{"q": "café ☕"}', "call_id": "c1"}
    await session.add_items([call])
    assert await session.get_items() == [call]


async def test_an_expired_session_has_no_items(store, clock):
    await store.create("session-one", "h")
    session = StoreSession(store, "session-one")
    await session.add_items([item("one")])
    clock.advance(61)
    assert await session.get_items() == []
