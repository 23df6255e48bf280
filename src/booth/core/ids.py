"""Session ids and session tokens.

An id names a session; a token proves the caller owns it. Ids may be chosen by clients (the seed
clients send their own), so the id alone grants nothing: every read or extension of an existing
session needs the token, which is minted once, returned once, and stored only as a hash.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid

SESSION_ID_PATTERN = re.compile(r"[A-Za-z0-9_.:-]{8,128}")
SESSION_ID_RULE = "8-128 characters of letters, digits and _ . : -"


def new_session_id() -> str:
    return str(uuid.uuid4())


def new_run_id() -> str:
    return "run_" + uuid.uuid4().hex


def is_valid_session_id(value: str) -> bool:
    """The whole value matches (`$` would also accept a trailing newline)."""
    return SESSION_ID_PATTERN.fullmatch(value) is not None


def new_token() -> str:
    """32 random bytes, URL-safe."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(token: str | None, token_hash: str) -> bool:
    """Constant-time comparison of a presented token with a stored hash."""
    if not token:
        return False
    return hmac.compare_digest(hash_token(token), token_hash)
