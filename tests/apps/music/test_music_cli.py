"""`booth chat`: a terminal conversation on the same service functions as the API."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from booth.apps.music.cli import chat


def cli() -> typer.Typer:
    app = typer.Typer()
    app.command("chat")(chat)
    app.command("noop")(lambda: None)
    return app


def test_a_chat_remembers_its_own_context(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOTH_MUSIC_CATALOG", str(tmp_path / "none"))
    lines = "\n".join(
        [
            "Songs by Aphex Twin",
            "more tracks",
            "/up 1",
            "/context",
            "more like these",
            "/down 9",
            "/quit",
            "",
        ]
    )
    result = CliRunner().invoke(cli(), ["chat", "-n", "3"], input=lines)
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.count("Aphex Twin –") >= 6  # two pages of three
    assert "load_more: Next page" in out
    assert "will rank higher" in out  # the thumbs-up
    assert "'shown_count': 6" in out  # /context
    assert "style_continuation" in out
    assert "Ask for music" in out  # /down 9 is out of range: help again


def test_a_chat_ends_on_end_of_input():
    result = CliRunner().invoke(cli(), ["chat"], input="")
    assert result.exit_code == 0 and "booth music chat" in result.output
