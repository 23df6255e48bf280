"""`--app NAME=module:attr`: import the object and wrap it as a `BoothApp`, by its type.

`attr` may be a compiled LangGraph graph, an OpenAI Agents SDK `Agent`, or a `BoothApp`. The
frameworks are looked up only in `sys.modules`: an object of theirs can only exist once its
module imported them, so booth never imports a framework the served module does not use.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import sys
from typing import Any

from booth.agents.app import NAME, NAME_RULE, BoothApp

SPEC_RULE = "NAME=module:attr (e.g. fitgraph=examples.fitcheck_langgraph:graph)"


class AppSpecError(ValueError):
    """A `--app` value that cannot be served; the message says why."""


def parse_spec(spec: str) -> tuple[str, str, str]:
    name, eq, target = spec.partition("=")
    module, colon, attr = target.partition(":")
    if not (eq and colon and name and module and attr):
        raise AppSpecError(f"--app {spec!r}: use {SPEC_RULE}.")
    if not NAME.fullmatch(name):
        raise AppSpecError(f"--app {spec!r}: the name must be {NAME_RULE}.")
    return name, module, attr


def import_target(module: str, attr: str) -> Any:
    """`module:attr` (attr may be dotted), importable from the working directory too."""
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        target: Any = importlib.import_module(module)
    except ImportError as exc:
        raise AppSpecError(f"cannot import {module!r}: {exc}") from exc
    for part in attr.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise AppSpecError(f"{module!r} has no attribute {attr!r}") from None
    return target


def _is_langgraph(target: Any) -> bool:
    pregel = sys.modules.get("langgraph.pregel")
    return pregel is not None and isinstance(target, pregel.Pregel)


def _is_openai_agent(target: Any) -> bool:
    sdk = sys.modules.get("agents")
    return sdk is not None and isinstance(target, getattr(sdk, "Agent", ()))


def as_app(name: str, target: Any, description: str = "") -> BoothApp:
    """Wrap a served object under `name`."""
    if isinstance(target, BoothApp):
        return dataclasses.replace(target, name=name)
    if _is_langgraph(target):
        from booth.agents.langgraph import langgraph_app

        return langgraph_app(name, target, description)
    if _is_openai_agent(target):
        from booth.agents.openai_agents import openai_agent_app

        return openai_agent_app(name, target, description)
    raise AppSpecError(
        f"{name}: {type(target).__module__}.{type(target).__qualname__} is not servable; "
        "serve a compiled LangGraph graph, an OpenAI Agents SDK Agent or a booth.agents.BoothApp."
    )


def load_app(spec: str) -> BoothApp:
    name, module, attr = parse_spec(spec)
    return as_app(name, import_target(module, attr))


def load_apps(specs: list[str]) -> list[BoothApp]:
    apps = [load_app(spec) for spec in specs]
    names = [app.name for app in apps]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise AppSpecError(f"--app names must be unique; repeated: {', '.join(duplicates)}")
    return apps
