"""The one interface every hosted thing satisfies, booth's own apps included.

A `BoothApp` has a name and up to two ways in:

- `routes`: a router factory `(host, settings) -> APIRouter` for an app with an HTTP contract of
  its own (Fit Check and Music keep their seeds' endpoints this way);
- `agent`: a factory `(host, settings) -> HostedAgent`, served at `POST /api/agents/{name}/stream`
  (SSE) and `/invoke` (JSON) with body `{"input", "session_id"?, "session_token"?}`.

A `HostedAgent` says what its `input` is (a type pydantic validates) and turns one validated
input into a pipeline on a `RunContext` - the same contract booth's runtime gives its own apps,
so every hosted agent gets private sessions, one run per session, gap-free events, exactly one
terminal event, admission control, deadlines and disconnect handling.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from booth.core.runs import Pipeline

if TYPE_CHECKING:
    from fastapi import APIRouter

    from booth.config import Settings
    from booth.core.host import Host

NAME_RULE = "1-64 characters of a-z, 0-9, '_' and '-', starting with a letter or digit"
NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


class HostedAgent(Protocol):
    """An agent booth runs: what its input is and how one input becomes a run's pipeline."""

    @property
    def kind(self) -> str:
        """ "booth", "langgraph" or "openai-agents"."""
        ...

    @property
    def input_type(self) -> Any:
        """Any type pydantic can validate: a model, `str`, `dict[str, Any]` …"""
        ...

    def pipeline(self, input: Any) -> Pipeline:
        """The run's body for one validated input (it emits events on the run's context)."""
        ...

    def describe_input(self, input: Any) -> str:
        """A short text of the input, for the log line that opens a run (truncated there)."""
        ...


RouterFactory = Callable[["Host", "Settings"], "APIRouter"]
AgentFactory = Callable[["Host", "Settings"], HostedAgent]


@dataclass(frozen=True)
class BoothApp:
    """A name and its ways in: its own routes, a hosted agent, or both."""

    name: str
    description: str = ""
    routes: RouterFactory | None = None
    agent: AgentFactory | None = None

    def __post_init__(self) -> None:
        if not NAME.fullmatch(self.name):
            raise ValueError(f"App name {self.name!r} is invalid: use {NAME_RULE}.")
        if self.routes is None and self.agent is None:
            raise ValueError(f"App {self.name!r} has neither routes nor an agent.")
