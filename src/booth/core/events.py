"""Event types and their Server-Sent Events wire format.

One event is one SSE message: `id: <seq>` (per run, gap-free from 1), `event: <type>` and a single
`data:` line of compact JSON. Keeping the JSON on one line means any SSE parser, however naive,
reads the payload whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass(frozen=True, slots=True)
class Event:
    """One event of a run. Its JSON and SSE forms are made once, on first use, and kept: the
    same event is written to the log, to every live reader and to the finished run's record."""

    seq: int
    type: EventType
    data: dict[str, Any]
    _json: bytes | None = field(default=None, compare=False, repr=False)
    _sse: bytes | None = field(default=None, compare=False, repr=False)

    @property
    def terminal(self) -> bool:
        return self.type in TERMINAL

    def payload(self) -> AnyPayload:
        """The typed payload (see `booth.core.payloads`); narrow it with `isinstance`."""
        return parse_payload(self.type, self.data)

    @classmethod
    def of(cls, seq: int, type_: EventType, payload: AnyPayload) -> Event:
        return cls(seq, type_, payload.wire())

    @classmethod
    def stored(cls, seq: int, type_: EventType, raw_json: bytes) -> Event:
        """An event read back from a log, which keeps the JSON it was stored as."""
        return cls(seq, type_, pydantic_core.from_json(raw_json), raw_json)

    def json_bytes(self) -> bytes:
        """The `data:` line's JSON, compact and on one line."""
        if self._json is None:
            object.__setattr__(self, "_json", dumps_bytes(self.data))
        assert self._json is not None
        return self._json

    def json_data(self) -> str:
        return self.json_bytes().decode("utf-8")

    def sse(self) -> bytes:
        """The SSE message for this event, blank line included, as UTF-8."""
        if self._sse is None:
            head = f"id: {self.seq}\nevent: {self.type.value}\ndata: ".encode()
            object.__setattr__(self, "_sse", head + self.json_bytes() + b"\n\n")
        assert self._sse is not None
        return self._sse

    def encode(self) -> str:
        """The SSE message for this event, blank line included."""
        return self.sse().decode("utf-8")

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "type": self.type.value, "data": self.data}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Event:
        return cls(seq=int(raw["seq"]), type=EventType(raw["type"]), data=raw["data"])


def dumps_bytes(data: Any) -> bytes:
    """Compact single-line JSON as UTF-8 (newlines inside strings are escaped); what the
    standard library's `json.dumps(data, separators=(",", ":"), ensure_ascii=False)` writes, at
    a tenth of its cost. A value JSON cannot hold is written as its `str()`."""
    return pydantic_core.to_json(data, fallback=str)


def dumps(data: Any) -> str:
    """`dumps_bytes`, as text."""
    return dumps_bytes(data).decode("utf-8")
