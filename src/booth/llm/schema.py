"""Structured outputs: a pydantic model as an OpenAI `response_format`, and checking the answer."""

from __future__ import annotations

from typing import Any, TypeVar

from openai.lib._pydantic import to_strict_json_schema
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


def response_format(model: type[BaseModel]) -> dict[str, Any]:
    """`{"type": "json_schema", ...}` with the SDK's strict form of the model's schema.

    The SDK's converter is the one `client.chat.completions.parse` uses, so what booth sends is
    what OpenAI's strict mode accepts (every property required, no extra properties).
    """
    return {
        "type": "json_schema",
        "json_schema": {
            "name": model.__name__,
            "schema": to_strict_json_schema(model),
            "strict": True,
        },
    }


def parse_answer(model: type[M], content: str | None) -> M:
    """The answer validated by the model class; raises ValueError with a short reason."""
    if not content:
        raise ValueError("the answer was empty")
    text = content.strip()
    if text.startswith("```"):  # some servers wrap JSON in a fence despite the schema
        text = text.strip("`").removeprefix("json").strip()
    try:
        return model.model_validate_json(text)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'answer'}: {e['msg']}"
            for e in exc.errors()[:5]
        )
        raise ValueError(problems) from None
