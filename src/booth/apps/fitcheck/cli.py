"""`booth fit-check "QUERY"`: the analysis in the terminal, in-process, through the same service.

Without `--json` the phases unfold live (rich) and the answer prints as markdown; with `--json`
stdout carries only the `result` event's JSON, for scripts.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.console import Console, Group
from rich.live import Live
from rich.markdown import Markdown
from rich.table import Table
from rich.text import Text

from booth.apps.fitcheck.models import PHASES
from booth.apps.fitcheck.profile import ProfileError
from booth.apps.fitcheck.service import FitCheckRequest, load_resources, start_fit_check
from booth.config import Settings
from booth.core.events import Event
from booth.core.payloads import (
    ErrorPayload,
    PhaseCompletePayload,
    PhasePayload,
    ResponsePayload,
    ResultPayload,
    ThoughtPayload,
)

ICONS = {"pending": "[dim]·[/dim]", "running": "[yellow]…[/yellow]", "done": "[green]✓[/green]"}


class Progress:
    """What the terminal shows while a run streams: each phase's state and the latest thought."""

    def __init__(self) -> None:
        self.state = {name: "pending" for name in PHASES}
        self.summary: dict[str, str] = {}
        self.thought = ""
        self.attempts = 0

    def update(self, event: Event) -> None:
        payload = event.payload()
        if isinstance(payload, PhasePayload):
            self.state[payload.phase] = "running"
            if payload.phase == "deep_research":
                self.attempts += 1
        elif isinstance(payload, PhaseCompletePayload):
            self.state[payload.phase] = "done"
            self.summary[payload.phase] = payload.summary
        elif isinstance(payload, ThoughtPayload):
            self.thought = payload.content or f"{payload.tool or ''} {payload.input or ''}"

    def render(self) -> Group:
        table = Table.grid(padding=(0, 1))
        for name in PHASES:
            label = name + (
                f" ×{self.attempts}" if name == "deep_research" and self.attempts > 1 else ""
            )
            table.add_row(
                ICONS[self.state[name]], label, f"[dim]{self.summary.get(name, '')}[/dim]"
            )
        return Group(table, Text(self.thought[:160], style="italic dim"))


async def run_fit_check(
    query: str, profile: Path | None, json_output: bool, console: Console
) -> int:
    """Run one analysis in-process and render it; returns the exit code."""
    from booth.server import build_host

    settings = Settings(store="memory", ui=False)
    resources = load_resources(profile or settings.fitcheck_profile, settings.fitcheck_knowledge)
    host = build_host(settings)
    await host.runtime.startup()
    try:
        opened = await host.open_session(None, None)
        body = FitCheckRequest(query=query, include_thoughts=not json_output)
        run, subscriber = await start_fit_check(host, opened, body, "cli", resources=resources)
        progress = Progress()
        answer: list[str] = []
        result: ResultPayload | None = None
        error: ErrorPayload | None = None
        live = None if json_output else Live(progress.render(), console=console, transient=True)
        with live or contextlib.nullcontext():
            async for event in host.events(run, subscriber):
                progress.update(event)
                payload = event.payload()
                if isinstance(payload, ResponsePayload):
                    answer.append(payload.chunk)
                elif isinstance(payload, ResultPayload):
                    result = payload
                elif isinstance(payload, ErrorPayload):
                    error = payload
                if live is not None:
                    live.update(progress.render())
    finally:
        await host.runtime.shutdown()
        await host.close()
    if error is not None:
        print(f"error {error.code}: {error.message}", file=sys.stderr)
        return 1
    if json_output:
        sys.stdout.write(json.dumps(result.root if result else None, ensure_ascii=False) + "\n")
    else:
        console.print(progress.render())
        console.print(Markdown("".join(answer)))
    return 0


def fit_check(
    query: str = typer.Argument(..., help="A company name or a job description"),
    profile: Path | None = typer.Option(None, "--profile", help="Candidate profile YAML"),
    json_output: bool = typer.Option(False, "--json", help="Print only the result as JSON"),
) -> None:
    """Analyse how the candidate profile fits a company or a job description."""
    try:
        FitCheckRequest(query=query)
    except ValidationError as error:
        typer.echo(f"invalid query: {error.errors()[0]['msg']}", err=True)
        raise typer.Exit(2) from None
    try:
        code = asyncio.run(run_fit_check(query, profile, json_output, Console(stderr=json_output)))
    except ProfileError as error:
        typer.echo(f"invalid profile: {error}", err=True)
        raise typer.Exit(2) from None
    if code:
        raise typer.Exit(code)
