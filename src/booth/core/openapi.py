"""What every route documents in the OpenAPI schema: booth's error body and its statuses.

Routes pass one of the response sets below (`responses=...`), so a client generated from the
schema - or schemathesis - knows every status a route can answer and the shape of each.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from booth.core.errors import ErrorCode
from booth.core.events import EventType


class ErrorDetail(BaseModel):
    code: ErrorCode = Field(description="One of booth's closed set of error codes")
    message: str = Field(description="What went wrong, for a human")
    retryable: bool = Field(description="Whether the same request may succeed later")


class ErrorBody(BaseModel):
    """Every 4xx/5xx body: booth's `error` object plus the `detail` string the seeds read."""

    error: ErrorDetail
    detail: str = Field(description="The same message as error.message")


RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "string"}}
}

_DESCRIPTIONS = {
    400: "Malformed request (unparseable body, bad header)",
    403: "The session belongs to someone else: send its X-Session-Token",
    404: "No such resource (it may have expired)",
    409: "The session already has a run in progress",
    413: "The request body is larger than BOOTH_MAX_BODY_BYTES",
    422: "The request is well-formed but invalid (INVALID_QUERY)",
    429: "Too many concurrent runs (RATE_LIMITED)",
    500: "Unexpected server error",
    503: "The store is unavailable, or the server is shutting down",
}
_WITH_RETRY_AFTER = {409, 429, 503}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for these statuses, each with the error body."""
    return {
        status: {
            "model": ErrorBody,
            "description": _DESCRIPTIONS[status],
            **({"headers": RETRY_AFTER} if status in _WITH_RETRY_AFTER else {}),
        }
        for status in statuses
    }


# One Server-Sent Event as a reader parses it: its id, its type and its one JSON data line.
SSE_EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "pattern": "^[0-9]+$"},
        "event": {"type": "string", "enum": [t.value for t in EventType]},
        "data": {"type": "string", "contentMediaType": "application/json"},
    },
    "required": ["id", "event", "data"],
}

SSE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Server-Sent Events, numbered 1, 2, 3 …: status, phase, thought …, then "
        "exactly one complete or error",
        "content": {"text/event-stream": {"schema": SSE_EVENT_SCHEMA}},
    }
}

TEXT_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"description": "Plain text", "content": {"text/plain": {"schema": {"type": "string"}}}}
}

# The Last-Event-ID header (and `after` query parameter) a resuming reader sends.
EVENT_ID_SCHEMA = {"pattern": "^[0-9]*$"}  # empty: from the start

# Every route can fail on the store, or unexpectedly.
ANY = errors(500, 503)
# A route that takes a JSON body.
BODY = errors(400, 413, 422) | ANY
# A route that starts a run on the caller's session.
RUN = errors(403, 409, 429) | BODY
# A route that reads an existing session (or a run of one).
SESSION_READ = errors(403, 404, 422) | ANY

STREAM = SSE_RESPONSE | RUN
