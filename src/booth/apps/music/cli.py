"""`booth chat` (a terminal chat on the same service functions as the API) and
`booth music import FILE.csv`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer
from rich.console import Console

from booth.apps.music import service
from booth.apps.music.catalog import user_catalog_dir
from booth.apps.music.importer import IMPORT_COLUMNS, import_csv
from booth.config import Settings
from booth.core.errors import BoothError
from booth.providers.lastfm import install_lastfm

HELP = (
    "Ask for music ('songs by Radiohead', 'jazz for studying'), then follow up: 'more', "
    "'more like these', 'more by X', 'something different', 'start over'. "
    "Commands: /up N, /down N (thumbs for track N), /context, /quit."
)


async def _chat(store: str, count: int, console: Console, read) -> None:
    from booth.server import build_host

    settings = Settings(store=store, ui=False)
    host = build_host(settings)
    await host.runtime.startup()
    install_lastfm(host, settings)  # BOOTH_LASTFM_API_KEY: the chat answers from Last.fm too
    engine = service.default_engine(host, settings.music_context_window)
    session_id: str | None = None
    token: str | None = None
    last: list[dict] = []
    try:
        while True:
            line = (await asyncio.to_thread(read)).strip()
            if line in ("", "/quit", "/exit", "quit", "exit"):
                break
            if line.startswith("/"):
                await _command(line, host, engine, session_id, token, last, console)
                continue
            opened = await host.open_session(session_id, token)
            body = service.RecommendationRequest(
                query=line, max_recommendations=count, include_thoughts=False
            )
            try:
                result = await service.recommend(host, engine, opened, body, "cli")
            except BoothError as error:
                console.print(f"[red]{error.code.value}: {error.message}[/red]")
                continue
            session_id = opened.id
            token = result.get("session_token") or token
            last = result["recommendations"]
            decision = result["metadata"]["context_decision"]
            console.print(f"[dim]{decision['decision']}: {decision['reason']}[/dim]")
            for note in result["reasoning"][1:]:
                console.print(f"[yellow]{note}[/yellow]")
            for i, track in enumerate(last, 1):
                console.print(
                    f"[bold]{i:>2}. {track['artist']} – {track['title']}[/bold] "
                    f"[dim]({track['confidence']:.2f})[/dim]"
                )
                console.print(f"    {track['explanation']}")
    finally:
        await host.runtime.shutdown()
        await host.close()


async def _command(line, host, engine, session_id, token, last, console: Console) -> None:
    parts = line.split()
    if session_id is None:
        console.print("[yellow]Ask for some music first.[/yellow]")
        return
    if parts[0] == "/context":
        summary = await service.context_summary(host, engine, session_id, token)
        console.print(summary["context_summary"])
        return
    if (
        parts[0] in ("/up", "/down")
        and len(parts) == 2
        and parts[1].isdigit()
        and 1 <= int(parts[1]) <= len(last)
    ):
        track = last[int(parts[1]) - 1]
        body = service.FeedbackRequest(
            session_id=session_id,
            track_id=track["track_id"],
            feedback="up" if parts[0] == "/up" else "down",
        )
        answer = await service.record_feedback(host, engine, body, token)
        console.print(f"[green]{answer['effect']}[/green]")
        return
    console.print(f"[yellow]{HELP}[/yellow]")


def chat(
    store: str = typer.Option(
        "memory", help="Session store: memory | sqlite:///path.db | redis://…"
    ),
    max_recommendations: int = typer.Option(
        5, "--max", "-n", min=1, max=10, help="Tracks per answer"
    ),
) -> None:
    """Chat with the music recommender in the terminal (in-process, same code as the API)."""
    console = Console()
    console.print(f"[bold]booth music chat[/bold] — {HELP}")

    def read() -> str:
        try:
            return input("you> ")
        except EOFError:
            return ""

    asyncio.run(_chat(store, max_recommendations, console, read))


def import_catalog(
    file: Path = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        readable=True,
        help=f"CSV with a header: {', '.join(IMPORT_COLUMNS)}",
    ),
    catalog_dir: Path | None = typer.Option(
        None, "--into", help="Catalog folder (default BOOTH_MUSIC_CATALOG or <data dir>/music)"
    ),
) -> None:
    """Merge your own tracks (CSV) into your music catalog."""
    console = Console()
    destination = catalog_dir or user_catalog_dir(Settings().data_dir)
    try:
        report = import_csv(file, destination)
    except (ValueError, UnicodeDecodeError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    console.print(
        f"read {report.read} row(s): {report.added} added, {report.updated} updated, "
        f"{len(report.skipped)} skipped → {destination}"
    )
    for problem in report.skipped[:20]:
        console.print(f"[yellow]  skipped {problem}[/yellow]")
    if report.ignored_columns:
        console.print(f"[yellow]  ignored columns: {', '.join(report.ignored_columns)}[/yellow]")
    if report.imported == 0:
        raise typer.Exit(1)
