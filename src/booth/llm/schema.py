"""Structured outputs: a pydantic model as an OpenAI `response_format`, and checking the answer."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, TypeVar

from openai.lib._pydantic import to_strict_json_schema
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


# Constraints that some OpenAI-compatible servers reject in a schema. The schema tells the model
# the shape; booth checks these limits itself when it validates the answer with pydantic.
CHECKED_BY_BOOTH = frozenset(
    {"minLength", "maxLength", "minItems", "maxItems", "minimum", "maximum", "default"}
)


def portable(schema: Any) -> Any:
    """The schema without the constraints in CHECKED_BY_BOOTH (property names are kept)."""
    if isinstance(schema, dict):
        return {
            key: (
                {name: portable(sub) for name, sub in value.items()}
                if key in ("properties", "$defs")
                else portable(value)
            )
            for key, value in schema.items()
            if key not in CHECKED_BY_BOOTH
        }
    if isinstance(schema, list):
        return [portable(item) for item in schema]
    return schema


@lru_cache(maxsize=64)
def response_format(model: type[BaseModel]) -> dict[str, Any]:
    """`{"type": "json_schema", ...}` with the SDK's strict form of the model's schema.

    The SDK's converter is the one `client.chat.completions.parse` uses (every property
    required, no extra properties); the limits only booth enforces are left out, so OpenAI,
    Gemini, Ollama and vLLM all accept it. Cached per model class (callers must not mutate it).
    """
    return {
        "type": "json_schema",
        "json_schema": {
            "name": model.__name__,
            "schema": portable(to_strict_json_schema(model)),
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
