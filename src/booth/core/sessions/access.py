"""Who may use a session: resolving the id a request names and checking what authorises it.

Resolution order: the body's `session_id`, then the `X-Session-ID` header, then a fresh id.
A session that does not exist yet is created (its token minted and returned once).

Two modes (`BOOTH_SESSION_AUTH`):
- `token` (default): an existing session is only used with its token, so a guessed or leaked id
  gives nothing.
- `trusted`: for a backend that only a trusted frontend server reaches and that keeps its ids
  server-side (BeatDebate's Gradio app holds a uuid4 per browser tab). The id alone authorises,
  so it must be unguessable: at least `TRUSTED_MIN_ID_LENGTH` characters of the id alphabet.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

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

# 22 characters of a 64-symbol alphabet carry ~128 bits when random; a uuid4 (36) qualifies.
TRUSTED_MIN_ID_LENGTH = 22
FORBIDDEN_MESSAGE = "This session belongs to someone else: send its X-Session-Token."


class SessionAuth(StrEnum):
    TOKEN = "token"
    TRUSTED = "trusted"


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


@dataclass(frozen=True)
class SessionAccess:
    """The mode's rules for naming, opening and reading sessions; one per server."""

    mode: SessionAuth = SessionAuth.TOKEN

    @property
    def trusted(self) -> bool:
        return self.mode is SessionAuth.TRUSTED

    def check_id(self, session_id: str) -> None:
        """A 422 for an id this mode does not accept (format; length in trusted mode)."""
        if not is_valid_session_id(session_id):
            raise BoothError(ErrorCode.INVALID_QUERY, f"Invalid session id: use {SESSION_ID_RULE}.")
        if self.trusted and len(session_id) < TRUSTED_MIN_ID_LENGTH:
            raise BoothError(
                ErrorCode.INVALID_QUERY,
                f"Session id too short for trusted session mode: the id alone authorises, so it "
                f"must be unguessable - at least {TRUSTED_MIN_ID_LENGTH} characters (a uuid4 "
                f"qualifies); this one has {len(session_id)}.",
            )

    def permits(self, record: SessionRecord, token: str | None) -> bool:
        return self.trusted or token_matches(token, record.token_hash)

    async def open(
        self, store: SessionStore, session_id: str | None, token: str | None, *, defer: bool = False
    ) -> OpenedSession:
        """Use an existing session (if this mode permits) or create it (token minted).

        With `defer`, a new session is only described (`pending`): `persist` stores it once its
        run has been admitted, so a request turned away creates nothing.
        """
        if session_id is not None:
            self.check_id(session_id)
            record = await store.get(session_id)
            if record is not None:
                return await self._reuse(store, record, token)
        minted = new_token()
        now = store.clock()
        record = SessionRecord(session_id or new_session_id(), hash_token(minted), now, now)
        opened = OpenedSession(record, minted, pending=True)
        return opened if defer else await self.persist(store, opened, token)

    async def persist(
        self, store: SessionStore, opened: OpenedSession, token: str | None = None
    ) -> OpenedSession:
        """Store a pending session. If a concurrent request created that id a moment ago, it is
        theirs (FORBIDDEN) - unless this mode lets the id alone use it."""
        if not opened.pending:
            return opened
        try:
            record = await store.create(opened.id, opened.record.token_hash)
        except SessionExists:
            existing = await store.get(opened.id)
            if existing is None:
                raise BoothError(ErrorCode.FORBIDDEN, FORBIDDEN_MESSAGE) from None
            return await self._reuse(store, existing, token)
        return OpenedSession(record, opened.minted_token)

    async def _reuse(
        self, store: SessionStore, record: SessionRecord, token: str | None
    ) -> OpenedSession:
        if not self.permits(record, token):
            raise BoothError(ErrorCode.FORBIDDEN, FORBIDDEN_MESSAGE)
        await store.touch(record.id)
        return OpenedSession(record, None)

    async def authorize(
        self, store: SessionStore, session_id: str, token: str | None
    ) -> SessionRecord:
        """An existing session, for reads (history, context, runs); 404 or 403 otherwise."""
        self.check_id(session_id)
        record = await store.get(session_id)
        if record is None:
            raise BoothError(ErrorCode.NOT_FOUND, "No such session (it may have expired).")
        if not self.permits(record, token):
            raise BoothError(ErrorCode.FORBIDDEN, FORBIDDEN_MESSAGE)
        return record


TOKEN_ACCESS = SessionAccess()


async def open_session(
    store: SessionStore,
    session_id: str | None,
    token: str | None,
    *,
    defer: bool = False,
    access: SessionAccess = TOKEN_ACCESS,
) -> OpenedSession:
    """Use an existing session or create it, under `access`'s rules (token mode by default)."""
    return await access.open(store, session_id, token, defer=defer)


async def persist(
    store: SessionStore, opened: OpenedSession, access: SessionAccess = TOKEN_ACCESS
) -> OpenedSession:
    """Store a pending session, under `access`'s rules (token mode by default)."""
    return await access.persist(store, opened)


async def authorize(
    store: SessionStore,
    session_id: str,
    token: str | None,
    access: SessionAccess = TOKEN_ACCESS,
) -> SessionRecord:
    """An existing session for a read, under `access`'s rules (token mode by default)."""
    return await access.authorize(store, session_id, token)
