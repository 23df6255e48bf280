"""Helpers for the music tests: one user of the API, and readers of a recommendation result."""

from __future__ import annotations

import httpx

from booth.apps.music.pipeline import MusicEngine
from booth.apps.music.router import create_router
from booth.config import Settings
from booth.server import create_app
from tests.support.servers import ThreadServer


def server_settings(**overrides) -> Settings:
    base = {
        "store": "memory",
        "ui": False,
        "max_runs": 500,
        "max_runs_per_client": 500,
        "log_level": "WARNING",
    }
    return Settings(**{**base, **overrides})


def start_server(engine: MusicEngine | None = None, **overrides) -> ThreadServer:
    def router(host, config):
        return create_router(host, config, engine=engine)

    return ThreadServer(create_app(server_settings(**overrides), routers=[router])).start()


class Listener:
    """One user of the API: keeps their own session id and token, like a browser tab."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.session_id: str | None = None
        self.token: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"X-Session-Token": self.token} if self.token else {}

    async def send(self, query: str, count: int = 10, **extra) -> httpx.Response:
        body = {"query": query, "max_recommendations": count, **extra}
        if self.session_id:
            body["session_id"] = self.session_id
        return await self.http.post("/recommendations", json=body, headers=self.headers)

    async def ask(self, query: str, count: int = 10, **extra) -> dict:
        response = await self.send(query, count, **extra)
        assert response.status_code == 200, response.text
        data = response.json()
        self.session_id = data["session_id"]
        self.token = data.get("session_token") or self.token
        return data

    async def context(self) -> dict:
        response = await self.http.get(f"/sessions/{self.session_id}/context", headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()["context_summary"]


def artists_of(result: dict) -> list[str]:
    return [t["artist"] for t in result["recommendations"]]


def ids_of(result: dict) -> list[str]:
    return [t["track_id"] for t in result["recommendations"]]


def decision_of(result: dict) -> str:
    return result["metadata"]["context_decision"]["decision"]


# query → intent and artist keys the planner must find (used by the planner and API tests)
INTENT_TABLE = [
    ("Songs by Radiohead", "by_artist", ["radiohead"]),
    ("play some Kendrick Lamar", "by_artist", ["kendrick lamar"]),
    ("Songs by Mk.gee", "by_artist", ["mk.gee"]),
    ("deep cuts by Radiohead", "by_artist_underground", ["radiohead"]),
    ("lesser known Aphex Twin tracks", "by_artist_underground", ["aphex twin"]),
    ("music like Bon Iver", "artist_similarity", ["bon iver"]),
    ("artists similar to Death Grips", "artist_similarity", ["death grips"]),
    ("Michael Jackson funk songs", "artist_genre", ["michael jackson"]),
    ("electronic music like Aphex Twin", "hybrid_similarity_genre", ["aphex twin"]),
    ("underground hip hop", "discovery", []),
    ("help me discover new electronic artists", "discovery", []),
    ("surprise me", "discovering_serendipity", []),
    ("play me something random", "discovering_serendipity", []),
    ("Electronic music", "genre_mood", []),
    ("sad r&b", "genre_mood", []),
    ("Jazz for studying", "contextual", []),
    ("music for coding", "contextual", []),
    ("workout playlist", "contextual", []),
    ("something to fall asleep to, for sleep", "contextual", []),
    ("songs for a road trip", "contextual", []),
    ("party music", "contextual", []),
]
