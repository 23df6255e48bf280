"""Framework values (messages, pydantic models, dataclasses) as plain JSON for booth's events."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from pydantic import BaseModel

MESSAGE_FIELDS = ("type", "content", "name", "id", "tool_calls", "tool_call_id")


def is_message(value: Any) -> bool:
    """A LangChain message (what LangGraph's message channels hold), by its shape."""
    return isinstance(value, BaseModel) and hasattr(value, "type") and hasattr(value, "content")


def message_text(message: Any) -> str:
    """A message's text: its string content, or the text parts of a multi-part content."""
    content = getattr(message, "content", "")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p.get("text", "") if isinstance(p, dict) else str(p) for p in content]
        return "".join(p for p in parts if isinstance(p, str))
    return str(content)


def jsonable(value: Any) -> Any:
    """A JSON-ready copy of `value`; what JSON cannot hold becomes its `str`."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if is_message(value):
        dumped = value.model_dump(mode="json")
        return {k: dumped[k] for k in MESSAGE_FIELDS if dumped.get(k) not in (None, [], "")}
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return str(value)
    return value


def as_object(value: Any, key: str = "output") -> dict[str, Any]:
    """A JSON object for a `result` event: `value` itself if it is one, else `{key: value}`."""
    data = jsonable(value)
    return data if isinstance(data, dict) else {key: data}
