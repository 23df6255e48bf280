"""Helpers for Fit Check tests: reading a stream over HTTP and checking its event order."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import httpx
from httpx_sse import aconnect_sse

from booth.apps.fitcheck.models import PHASES

STREAM = "/api/fit-check/stream"

# The phases a stream may show: the reranker may send research back twice (three attempts in
# all); a rejected query goes straight to the answer; INSUFFICIENT_DATA skips the analysis.
_P = {name: f"<{name}>" for name in PHASES}
PHASE_ORDER = re.compile(
    rf"^{_P['connecting']}"
    rf"(?:(?:{_P['deep_research']}{_P['research_reranker']}){{1,3}}"
    rf"(?:{_P['content_enrich']}{_P['skeptical_comparison']}{_P['skills_matching']}"
    rf"{_P['confidence_reranker']})?)?"
    rf"{_P['generate_results']}$"
)


@dataclass
class Stream:
    status_code: int
    headers: dict[str, str]
    events: list[tuple[int, str, dict]] = field(default_factory=list)

    def of(self, kind: str) -> list[dict]:
        return [data for _, event, data in self.events if event == kind]

    @property
    def result(self) -> dict:
        (result,) = self.of("result")
        return result

    @property
    def answer(self) -> str:
        return "".join(chunk["chunk"] for chunk in self.of("response"))

    @property
    def raw(self) -> str:
        return "\n".join(json.dumps(data) for _, _, data in self.events)


async def read_stream(client: httpx.AsyncClient, body: dict, headers: dict | None = None) -> Stream:
    """POST a fit check and read its whole event stream."""
    async with aconnect_sse(client, "POST", STREAM, json=body, headers=headers or {}) as source:
        stream = Stream(source.response.status_code, dict(source.response.headers))
        async for sse in source.aiter_sse():
            if not sse.data:  # a heartbeat comment (httpx-sse yields it as an empty event)
                continue
            stream.events.append((int(sse.id), sse.event, json.loads(sse.data)))
    return stream


def check_order(stream: Stream) -> None:
    """The contract's order: status first; each phase opened then completed, in the pipeline's
    order, with progress statuses between; thoughts inside their phase with increasing steps;
    response, result, complete last."""
    events = stream.events
    assert [seq for seq, _, _ in events] == list(range(1, len(events) + 1)), "ids are gap-free"
    assert events[0][1] == "status"
    assert [e for _, e, _ in events[-2:]] == ["result", "complete"]
    open_phase = None
    sequence = []
    steps = []
    for _, kind, data in events[1:-2]:
        if kind == "phase":
            assert open_phase is None, f"{data['phase']} opened inside {open_phase}"
            open_phase = data["phase"]
            sequence.append(open_phase)
        elif kind == "phase_complete":
            assert data["phase"] == open_phase
            assert isinstance(data["data"], dict) and data["duration_ms"] >= 0
            open_phase = None
        elif kind == "thought":
            assert data["phase"] == open_phase, "a thought belongs to the open phase"
            assert data["type"] in {"tool_call", "observation", "reasoning"}
            steps.append(data["step"])
        elif kind == "response":
            assert open_phase == "generate_results"
        elif kind == "status":
            if data["status"] == "degraded":
                assert data["upstream"], "a degraded status names its upstream"
            else:  # the seed's progress values, between phases
                assert open_phase is None, f"status inside {open_phase}"
                assert data["status"] in {"researching", "analyzing", "generating"}
        else:
            raise AssertionError(f"unexpected {kind} event mid-stream")
    assert open_phase is None
    assert steps == sorted(set(steps)), "thought steps are unique and increasing"
    assert PHASE_ORDER.match("".join(f"<{p}>" for p in sequence)), sequence
