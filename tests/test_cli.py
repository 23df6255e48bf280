"""The `booth` command: serving, and managing stored sessions."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
from typer.testing import CliRunner

from booth.cli import app
from booth.core.sessions.sqlite import SqliteSessionStore
from tests.support.servers import free_port, wait_healthy

runner = CliRunner()


def seed(path: Path) -> None:
    async def main():
        store = SqliteSessionStore(path)
        await store.create("session-cli-1", "h1")
        await store.append_turn("session-cli-1", {"query": "hello"})
        await store.set_context("session-cli-1", {"intent": "discovery"}, 0)
        await store.create("session-cli-2", "h2")
        await store.close()

    asyncio.run(main())


def test_sessions_list_export_delete(tmp_path):
    db = tmp_path / "cli.db"
    seed(db)
    store = f"sqlite:///{db}"
    listed = runner.invoke(app, ["sessions", "list", "--store", store])
    assert listed.exit_code == 0, listed.output
    assert "session-cli-1" in listed.output and "2 live session(s)" in listed.output
    exported = runner.invoke(app, ["sessions", "export", "session-cli-1", "--store", store])
    data = json.loads(exported.output)
    assert data["turns"] == [{"query": "hello"}]
    assert data["context"] == {"intent": "discovery"}
    assert "h1" not in exported.output  # never the token (nor its hash)
    assert (
        runner.invoke(app, ["sessions", "delete", "session-cli-1", "--store", store]).exit_code == 0
    )
    gone = runner.invoke(app, ["sessions", "export", "session-cli-1", "--store", store])
    assert gone.exit_code == 1
    purged = runner.invoke(app, ["sessions", "purge", "--store", store])
    assert "purged 0" in purged.output


def test_booth_serve_answers_health_metrics_and_docs(tmp_path):
    port = free_port()
    env = {**os.environ, "BOOTH_STORE": f"sqlite:///{tmp_path}/serve.db"}
    booth = Path(sys.executable).parent / "booth"
    process = subprocess.Popen(
        [str(booth), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, timeout=60, process=process)
        assert httpx.get(url + "/health").json()["status"] == "healthy"
        assert "booth_active_runs" in httpx.get(url + "/metrics").text
        assert httpx.get(url + "/docs").status_code == 200
        paths = httpx.get(url + "/openapi.json").json()["paths"]
        assert "/api/fit-check/stream" in paths and "/recommendations" in paths
        assert httpx.get(url + "/", follow_redirects=False).headers["location"] == "/ui"
        assert (tmp_path / "serve.db").exists()
    finally:
        process.terminate()
        process.communicate(timeout=20)
