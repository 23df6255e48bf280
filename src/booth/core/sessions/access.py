"""Who may use a session: resolving the id a request names and checking its token.

Resolution order: the body's `session_id`, then the `X-Session-ID` header, then a fresh id.
A session that does not exist yet is created and its token minted (returned once). An existing
session is only used with its token, so a guessed or leaked id gives nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from booth.core.errors import BoothError, ErrorCode
from booth.core.ids import (
    SESSION_ID_RULE,
    hash_token,
    is_valid_session_id,
    new_session_id,
    new_token,
    token_matches,
)
from booth.core.sessions.base import SessionExists, SessionRecord, SessionStore


@dataclass(frozen=True)
class OpenedSession:
    record: SessionRecord
    minted_token: str | None  # set only when this request creates the session
    pending: bool = False  # a new session, not in the store until its run is admitted

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def created(self) -> bool:
        return self.minted_token is not None


def resolve_session_id(body_id: str | None, header_id: str | None) -> str | None:
    """The session id a request names, or None; a malformed id is a 422."""
    for candidate in (body_id, header_id):
        if candidate is None or candidate == "":
            continue
        if not is_valid_session_id(candidate):
            raise BoothError(ErrorCode.INVALID_QUERY, f"Invalid session id: use {SESSION_ID_RULE}.")
        return candidate
    return None


FORBIDDEN_MESSAGE = "This session belongs to someone else: send its X-Session-Token."


async def open_session(
    store: SessionStore, session_id: str | None, token: str | None, *, defer: bool = False
) -> OpenedSession:
    """Use an existing session (token required) or create it (token minted).

    With `defer`, a new session is only described (`pending`): `persist` stores it once its
    run has been admitted, so a request turned away creates nothing.
    """
    if session_id is not None:
        record = await store.get(session_id)
        if record is not None:
            if not token_matches(token, record.token_hash):
                raise BoothError(ErrorCode.FORBIDDEN, FORBIDDEN_MESSAGE)
            await store.touch(session_id)
            return OpenedSession(record, None)
    minted = new_token()
    now = store.clock()
    record = SessionRecord(session_id or new_session_id(), hash_token(minted), now, now)
    opened = OpenedSession(record, minted, pending=True)
    return opened if defer else await persist(store, opened)


async def persist(store: SessionStore, opened: OpenedSession) -> OpenedSession:
    """Store a pending session; FORBIDDEN if someone created that id in the meantime."""
    if not opened.pending:
        return opened
    try:
        record = await store.create(opened.id, opened.record.token_hash)
    except SessionExists:  # created by a concurrent request a moment ago: not ours
        raise BoothError(ErrorCode.FORBIDDEN, FORBIDDEN_MESSAGE) from None
    return OpenedSession(record, opened.minted_token)


async def authorize(store: SessionStore, session_id: str, token: str | None) -> SessionRecord:
    """An existing session, for reads (history, context, runs); 404 or 403 otherwise."""
    if not is_valid_session_id(session_id):
        raise BoothError(ErrorCode.INVALID_QUERY, f"Invalid session id: use {SESSION_ID_RULE}.")
    record = await store.get(session_id)
    if record is None:
        raise BoothError(ErrorCode.NOT_FOUND, "No such session (it may have expired).")
    if not token_matches(token, record.token_hash):
        raise BoothError(ErrorCode.FORBIDDEN, FORBIDDEN_MESSAGE)
    return record
