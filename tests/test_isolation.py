"""`booth verify-isolation` finds no leak in booth, and does find one in a server that leaks."""

from __future__ import annotations

import json

import pytest
from fastapi import FastAPI, Request
from sse_starlette import EventSourceResponse
from typer.testing import CliRunner

from booth.cli import app as cli
from booth.config import Settings
from booth.isolation import verify_isolation
from booth.server import create_app
from tests.support.servers import ThreadServer


@pytest.fixture
def booth_server():
    settings = Settings(store="memory", ui=False, max_runs=200, max_runs_per_client=200)
    live = ThreadServer(create_app(settings)).start()
    yield live
    live.stop()


def leaky_app() -> FastAPI:
    """The seed's bug on purpose: one shared slot for 'the current request'."""
    app = FastAPI()
    shared = {"last_query": ""}

    @app.get("/health")
    async def health():
        return {"status": "ok"}

    @app.post("/api/fit-check/stream")
    async def stream(request: Request):
        shared["last_query"] = (await request.json())["query"]

        async def events():
            for seq, kind in enumerate(("status", "phase", "complete"), start=1):
                data = {"message": f"working on {shared['last_query']}"}
                yield {"id": str(seq), "event": kind, "data": json.dumps(data)}

        return EventSourceResponse(events())

    return app


async def test_booth_passes_the_isolation_check(booth_server):
    report = await verify_isolation(booth_server.url, users=6)
    assert report.problems == []
    assert report.streams == 6
    assert report.checks > 50


async def test_a_server_that_shares_state_fails_it():
    live = ThreadServer(leaky_app()).start()
    try:
        report = await verify_isolation(live.url, users=8, apps=("fitcheck",))
    finally:
        live.stop()
    assert not report.ok
    assert any("saw other users' canaries" in problem for problem in report.problems)


def test_the_command_reports_and_exits_zero_on_a_clean_server(booth_server):
    result = CliRunner().invoke(
        cli, ["verify-isolation", "--url", booth_server.url, "--users", "3"]
    )
    assert result.exit_code == 0, result.output
    assert "no leaks" in result.output
