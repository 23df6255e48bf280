"""The typed event payloads: what `RunContext` emits is byte for byte the documented wire format,
and every reader gets it back as a model."""

from __future__ import annotations

import time

import pytest
from pydantic import BaseModel, ValidationError

from booth.core.errors import BoothError, ErrorCode
from booth.core.events import Event, EventType, dumps
from booth.core.payloads import (
    AnyPayload,
    ErrorPayload,
    ResultPayload,
    StatusPayload,
    ThoughtPayload,
    parse_payload,
)
from booth.core.runs import RunContext
from booth.core.sessions.memory import MemorySessionStore


class Captured:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []

    async def __call__(self, type_: EventType, payload: AnyPayload) -> None:
        written = payload.wire_json().decode()  # what a run's event carries on the wire
        assert written == dumps(payload.wire())  # the same bytes as its JSON object gives
        self.lines.append((type_.value, written))


def context(sink: Captured, include_thoughts: bool = True) -> RunContext:
    return RunContext(
        run_id="run_1",
        session_id="session-1",
        app="test",
        sessions=MemorySessionStore(),
        emit=sink,
        deadline=time.monotonic() + 60,
        include_thoughts=include_thoughts,
    )


class Score(BaseModel):
    score: int
    tier: str
    note: str | None = None


async def test_run_context_emits_the_documented_wire_format():
    sink = Captured()
    ctx = context(sink)
    await ctx.status("degraded", "search is down", upstreams=["search"])
    await ctx.phase("connecting", "Reading the query")
    await ctx.phase_complete("connecting", "Acme", {"company": "Acme", "role": None}, 12)
    await ctx.phase_complete("deep_research", "nothing")
    await ctx.thought("tool_call", "deep_research", tool="search", input="acme jobs")
    await ctx.thought("reasoning", "connecting", "a company name")
    await ctx.response("### Acme\n")
    await ctx.result({"score": 80, "tier": "HIGH"})
    await ctx.result(Score(score=10, tier="LOW"))
    assert sink.lines == [
        ("status", '{"status":"degraded","message":"search is down","upstreams":["search"]}'),
        ("phase", '{"phase":"connecting","message":"Reading the query"}'),
        (
            "phase_complete",
            '{"phase":"connecting","summary":"Acme","data":{"company":"Acme","role":null},'
            '"duration_ms":12}',
        ),
        (
            "phase_complete",
            '{"phase":"deep_research","summary":"nothing","data":{},"duration_ms":0}',
        ),
        (
            "thought",
            '{"step":1,"type":"tool_call","phase":"deep_research","tool":"search",'
            '"input":"acme jobs"}',
        ),
        (
            "thought",
            '{"step":2,"type":"reasoning","phase":"connecting","content":"a company name"}',
        ),
        ("response", '{"chunk":"### Acme\\n"}'),
        ("result", '{"score":80,"tier":"HIGH"}'),
        ("result", '{"score":10,"tier":"LOW","note":null}'),
    ]


async def test_thoughts_are_dropped_when_the_client_asked_for_none():
    sink = Captured()
    await context(sink, include_thoughts=False).thought("reasoning", "connecting", "hidden")
    assert sink.lines == []


def test_every_event_type_has_a_payload_model():
    samples = {
        EventType.STATUS: {"status": "started", "message": "m", "run_id": "r", "session_id": "s"},
        EventType.PHASE: {"phase": "p", "message": "m"},
        EventType.PHASE_COMPLETE: {"phase": "p", "summary": "s", "data": {}, "duration_ms": 1},
        EventType.THOUGHT: {"step": 1, "type": "observation", "phase": "p", "content": "c"},
        EventType.RESPONSE: {"chunk": "c"},
        EventType.RESULT: {"anything": [1, 2]},
        EventType.COMPLETE: {"duration_ms": 5},
        EventType.ERROR: {"code": "TIMEOUT", "message": "m", "retryable": True},
    }
    assert set(samples) == set(EventType)
    for type_, data in samples.items():
        payload = Event(1, type_, data).payload()
        assert payload.wire() == data, type_


def test_readers_ignore_keys_they_do_not_know_but_reject_missing_ones():
    phase = parse_payload("phase", {"phase": "p", "message": "m", "added_later": 1})
    assert phase.wire() == {"phase": "p", "message": "m"}
    with pytest.raises(ValidationError):
        parse_payload("phase_complete", {"summary": "no phase"})
    with pytest.raises(ValidationError):
        parse_payload("thought", {"step": 1, "type": "daydream", "phase": "p"})


def test_status_keeps_the_fields_apps_add():
    status = StatusPayload.model_validate(
        {"status": "started", "message": "m", "model_id": "x", "run_id": "r"}
    )
    assert status.extra == {"model_id": "x"}
    assert status.session_token is None and "session_token" not in status.wire()


def test_an_error_payload_round_trips_to_the_booth_error():
    error = BoothError(ErrorCode.UPSTREAM_UNAVAILABLE, "store down")
    payload = ErrorPayload.of(error)
    assert payload.wire() == {
        "code": "UPSTREAM_UNAVAILABLE",
        "message": "store down",
        "retryable": True,
    }
    back = payload.to_error()
    assert (back.code, back.message, back.retryable) == (error.code, "store down", True)
    limited = ErrorPayload.of(BoothError(ErrorCode.RATE_LIMITED, "slow", retry_after=2.0))
    assert limited.wire()["retry_after"] == 2.0 and limited.to_error().retry_after == 2.0


def test_a_result_is_read_back_as_the_apps_model():
    result = ResultPayload.of(Score(score=55, tier="MEDIUM"))
    assert result.as_model(Score) == Score(score=55, tier="MEDIUM")
    assert isinstance(parse_payload("result", result.wire()), ResultPayload)


async def test_phase_complete_data_may_be_a_model():
    sink = Captured()
    await context(sink).phase_complete("p", "s", Score(score=1, tier="LOW"), 4)
    assert sink.lines == [
        (
            "phase_complete",
            '{"phase":"p","summary":"s","data":{"score":1,"tier":"LOW","note":null},'
            '"duration_ms":4}',
        )
    ]


def test_thought_input_keeps_its_shape():
    thought = ThoughtPayload(step=1, type="tool_call", phase="p", input={"q": None, "n": [1]})
    assert thought.wire()["input"] == {"q": None, "n": [1]}
