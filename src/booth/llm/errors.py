"""Why a model call did not give booth an answer it can use.

Both errors mean "take the deterministic path": the caller catches `LLMError`, falls back and
says so (a `degraded` status naming the upstream, an `llm_fallback:<phase>` flag).
"""

from __future__ import annotations


class LLMError(Exception):
    """A model step failed: `upstream` names the breaker, `reason` says why (no secrets)."""

    def __init__(self, upstream: str, reason: str) -> None:
        super().__init__(f"{upstream}: {reason}")
        self.upstream = upstream
        self.reason = reason


class LLMUnavailable(LLMError):
    """The upstream did not answer: breaker open, refused, timed out, 5xx, 429, bad body."""


class LLMInvalidOutput(LLMError):
    """The upstream answered, but not in the schema asked for, even after one repair attempt."""
