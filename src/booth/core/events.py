"""Event types and their Server-Sent Events wire format.

One event is one SSE message: `id: <seq>` (per run, gap-free from 1), `event: <type>` and a single
`data:` line of compact JSON. Keeping the JSON on one line means any SSE parser, however naive,
reads the payload whole.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import pydantic_core

from booth.core.payloads import AnyPayload, parse_payload


class EventType(StrEnum):
    STATUS = "status"
    PHASE = "phase"
    PHASE_COMPLETE = "phase_complete"
    THOUGHT = "thought"
    RESPONSE = "response"
    RESULT = "result"
    COMPLETE = "complete"
    ERROR = "error"


TERMINAL = frozenset({EventType.COMPLETE, EventType.ERROR})


class Event:
    """One event of a run: its number, its type and its payload.

    It is made from a typed payload (what a run emits), from a JSON object, or from the JSON a
    log stored; each other form is made from it on first use and kept. A run's events go to the
    log and to every live reader as SSE bytes written straight from the payload model, so the
    JSON object (`data`) is built only for an in-process reader that asks for it.
    """

    __slots__ = ("seq", "type", "_data", "_payload", "_json", "_sse")

    def __init__(
        self,
        seq: int,
        type: EventType,
        data: dict[str, Any] | None = None,
        *,
        payload: AnyPayload | None = None,
        raw_json: bytes | None = None,
    ) -> None:
        if data is None and payload is None and raw_json is None:
            raise ValueError("an event needs its data, its payload or its JSON")
        self.seq = seq
        self.type = type
        self._data = data
        self._payload = payload
        self._json = raw_json
        self._sse: bytes | None = None

    @classmethod
    def of(cls, seq: int, type_: EventType, payload: AnyPayload) -> Event:
        return cls(seq, type_, payload=payload)

    @classmethod
    def stored(cls, seq: int, type_: EventType, raw_json: bytes) -> Event:
        """An event read back from a log, which keeps the JSON it was stored as."""
        return cls(seq, type_, raw_json=raw_json)

    @property
    def terminal(self) -> bool:
        return self.type in TERMINAL

    @property
    def data(self) -> dict[str, Any]:
        """The `data:` line's JSON object."""
        if self._data is None:
            if self._payload is not None:
                self._data = self._payload.wire()
            else:
                assert self._json is not None
                self._data = pydantic_core.from_json(self._json)
        return self._data

    def payload(self) -> AnyPayload:
        """The typed payload (see `booth.core.payloads`); narrow it with `isinstance`."""
        if self._payload is None:
            self._payload = parse_payload(self.type, self.data)
        return self._payload

    def json_bytes(self) -> bytes:
        """The `data:` line's JSON, compact and on one line."""
        if self._json is None:
            if self._data is None and self._payload is not None:
                self._json = self._payload.wire_json()
            else:
                self._json = dumps_bytes(self.data)
        return self._json

    def json_data(self) -> str:
        return self.json_bytes().decode("utf-8")

    def sse(self) -> bytes:
        """The SSE message for this event, blank line included, as UTF-8."""
        if self._sse is None:
            self._sse = SSE_MESSAGE % (self.seq, _TYPE_BYTES[self.type], self.json_bytes())
            if self._payload is not None or self._data is not None:
                self._json = None  # the message holds it; the JSON can be made again if asked
        return self._sse

    def encode(self) -> str:
        """The SSE message for this event, blank line included."""
        return self.sse().decode("utf-8")

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "type": self.type.value, "data": self.data}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Event:
        return cls(seq=int(raw["seq"]), type=EventType(raw["type"]), data=raw["data"])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Event):
            return NotImplemented
        return (self.seq, self.type, self.data) == (other.seq, other.type, other.data)

    __hash__ = None  # type: ignore[assignment]  # mutable caches: events are not dict keys

    def __repr__(self) -> str:
        return f"Event(seq={self.seq}, type={self.type.value}, data={self.data!r})"


SSE_MESSAGE = b"id: %d\nevent: %b\ndata: %b\n\n"
_TYPE_BYTES = {kind: kind.value.encode() for kind in EventType}


def dumps_bytes(data: Any) -> bytes:
    """Compact single-line JSON as UTF-8 (newlines inside strings are escaped); what the
    standard library's `json.dumps(data, separators=(",", ":"), ensure_ascii=False)` writes, at
    a tenth of its cost. A value JSON cannot hold is written as its `str()`."""
    return pydantic_core.to_json(data, fallback=str)


def dumps(data: Any) -> str:
    """`dumps_bytes`, as text."""
    return dumps_bytes(data).decode("utf-8")
