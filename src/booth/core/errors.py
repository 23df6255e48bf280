"""The one error type booth raises on purpose, and its closed set of codes.

Every failure a client can see carries a code from `ErrorCode`, a human message and whether a
retry may help. HTTP handlers turn a `BoothError` into a JSON 4xx/5xx; a run turns it into the
stream's terminal `error` event.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

STORE_RETRY_AFTER = 2.0  # seconds a client should wait after the store failed


class ErrorCode(StrEnum):
    INVALID_QUERY = "INVALID_QUERY"
    RATE_LIMITED = "RATE_LIMITED"
    BUSY = "BUSY"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    UPSTREAM_UNAVAILABLE = "UPSTREAM_UNAVAILABLE"
    SEARCH_ERROR = "SEARCH_ERROR"
    LLM_ERROR = "LLM_ERROR"
    PIPELINE_ERROR = "PIPELINE_ERROR"
    TIMEOUT = "TIMEOUT"
    CANCELLED = "CANCELLED"
    SHUTTING_DOWN = "SHUTTING_DOWN"
    INTERNAL = "INTERNAL"


HTTP_STATUS = {
    ErrorCode.INVALID_QUERY: 422,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.BUSY: 409,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.UPSTREAM_UNAVAILABLE: 503,
    ErrorCode.SEARCH_ERROR: 502,
    ErrorCode.LLM_ERROR: 502,
    ErrorCode.PIPELINE_ERROR: 500,
    ErrorCode.TIMEOUT: 504,
    ErrorCode.CANCELLED: 499,
    ErrorCode.SHUTTING_DOWN: 503,
    ErrorCode.INTERNAL: 500,
}

RETRYABLE = {
    ErrorCode.RATE_LIMITED,
    ErrorCode.BUSY,
    ErrorCode.UPSTREAM_UNAVAILABLE,
    ErrorCode.SEARCH_ERROR,
    ErrorCode.LLM_ERROR,
    ErrorCode.TIMEOUT,
    ErrorCode.SHUTTING_DOWN,
}


class BoothError(Exception):
    """A failure with a code from the closed enum; safe to show to the client."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        retryable: bool | None = None,
        retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code = ErrorCode(code)
        self.message = message
        self.retryable = self.code in RETRYABLE if retryable is None else retryable
        self.retry_after = retry_after
        self._status = status

    @property
    def http_status(self) -> int:
        """The code's status, unless the error names its own (a 400 for a malformed header)."""
        return self._status or HTTP_STATUS[self.code]

    def payload(self) -> dict[str, Any]:
        """The body of an `error` event, and the `error` object of an HTTP error response."""
        return {"code": self.code.value, "message": self.message, "retryable": self.retryable}

    def body(self) -> dict[str, Any]:
        """An HTTP error response's body: booth's `error` object plus the seeds' `detail` string."""
        return {"error": self.payload(), "detail": self.message}


def store_unavailable(what: str = "The session store") -> BoothError:
    """The one error for a store that failed or did not answer in time: retry shortly."""
    return BoothError(
        ErrorCode.UPSTREAM_UNAVAILABLE,
        f"{what} is unavailable; retry shortly.",
        retry_after=STORE_RETRY_AFTER,
    )
