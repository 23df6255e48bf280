"""Event types and their Server-Sent Events wire format.

One event is one SSE message: `id: <seq>` (per run, gap-free from 1), `event: <type>` and a single
`data:` line of compact JSON. Keeping the JSON on one line means any SSE parser, however naive,
reads the payload whole.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

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
    seq: int
    type: EventType
    data: dict[str, Any]

    @property
    def terminal(self) -> bool:
        return self.type in TERMINAL

    def payload(self) -> AnyPayload:
        """The typed payload (see `booth.core.payloads`); narrow it with `isinstance`."""
        return parse_payload(self.type, self.data)

    @classmethod
    def of(cls, seq: int, type_: EventType, payload: AnyPayload) -> Event:
        return cls(seq, type_, payload.wire())

    def json_data(self) -> str:
        return dumps(self.data)

    def encode(self) -> str:
        """The SSE message for this event, blank line included."""
        return f"id: {self.seq}\nevent: {self.type.value}\ndata: {self.json_data()}\n\n"

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "type": self.type.value, "data": self.data}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Event:
        return cls(seq=int(raw["seq"]), type=EventType(raw["type"]), data=raw["data"])


def dumps(data: Any) -> str:
    """Compact single-line JSON (json escapes newlines inside strings)."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str)
