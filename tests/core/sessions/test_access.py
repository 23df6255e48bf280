"""Who may use a session, in token mode (the default) and in trusted-frontend mode."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from booth.core.errors import BoothError, ErrorCode
from booth.core.sessions.access import (
    TRUSTED_MIN_ID_LENGTH,
    SessionAccess,
    SessionAuth,
    open_session,
)
from booth.core.sessions.base import Expiry
from booth.core.sessions.memory import MemorySessionStore

TOKEN = SessionAccess(SessionAuth.TOKEN)
TRUSTED = SessionAccess(SessionAuth.TRUSTED)


@pytest.fixture
def store(clock):
    return MemorySessionStore(Expiry(idle_ttl=60, max_age=600), clock=clock)


async def refused(call) -> ErrorCode:
    with pytest.raises(BoothError) as caught:
        await call
    return caught.value.code


async def test_token_mode_needs_the_token_to_reuse_a_session(store):
    created = await TOKEN.open(store, "session-A", None)
    assert created.created and created.minted_token
    assert await refused(TOKEN.open(store, "session-A", None)) is ErrorCode.FORBIDDEN
    assert await refused(TOKEN.open(store, "session-A", "wrong")) is ErrorCode.FORBIDDEN
    again = await TOKEN.open(store, "session-A", created.minted_token)
    assert not again.created and again.id == "session-A"
    assert await refused(TOKEN.authorize(store, "session-A", None)) is ErrorCode.FORBIDDEN


async def test_the_default_is_token_mode(store):
    await open_session(store, "session-B", None)
    assert await refused(open_session(store, "session-B", None)) is ErrorCode.FORBIDDEN


async def test_trusted_mode_lets_the_id_alone_reuse_its_session(store):
    session_id = str(uuid.uuid4())
    created = await TRUSTED.open(store, session_id, None)
    assert created.created
    again = await TRUSTED.open(store, session_id, None)
    assert not again.created and again.id == session_id
    assert (await TRUSTED.authorize(store, session_id, None)).id == session_id


async def test_trusted_mode_refuses_guessable_ids_and_says_why(store):
    short = "x" * (TRUSTED_MIN_ID_LENGTH - 1)
    with pytest.raises(BoothError) as caught:
        await TRUSTED.open(store, short, None)
    assert caught.value.code is ErrorCode.INVALID_QUERY
    assert f"at least {TRUSTED_MIN_ID_LENGTH} characters" in caught.value.message
    assert await store.get(short) is None  # nothing was created
    assert await refused(TRUSTED.authorize(store, short, None)) is ErrorCode.INVALID_QUERY
    assert (await TRUSTED.open(store, "x" * TRUSTED_MIN_ID_LENGTH, None)).created


async def test_trusted_mode_keeps_ids_apart(store):
    one, two = str(uuid.uuid4()), str(uuid.uuid4())
    a, b = await TRUSTED.open(store, one, None), await TRUSTED.open(store, two, None)
    assert a.record.id == one and b.record.id == two
    assert await refused(TRUSTED.authorize(store, str(uuid.uuid4()), None)) is ErrorCode.NOT_FOUND


async def test_two_first_requests_with_one_new_id_share_the_session_in_trusted_mode(store):
    session_id = str(uuid.uuid4())
    opened = await asyncio.gather(*(TRUSTED.open(store, session_id, None) for _ in range(5)))
    assert {o.id for o in opened} == {session_id}
    assert sum(o.created for o in opened) == 1


async def test_a_deferred_new_session_is_stored_only_when_persisted(store):
    session_id = str(uuid.uuid4())
    first = await TRUSTED.open(store, session_id, None, defer=True)
    second = await TRUSTED.open(store, session_id, None, defer=True)
    assert first.pending and second.pending and await store.get(session_id) is None
    stored = await TRUSTED.persist(store, first)
    assert stored.created and not stored.pending
    joined = await TRUSTED.persist(store, second)  # the id alone lets the second one in
    assert joined.id == session_id and not joined.created


async def test_in_token_mode_the_second_of_two_racing_creations_is_refused(store):
    first = await TOKEN.open(store, "session-C", None, defer=True)
    second = await TOKEN.open(store, "session-C", None, defer=True)
    await TOKEN.persist(store, first)
    assert await refused(TOKEN.persist(store, second)) is ErrorCode.FORBIDDEN
