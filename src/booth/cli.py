"""The `booth` command: serve, talk to the apps from a terminal, manage sessions."""

from __future__ import annotations

import asyncio
import json
import os

import typer
from rich.console import Console
from rich.table import Table

from booth.apps.fitcheck.cli import fit_check
from booth.apps.music.cli import chat, import_catalog
from booth.config import Settings

app = typer.Typer(
    help="booth: a multi-user AI agent server with a private booth per user.", no_args_is_help=True
)
sessions_app = typer.Typer(
    help="List, purge, export and delete stored sessions.", no_args_is_help=True
)
music_app = typer.Typer(help="Music catalog tools.", no_args_is_help=True)
app.add_typer(sessions_app, name="sessions")
app.add_typer(music_app, name="music")
app.command("fit-check")(fit_check)
app.command("chat")(chat)
music_app.command("import")(import_catalog)

console = Console()


@app.command()
def serve(
    host: str = typer.Option(None, help="Interface to bind (default BOOTH_HOST or 127.0.0.1)"),
    port: int = typer.Option(None, help="Port (default BOOTH_PORT or 8000)"),
    store: str = typer.Option(None, help="memory | sqlite:///path.db | redis://host:port/db"),
    workers: int = typer.Option(
        1, min=1, help="Server processes (use a shared store: sqlite or redis)"
    ),
    apps: list[str] = typer.Option(
        [],
        "--app",
        help="Host an agent: NAME=module:attr (a LangGraph graph, an Agents SDK Agent or a "
        "BoothApp); repeatable; added to BOOTH_APPS",
    ),
) -> None:
    """Run the server (API, /docs, /metrics and the UI at /ui)."""
    import uvicorn

    from booth.agents.loader import AppSpecError, load_apps

    if store:
        os.environ["BOOTH_STORE"] = store
    specs = [*Settings().apps, *apps]
    try:
        load_apps(specs)  # fail here, with the reason, rather than in every worker
    except AppSpecError as exc:
        raise typer.BadParameter(str(exc), param_hint="--app") from None
    if apps:  # the workers build the app from the environment
        os.environ["BOOTH_APPS"] = json.dumps(specs)
    settings = Settings()
    if workers > 1 and settings.store == "memory":
        raise typer.BadParameter(
            "--workers > 1 needs a shared store (sqlite or redis)", param_hint="--store"
        )
    uvicorn.run(
        "booth.server:create_app_from_env",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        timeout_graceful_shutdown=int(settings.shutdown_grace) + 5,
        log_level="info",
        # booth reads X-Forwarded-For itself, from BOOTH_TRUSTED_PROXIES only (core/clients.py)
        proxy_headers=False,
    )


@app.command()
def doctor() -> None:
    """Check each configured upstream (model, web search, Last.fm); exit 1 if one fails."""
    from booth.doctor import run_checks

    checks = asyncio.run(run_checks(Settings()))
    table = Table(title="booth doctor")
    for column in ("upstream", "state", "detail", "fix"):
        table.add_column(column)
    style = {"ok": "green", "failed": "bold red", "offline": "dim"}
    for check in checks:
        state = f"[{style[check.outcome]}]{check.outcome}[/]"
        table.add_row(check.upstream, state, check.detail, check.fix)
    console.print(table)
    if any(check.outcome == "failed" for check in checks):
        raise typer.Exit(1)


@app.command("verify-isolation")
def verify_isolation(
    url: str = typer.Option("http://127.0.0.1:8000", "--url", help="A running booth server"),
    users: int = typer.Option(20, min=2, max=500, help="Simulated concurrent users per app"),
    apps: list[str] = typer.Option(
        ["fitcheck", "music"],
        "--app",
        help="fitcheck, music, or agent:NAME for a hosted agent (repeatable)",
    ),
) -> None:
    """Check a running server for cross-user leaks with canaries; exit 1 on any leak."""
    from booth.isolation import AGENT_PREFIX
    from booth.isolation import verify_isolation as check

    for target in apps:
        if target not in ("fitcheck", "music") and not (
            target.startswith(AGENT_PREFIX) and len(target) > len(AGENT_PREFIX)
        ):
            raise typer.BadParameter(
                f"{target!r}: use fitcheck, music or agent:NAME", param_hint="--app"
            )
    with console.status(f"{users} users per app against {url} …"):
        report = asyncio.run(check(url, users, tuple(apps)))
    table = Table(title=f"isolation check of {url}")
    table.add_column("users per app")
    table.add_column("streams")
    table.add_column("checks")
    table.add_column("problems")
    table.add_row(
        str(report.users), str(report.streams), str(report.checks), str(len(report.problems))
    )
    console.print(table)
    for problem in report.problems[:50]:
        console.print(f"[red]✗[/red] {problem}")
    if not report.ok:
        raise typer.Exit(1)
    console.print("[green]✓ no leaks: every user saw only their own data[/green]")


def _store(store: str | None):
    from booth.core.sessions.base import Expiry
    from booth.core.stores import build_stores

    settings = Settings(store=store) if store else Settings()
    return build_stores(settings.store, Expiry(settings.session_idle_ttl, settings.session_max_age))


StoreOption = typer.Option(None, "--store", help="Store URL (default BOOTH_STORE)")


@sessions_app.command("list")
def sessions_list(store: str = StoreOption, limit: int = typer.Option(50, min=1)) -> None:
    """Live sessions, oldest first."""

    async def main():
        stores = _store(store)
        try:
            return await stores.sessions.list(limit=limit), await stores.sessions.count()
        finally:
            await stores.close()

    records, total = asyncio.run(main())
    table = Table(title=f"{total} live session(s)")
    for column in ("id", "created", "last seen", "turns", "context keys"):
        table.add_column(column)
    from datetime import datetime

    for r in records:
        table.add_row(
            r.id,
            datetime.fromtimestamp(r.created_at).isoformat(timespec="seconds"),
            datetime.fromtimestamp(r.last_seen).isoformat(timespec="seconds"),
            str(r.turn_count),
            ", ".join(sorted(r.context)) or "-",
        )
    console.print(table)


@sessions_app.command("purge")
def sessions_purge(store: str = StoreOption) -> None:
    """Delete every expired session now."""

    async def main():
        stores = _store(store)
        try:
            return await stores.sessions.purge_expired()
        finally:
            await stores.close()

    console.print(f"purged {asyncio.run(main())} expired session(s)")


@sessions_app.command("delete")
def sessions_delete(session_id: str, store: str = StoreOption) -> None:
    """Delete one session and everything it holds."""

    async def main():
        stores = _store(store)
        try:
            return await stores.sessions.delete(session_id)
        finally:
            await stores.close()

    if not asyncio.run(main()):
        console.print(f"[red]no live session {session_id}[/red]")
        raise typer.Exit(1)
    console.print(f"deleted {session_id}")


@sessions_app.command("export")
def sessions_export(
    session_id: str, store: str = StoreOption, turns: int = typer.Option(1000, min=1)
) -> None:
    """Print one session (context and turns; never its token) as JSON."""

    async def main():
        stores = _store(store)
        try:
            record = await stores.sessions.get(session_id)
            if record is None:
                return None
            return {
                "id": record.id,
                "created_at": record.created_at,
                "last_seen": record.last_seen,
                "context": record.context,
                "context_version": record.version,
                "turns": await stores.sessions.recent_turns(session_id, turns),
            }
        finally:
            await stores.close()

    data = asyncio.run(main())
    if data is None:
        console.print(f"[red]no live session {session_id}[/red]")
        raise typer.Exit(1)
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    app()
