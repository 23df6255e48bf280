"""Serving an OpenAI Agents SDK `Agent` on booth's runtime.

Each run is `Runner.run_streamed(agent, input, session=…)` with a `Session` on booth's store
(agent_session.py), so a follow-up on a booth session continues that conversation and no other.
Tracing to OpenAI's servers is off: booth runs offline unless told otherwise. The SDK's stream
becomes booth's events:

| Agents SDK                                  | booth                                        |
|---------------------------------------------|----------------------------------------------|
| an agent starts (first, or after a handoff) | `phase` (the agent's name)                   |
| raw `response.output_text.delta`            | `response` chunk                             |
| tool called / tool output                   | `thought` tool_call / observation            |
| reasoning item                              | `thought` reasoning                          |
| handoff                                     | `thought` observation, then the next `phase` |
| an agent's part ends                        | `phase_complete`                             |
| the final output                            | `result` `{output, agent}`                   |
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field

from booth.agents.agent_session import StoreSession
from booth.agents.app import BoothApp
from booth.agents.jsonable import jsonable
from booth.core.errors import BoothError, ErrorCode
from booth.core.runs import Pipeline, RunContext
from booth.core.text import UserText

if TYPE_CHECKING:
    from booth.config import Settings
    from booth.core.host import Host

TEXT_DELTA = "response.output_text.delta"
MAX_INPUT_CHARS = 32_000
AgentInput = Annotated[UserText, Field(min_length=1, max_length=MAX_INPUT_CHARS)]


def _arguments(raw: str | None) -> Any:
    """A tool call's arguments: parsed when they are JSON, else the text."""
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw


class AgentStream:
    """Turns one run's SDK stream events into events on its context."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self.agent: str | None = None
        self.tools = 0
        self.chars = 0
        self._since = time.monotonic()

    async def event(self, event: Any) -> None:
        await self.ctx.checkpoint()
        if event.type == "agent_updated_stream_event":
            await self.enter(event.new_agent.name)
        elif event.type == "raw_response_event":
            if getattr(event.data, "type", None) == TEXT_DELTA and event.data.delta:
                self.chars += len(event.data.delta)
                await self.ctx.response(event.data.delta)
        elif event.type == "run_item_stream_event":
            await self.item(event.item)

    async def enter(self, agent: str) -> None:
        await self.leave()
        self.agent = agent
        self._since = time.monotonic()
        await self.ctx.phase(agent, f"{agent} is working")

    async def leave(self) -> None:
        if self.agent is None:
            return
        took = int((time.monotonic() - self._since) * 1000)
        data = {"tool_calls": self.tools, "response_chars": self.chars}
        summary = f"{self.agent}: {self.tools} tool call(s), {self.chars} characters of answer"
        await self.ctx.phase_complete(self.agent, summary, data, took)
        self.agent, self.tools, self.chars = None, 0, 0

    async def item(self, item: Any) -> None:
        phase = self.agent or "agent"
        raw = item.raw_item
        if item.type == "tool_call_item":
            self.tools += 1
            name = getattr(raw, "name", None) or getattr(raw, "type", "tool")
            args = _arguments(getattr(raw, "arguments", None))
            await self.ctx.thought("tool_call", phase, tool=name, input=jsonable(args))
        elif item.type == "tool_call_output_item":
            await self.ctx.thought("observation", phase, str(jsonable(item.output)))
        elif item.type == "reasoning_item":
            summary = " ".join(getattr(s, "text", "") for s in getattr(raw, "summary", []) or [])
            await self.ctx.thought("reasoning", phase, summary or "reasoning")
        elif item.type == "handoff_output_item":
            target = getattr(getattr(item, "target_agent", None), "name", "another agent")
            await self.ctx.thought("observation", phase, f"handed off to {target}")


def _as_booth_error(exc: Exception) -> BoothError | None:
    """The model provider's failures as LLM_ERROR (retryable); the rest stay pipeline errors."""
    import openai

    if isinstance(exc, openai.APIError):
        return BoothError(ErrorCode.LLM_ERROR, f"The model call failed: {exc}", retryable=True)
    from agents.exceptions import ModelBehaviorError

    if isinstance(exc, ModelBehaviorError):
        return BoothError(ErrorCode.LLM_ERROR, f"The model misbehaved: {exc}", retryable=True)
    return None


@dataclass
class OpenAIAgent:
    """An Agents SDK `Agent` as a `HostedAgent`."""

    agent: Any
    max_turns: int = 10
    kind: str = "openai-agents"
    input_type: Any = AgentInput

    def pipeline(self, input: Any) -> Pipeline:
        async def run(ctx: RunContext) -> None:
            from agents import RunConfig, Runner

            session = StoreSession(ctx.sessions, ctx.session_id)
            result = Runner.run_streamed(
                self.agent,
                input,
                session=session,
                max_turns=self.max_turns,
                run_config=RunConfig(tracing_disabled=True),
            )
            stream = AgentStream(ctx)
            try:
                async for event in result.stream_events():
                    await stream.event(event)
            except Exception as exc:
                mapped = _as_booth_error(exc)
                if mapped is None:
                    raise
                raise mapped from exc
            finally:
                if not result.is_complete:
                    result.cancel()
            await stream.leave()
            await ctx.result(
                {"output": jsonable(result.final_output), "agent": result.last_agent.name}
            )

        return run

    def describe_input(self, input: Any) -> str:
        return str(input)


def openai_agent_app(name: str, agent: Any, description: str = "") -> BoothApp:
    def hosted(host: Host, settings: Settings) -> OpenAIAgent:
        return OpenAIAgent(agent, max_turns=settings.agent_max_turns)

    return BoothApp(name, description or f"Agents SDK agent {agent.name}", agent=hosted)
