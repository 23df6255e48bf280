"""The base of every request body, and the session-id field every app's requests share.

Request bodies are strict: JSON `0` is not `false` and `"5"` is not `5`, so what a body may
hold is exactly what the OpenAPI schema says. A session id is checked whole against the one
rule (`core.ids`), and the schema carries that rule as a pattern.
"""

from __future__ import annotations

from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from fastapi import Path
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from booth.core.ids import SESSION_ID_PATTERN, SESSION_ID_RULE, is_valid_session_id

# JSON Schema (ECMA) and pydantic (Rust regex) both read `$` as the very end of the text.
SESSION_ID_REGEX = f"^{SESSION_ID_PATTERN.pattern}$"


class RequestBody(BaseModel):
    """A JSON request body: strict types, unknown fields ignored (older clients send extras).

    One allowance, JSON's own: a number without a fraction (`10.0`) is an integer.
    """

    model_config = ConfigDict(strict=True, extra="ignore")

    @field_validator("*", mode="before")
    @classmethod
    def _integral_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, float) and value.is_integer() and info.field_name is not None:
            if _takes_int(cls.model_fields[info.field_name].annotation):
                return int(value)
        return value


def _takes_int(annotation: Any) -> bool:
    options = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else ()
    return annotation is int or (int in options and float not in options)


def _session_id(value: str | None) -> str | None:
    if value and not is_valid_session_id(value):
        raise ValueError(f"Invalid session id: use {SESSION_ID_RULE}")
    return value


# The rule is checked by `is_valid_session_id` (one message everywhere); the schema says it too.
# A body's optional `session_id` (default it to None): absent or "" means "mint one".
OptionalSessionId = Annotated[
    str | None,
    AfterValidator(_session_id),
    Field(
        json_schema_extra={"pattern": f"^({SESSION_ID_PATTERN.pattern})?$"},
        description=f"Session id ({SESSION_ID_RULE}); minted when absent",
    ),
]

# A required `session_id`, in a body.
SessionId = Annotated[
    str,
    AfterValidator(_session_id),
    Field(
        min_length=1, json_schema_extra={"pattern": SESSION_ID_REGEX}, description=SESSION_ID_RULE
    ),
]

# A `{session_id}` path parameter (checked, with the same message, where the session is read).
SessionIdPath = Annotated[
    str, Path(json_schema_extra={"pattern": SESSION_ID_REGEX}, description=SESSION_ID_RULE)
]
