"""Serving a compiled LangGraph graph on booth's runtime.

The graph runs with booth's checkpointer (checkpointer.py) on the host's session store and the
session id as its thread id, so a follow-up on a session continues that thread and no other. Its
stream (`astream` with the custom, messages, updates and values modes) becomes booth's events:

| LangGraph                                   | booth                                        |
|---------------------------------------------|----------------------------------------------|
| custom: a dict with a `phase` key           | `phase` (its `message`)                      |
| custom: anything else                       | `thought` (type from a `type` key, else reasoning) |
| messages: an AI message or chunk's text     | `response` chunk                             |
| messages: an AI message's tool calls        | `thought` tool_call                          |
| messages: a tool message                    | `thought` observation                        |
| updates: one node's update                  | `phase_complete` (phase = the node; summary = |
|                                             | the update's `summary` text, if it has one)  |
| values: the final state                     | `result`                                     |
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field

from booth.agents.app import BoothApp
from booth.agents.checkpointer import SessionCheckpointer
from booth.agents.jsonable import as_object, jsonable, message_text
from booth.core.errors import BoothError, ErrorCode
from booth.core.runs import Pipeline, RunContext
from booth.core.text import UserText

if TYPE_CHECKING:
    from booth.config import Settings
    from booth.core.host import Host

STREAM_MODES = ["custom", "messages", "updates", "values"]
MAX_TEXT_CHARS = 32_000
GraphText = Annotated[UserText, Field(min_length=1, max_length=MAX_TEXT_CHARS)]
THOUGHT_TYPES = frozenset({"tool_call", "observation", "reasoning"})
DEFAULT_PHASE = "graph"
MESSAGES = "messages"


def input_keys(graph: Any) -> list[str] | None:
    """The state keys a StateGraph's input may set (None: the graph does not say)."""
    builder = getattr(graph, "builder", None)
    schemas = getattr(builder, "schemas", None)
    schema = getattr(builder, "input_schema", None)
    if not isinstance(schemas, dict) or schema not in schemas:
        return None
    return list(schemas[schema])


class GraphStream:
    """Turns one run's LangGraph stream items into events on its context."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self.phase = DEFAULT_PHASE
        self.final: Any = None
        self._since = time.monotonic()

    async def item(self, mode: str, chunk: Any) -> None:
        await self.ctx.checkpoint()
        if mode == "custom":
            await self.custom(chunk)
        elif mode == "messages":
            message, metadata = chunk
            await self.message(message, metadata)
        elif mode == "updates":
            await self.updates(chunk)
        elif mode == "values":
            self.final = chunk

    async def custom(self, chunk: Any) -> None:
        if isinstance(chunk, dict) and "phase" in chunk:
            self.phase = str(chunk["phase"])
            await self.ctx.phase(self.phase, str(chunk.get("message", "")))
            return
        if isinstance(chunk, dict):
            kind = chunk.get("type")
            await self.ctx.thought(
                kind if kind in THOUGHT_TYPES else "reasoning",
                str(chunk.get("phase", self.phase)),
                _text(chunk.get("content")),
                tool=chunk.get("tool"),
                input=jsonable(chunk.get("input")),
            )
            return
        await self.ctx.thought("reasoning", self.phase, _text(chunk))

    async def message(self, message: Any, metadata: dict[str, Any]) -> None:
        node = metadata.get("langgraph_node") if isinstance(metadata, dict) else None
        phase = str(node or self.phase)
        kind = getattr(message, "type", "")
        if kind in ("ai", "AIMessageChunk"):
            for call in getattr(message, "tool_calls", None) or []:
                await self.ctx.thought(
                    "tool_call", phase, tool=call.get("name"), input=jsonable(call.get("args"))
                )
            text = message_text(message)
            if text:
                await self.ctx.response(text)
        elif kind == "tool":
            await self.ctx.thought(
                "observation", phase, message_text(message), tool=getattr(message, "name", None)
            )

    async def updates(self, chunk: Any) -> None:
        if not isinstance(chunk, dict):
            return
        for node, update in chunk.items():
            now = time.monotonic()
            duration = int((now - self._since) * 1000)
            self._since = now
            if node == "__interrupt__":
                await self.ctx.thought("observation", self.phase, _text(update))
                continue
            data = as_object(update, "update") if update is not None else {}
            summary = data.get("summary")
            if not isinstance(summary, str):
                summary = f"{node} updated {', '.join(data) or 'nothing'}"
            await self.ctx.phase_complete(str(node), summary, data, duration)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(jsonable(value))


@dataclass
class LangGraphAgent:
    """A compiled graph (already given booth's checkpointer) as a `HostedAgent`."""

    graph: Any
    kind: str = "langgraph"

    def __post_init__(self) -> None:
        self.keys = input_keys(self.graph)
        takes_text = self.keys is None or MESSAGES in self.keys
        self.input_type: Any = GraphText | dict[str, Any] if takes_text else dict[str, Any]

    def state_input(self, input: Any) -> dict[str, Any]:
        """The graph's input: an object of state keys, or a text as one user message."""
        if isinstance(input, str):
            return {MESSAGES: [{"role": "user", "content": input}]}
        unknown = sorted(set(input) - set(self.keys)) if self.keys is not None else []
        if unknown:
            raise BoothError(
                ErrorCode.INVALID_QUERY,
                f"input has keys the graph does not take: {', '.join(unknown)}; "
                f"it takes: {', '.join(self.keys or [])}.",
            )
        return input

    def pipeline(self, input: Any) -> Pipeline:
        state = self.state_input(input)

        async def run(ctx: RunContext) -> None:
            config = {"configurable": {"thread_id": ctx.session_id}}
            stream = GraphStream(ctx)
            async for mode, chunk in self.graph.astream(state, config, stream_mode=STREAM_MODES):
                await stream.item(mode, chunk)
            await ctx.result(as_object(stream.final, "state"))

        return run

    def describe_input(self, input: Any) -> str:
        return input if isinstance(input, str) else str(jsonable(input))


def langgraph_app(name: str, graph: Any, description: str = "") -> BoothApp:
    """A compiled graph as a `BoothApp`; each host gives it a checkpointer on its own store."""

    def agent(host: Host, settings: Settings) -> LangGraphAgent:
        saver = SessionCheckpointer(
            host.sessions,
            history=settings.agent_checkpoint_history,
            prune_every=settings.agent_checkpoint_prune_every,
        )
        return LangGraphAgent(graph.copy(update={"checkpointer": saver}))

    return BoothApp(name, description or _describe(graph), agent=agent)


def _describe(graph: Any) -> str:
    return f"LangGraph graph {getattr(graph, 'name', '') or 'graph'}"
