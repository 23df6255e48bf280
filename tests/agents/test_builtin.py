"""booth's own apps are BoothApps: their seed routes as before, and hosted agents too."""

from __future__ import annotations

import httpx
import pytest

from booth.agents.builtin import builtin_apps
from booth.config import Settings
from booth.server import create_app, default_routers
from tests.support.servers import ThreadServer
from tests.support.sse import post_stream

QUERY = "Senior Python backend engineer at Stripe building APIs with FastAPI"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    store = f"sqlite:///{tmp_path_factory.mktemp('builtin')}/booth.db"
    live = ThreadServer(create_app(Settings(store=store, ui=False))).start()
    yield live
    live.stop()


def test_the_bundled_apps_satisfy_the_app_interface():
    apps = {app.name: app for app in builtin_apps()}
    assert set(apps) == {"fitcheck", "music"}
    assert all(app.routes is not None and app.agent is not None for app in apps.values())
    assert default_routers() == [apps["fitcheck"].routes, apps["music"].routes]


async def test_they_are_listed_as_agents(server):
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        listed = (await http.get("/api/agents")).json()["agents"]
    assert [(a["name"], a["kind"]) for a in listed] == [("fitcheck", "booth"), ("music", "booth")]
    assert "query" in listed[0]["input_schema"]["properties"]


async def test_fit_check_as_an_agent_answers_as_its_seed_route_does(server):
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        hosted = await http.post("/api/agents/fitcheck/invoke", json={"input": {"query": QUERY}})
        seed = await post_stream(http, "/api/fit-check/stream", {"query": QUERY})
    assert hosted.status_code == 200
    ours, theirs = hosted.json()["result"], seed.of("result")[0]
    assert (ours["score"], ours["tier"]) == (theirs["score"], theirs["tier"])
    assert hosted.json()["response"] == "".join(c["chunk"] for c in seed.of("response"))


async def test_music_as_an_agent_remembers_the_session(server):
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        first = await http.post(
            "/api/agents/music/invoke",
            json={"input": {"query": "songs by Radiohead", "max_recommendations": 3}},
        )
        opened = first.json()
        more = await http.post(
            "/api/agents/music/invoke",
            json={"input": {"query": "more tracks"}, "session_id": opened["session_id"]},
            headers={"X-Session-Token": opened["session_token"]},
        )
    assert first.status_code == 200 and more.status_code == 200
    seen = {t["track_id"] for t in first.json()["result"]["recommendations"]}
    again = {t["track_id"] for t in more.json()["result"]["recommendations"]}
    assert len(seen) == 3 and again and not seen & again  # "more" pages on, never repeats
