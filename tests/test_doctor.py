"""`booth doctor` against loopback upstreams: what works, what does not, and the fix."""

from __future__ import annotations

import json

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from typer.testing import CliRunner

from booth.cli import app
from tests.support.openai_server import OpenAIServer
from tests.support.servers import ThreadServer
from tests.support.web_servers import Hit, SearxngServer

runner = CliRunner()
LASTFM_KEY = "lastfm-test-key"


async def lastfm(request: Request) -> JSONResponse:
    """Last.fm's `artist.getInfo`: the artist, or error 10 for a bad key."""
    params = request.query_params
    if params.get("api_key") != LASTFM_KEY:
        return JSONResponse(
            {
                "error": 10,
                "message": "Invalid API key - You must be granted a valid key by last.fm",
            },
            403,
        )
    assert params["method"] == "artist.getInfo" and params["format"] == "json"
    return JSONResponse({"artist": {"name": params["artist"], "stats": {"listeners": "1"}}})


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


@pytest.fixture(scope="module")
def upstreams():
    model = OpenAIServer(lambda call: json.dumps({"ok": True}), models=["m1"]).start()
    search = SearxngServer(lambda q: [Hit("Python", "https://python.org", "x")]).start()
    fm = ThreadServer(Starlette(routes=[Route("/health", health), Route("/2.0/", lastfm)])).start()
    yield model, search, fm
    for server in (model, search, fm):
        server.stop()


def doctor(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]):
    for name in ("BOOTH_LLM_BASE_URL", "BOOTH_SEARCH_PROVIDER", "BOOTH_LASTFM_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runner.invoke(app, ["doctor"], env={"COLUMNS": "250"})


def configured(upstreams, **overrides: str) -> dict[str, str]:
    model, search, fm = upstreams
    return {
        "BOOTH_LLM_BASE_URL": model.base_url,
        "BOOTH_LLM_MODEL": "m1",
        "BOOTH_SEARCH_PROVIDER": "searxng",
        "BOOTH_SEARXNG_URL": search.url,
        "BOOTH_LASTFM_API_KEY": LASTFM_KEY,
        "BOOTH_LASTFM_URL": fm.url + "/2.0/",
        **overrides,
    }


def test_nothing_configured_is_offline_and_fine(monkeypatch):
    result = doctor(monkeypatch, {})
    assert result.exit_code == 0, result.output
    assert result.output.count("offline") >= 3


def test_every_configured_upstream_works(monkeypatch, upstreams):
    result = doctor(monkeypatch, configured(upstreams))
    assert result.exit_code == 0, result.output
    assert "m1 answered in schema" in result.output
    assert (
        "searxng: 1 result" in result.output and "artist.getInfo answered (Cher)" in result.output
    )
    model = upstreams[0]
    assert model.chat_calls[-1].schema_name == "Ping"


def test_an_unknown_model_names_the_ones_there_are(monkeypatch, upstreams):
    result = doctor(monkeypatch, configured(upstreams, BOOTH_LLM_MODEL="gpt-nope"))
    assert result.exit_code == 1
    assert "HTTP 404" in result.output and "BOOTH_LLM_MODEL to one of: m1" in result.output


def test_a_bad_lastfm_key_and_a_dead_search_engine_say_how_to_fix_them(monkeypatch, upstreams):
    env = configured(
        upstreams, BOOTH_LASTFM_API_KEY="wrong", BOOTH_SEARXNG_URL="http://127.0.0.1:9"
    )
    result = doctor(monkeypatch, env)
    assert result.exit_code == 1
    assert "error 10" in result.output and "Check BOOTH_LASTFM_API_KEY" in result.output
    assert "ConnectError" in result.output and "search.formats" in result.output


def test_a_model_server_that_is_gone(monkeypatch, upstreams):
    result = doctor(monkeypatch, configured(upstreams, BOOTH_LLM_BASE_URL="http://127.0.0.1:9/v1"))
    assert result.exit_code == 1
    assert "connection failed" in result.output and "Is the server running" in result.output


def test_a_base_url_without_a_model_says_which_setting_is_missing(monkeypatch, upstreams):
    env = configured(upstreams)
    env.pop("BOOTH_LLM_MODEL")
    monkeypatch.delenv("BOOTH_LLM_MODEL", raising=False)
    result = doctor(monkeypatch, env)
    assert result.exit_code == 1 and "set BOOTH_LLM_MODEL" in result.output
