"""Start-up: a server answers /health before the music catalog is loaded; the first music request
loads it (off the event loop), once, and every route and the hosted agent share it."""

from __future__ import annotations

import asyncio
import threading

import httpx
from music_helpers import server_settings

from booth.apps.music.catalog import BUNDLED_DIR, load_catalog
from booth.apps.music.pipeline import EngineSlot, MusicEngine
from booth.apps.music.service import engine_slot
from booth.server import create_app
from tests.support.servers import ThreadServer


async def test_health_answers_before_the_catalog_loads_and_the_first_request_loads_it(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("BOOTH_MUSIC_CATALOG", str(tmp_path))  # no user import: bundled only
    settings = server_settings()
    running = ThreadServer(create_app(settings)).start()  # every bundled app and agent
    try:
        slot = engine_slot(running.host, settings.music_context_window)
        async with httpx.AsyncClient(base_url=running.url, timeout=120) as http:
            assert (await http.get("/health")).status_code == 200
            assert not slot.built
            answer = await http.post("/recommendations", json={"query": "Songs by Radiohead"})
            assert answer.status_code == 200, answer.text
            assert slot.built
            figures = (await http.get("/music/catalog")).json()["figures"]
            agent = await http.post(
                "/api/agents/music/invoke", json={"input": {"query": "Songs by Portishead"}}
            )
    finally:
        running.stop()
    assert figures == load_catalog(BUNDLED_DIR).figures()
    assert agent.status_code == 200, agent.text
    assert engine_slot(running.host, settings.music_context_window) is slot


async def test_requests_arriving_during_the_build_share_one_build(small):
    builds: list[int] = []
    release = threading.Event()

    def build() -> MusicEngine:
        builds.append(1)
        release.wait(timeout=30)
        return MusicEngine.build(small)

    slot = EngineSlot(build)
    waiting = [asyncio.create_task(slot.ready()) for _ in range(4)]
    await asyncio.sleep(0.05)
    release.set()
    engines = await asyncio.gather(*waiting)
    assert builds == [1]
    assert all(e is engines[0] for e in engines) and slot.get() is engines[0]
