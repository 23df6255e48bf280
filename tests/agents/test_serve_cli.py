"""`booth serve --app NAME=module:attr` and `BOOTH_APPS`: hosting an agent from the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
from typer.testing import CliRunner

from booth.cli import app
from booth.config import Settings
from tests.support.servers import ROOT, free_port, wait_healthy

runner = CliRunner()


def said(output: str) -> str:
    """The output's words, without the error box rich draws around them."""
    return " ".join(output.replace("│", " ").split())


def test_booth_apps_is_a_json_list_or_comma_separated(monkeypatch):
    monkeypatch.setenv("BOOTH_APPS", '["a=m:x", "b=n:y"]')
    assert Settings().apps == ["a=m:x", "b=n:y"]
    monkeypatch.setenv("BOOTH_APPS", "a=m:x, b=n:y")
    assert Settings().apps == ["a=m:x", "b=n:y"]
    monkeypatch.delenv("BOOTH_APPS")
    assert Settings().apps == []


def test_a_bad_app_spec_stops_serve_with_the_reason(monkeypatch):
    monkeypatch.delenv("BOOTH_APPS", raising=False)
    refused = runner.invoke(app, ["serve", "--app", "no-module-here"])
    assert refused.exit_code != 0
    assert "NAME=module:attr" in said(refused.output)
    refused = runner.invoke(app, ["serve", "--app", "x=tests.agents.graphs:build_memo"])
    assert refused.exit_code != 0
    assert "not servable" in said(refused.output)


def test_booth_serve_hosts_the_example_graph(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "BOOTH_STORE": f"sqlite:///{tmp_path}/serve.db",
        "BOOTH_UI": "false",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    }
    env.pop("BOOTH_APPS", None)
    booth = Path(sys.executable).parent / "booth"
    process = subprocess.Popen(
        [
            str(booth),
            "serve",
            "--port",
            str(port),
            "--app",
            "fitgraph=examples.fitcheck_langgraph:graph",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, timeout=60, process=process)
        names = [a["name"] for a in httpx.get(url + "/api/agents").json()["agents"]]
        assert names == ["fitcheck", "music", "fitgraph"]
        answer = httpx.post(
            url + "/api/agents/fitgraph/invoke",
            json={"input": {"query": "Backend engineer at Stripe"}},
            timeout=60,
        )
        assert answer.status_code == 200
        assert answer.json()["result"]["result"]["tier"] in ("HIGH", "MEDIUM", "LOW")
    finally:
        process.terminate()
        process.communicate(timeout=20)


def test_verify_isolation_names_its_targets():
    refused = runner.invoke(app, ["verify-isolation", "--app", "nonsense"])
    assert refused.exit_code != 0
    assert "agent:NAME" in said(refused.output)
