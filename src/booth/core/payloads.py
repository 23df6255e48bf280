"""The payload of each event type, as a pydantic model: the one contract emitters and readers share.

The runtime, `RunContext` and every reader (the UI, the CLI, the client, the apps' JSON
endpoints) go through these models, so a key is spelt in one place. `wire()` is the JSON object an
event's `data:` line carries; optional fields that are unset are left out, as they always were.
Readers parse with `parse_payload`, which ignores keys it does not know (a newer server may send
more), so old readers keep working.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, RootModel

from booth.core.errors import BoothError, ErrorCode

ThoughtKind = Literal["tool_call", "observation", "reasoning"]
M = TypeVar("M", bound=BaseModel)


class Payload(BaseModel):
    """Base of the event payloads: `wire()` drops optional fields that are unset (None)."""

    model_config = ConfigDict(frozen=True)
    omit_if_none: ClassVar[frozenset[str]] = frozenset()

    def wire(self) -> dict[str, Any]:
        data = self.model_dump(mode="json")
        return {k: v for k, v in data.items() if v is not None or k not in self.omit_if_none}

    def wire_json(self) -> bytes:
        """`wire()` as compact JSON, byte for byte, written from the model without the dict."""
        unset = {name for name in self.omit_if_none if getattr(self, name, None) is None}
        return self.__pydantic_serializer__.to_json(self, exclude=unset or None)


class StatusPayload(Payload):
    """`status`: the run's state; the first one names the run and the session.

    Extra fields are allowed: apps and upstream checks add their own (a `degraded` status names
    the upstreams that are down).
    """

    model_config = ConfigDict(frozen=True, extra="allow")
    omit_if_none = frozenset({"run_id", "session_id", "session_token"})

    status: str
    message: str
    run_id: str | None = None
    session_id: str | None = None
    session_token: str | None = None

    @property
    def extra(self) -> dict[str, Any]:
        """The fields beyond the declared ones."""
        return dict(self.model_extra or {})


class PhasePayload(Payload):
    """`phase`: a phase of the pipeline has begun."""

    phase: str
    message: str


class PhaseCompletePayload(Payload):
    """`phase_complete`: a phase is done; `data` is the phase's own structured summary."""

    phase: str
    summary: str
    data: dict[str, Any] = {}
    duration_ms: int = 0


class ThoughtPayload(Payload):
    """`thought`: one reasoning step; `step` is unique and increasing within a run."""

    omit_if_none = frozenset({"tool", "input", "content"})

    step: int
    type: ThoughtKind
    phase: str
    tool: str | None = None
    input: Any = None
    content: str | None = None


class ResponsePayload(Payload):
    """`response`: a chunk of the streamed text of the final answer."""

    chunk: str


class ResultPayload(RootModel[dict[str, Any]]):
    """`result`: the app's structured result, whatever its model; read it with `as_model`."""

    model_config = ConfigDict(frozen=True)

    @classmethod
    def of(cls, result: BaseModel | dict[str, Any]) -> ResultPayload:
        if isinstance(result, BaseModel):
            return cls(result.model_dump(mode="json"))
        return cls(dict(result))

    def wire(self) -> dict[str, Any]:
        dumped: dict[str, Any] = self.model_dump(mode="json")
        return dumped

    def wire_json(self) -> bytes:
        """`wire()` as compact JSON, written from the model."""
        return self.__pydantic_serializer__.to_json(self)

    def as_model(self, model: type[M]) -> M:
        return model.model_validate(self.root)


class CompletePayload(Payload):
    """`complete`: the run ended well."""

    duration_ms: int


class ErrorPayload(Payload):
    """`error`: the run ended with a `BoothError`; `to_error()` gives it back."""

    omit_if_none = frozenset({"retry_after"})

    code: ErrorCode
    message: str
    retryable: bool
    retry_after: float | None = None

    @classmethod
    def of(cls, error: BoothError) -> ErrorPayload:
        return cls(
            code=error.code,
            message=error.message,
            retryable=error.retryable,
            retry_after=error.retry_after,
        )

    def to_error(self) -> BoothError:
        return BoothError(
            self.code, self.message, retryable=self.retryable, retry_after=self.retry_after
        )


AnyPayload = (
    StatusPayload
    | PhasePayload
    | PhaseCompletePayload
    | ThoughtPayload
    | ResponsePayload
    | ResultPayload
    | CompletePayload
    | ErrorPayload
)

PAYLOADS: dict[str, type[AnyPayload]] = {
    "status": StatusPayload,
    "phase": PhasePayload,
    "phase_complete": PhaseCompletePayload,
    "thought": ThoughtPayload,
    "response": ResponsePayload,
    "result": ResultPayload,
    "complete": CompletePayload,
    "error": ErrorPayload,
}


def parse_payload(type_: str, data: dict[str, Any]) -> AnyPayload:
    """The typed payload of an event of type `type_` (a pydantic ValidationError if malformed)."""
    return PAYLOADS[str(type_)].model_validate(data)
