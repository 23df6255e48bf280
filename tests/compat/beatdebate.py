"""BeatDebate's Gradio chat as it talks to its backend, rewritten in Python for the tests.

SulmanK/BeatDebate's chat interface (`src/ui/chat_interface.py`) runs server-side in Gradio: each
browser tab holds a uuid4 in `gr.State`, and every message is a `POST /recommendations` with
`{query, session_id, max_recommendations: 10, include_previews: true, chat_context}` and no other
header - no token. A non-200 answer, one without recommendations, with an `error` or `detail`
field or an "unknown" intent, becomes its "SYSTEM TEMPORARILY UNAVAILABLE" message (it would
try an LLM fallback first, which a deployment without one does not have). It keeps the
`session_id` the backend answers with, and reads the fields listed in `TRACK_FIELDS_READ` from
every track. None of their code is copied.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

EMERGENCY = "SYSTEM TEMPORARILY UNAVAILABLE"


@dataclass
class Turn:
    query: str
    status_code: int
    body: dict[str, Any]
    shown: str  # what the chat shows: the answer, or the emergency message

    @property
    def tracks(self) -> list[dict[str, Any]]:
        return list(self.body.get("recommendations") or [])

    @property
    def ids(self) -> list[tuple[str, str]]:
        return [(t["artist"], t["title"]) for t in self.tracks]


@dataclass
class ChatTab:
    """One browser tab: its own uuid4, kept in `gr.State` across messages."""

    client: httpx.AsyncClient
    session_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    turns: list[Turn] = field(default_factory=list)

    async def send(self, message: str) -> Turn:
        body = {
            "query": message,
            "session_id": self.session_id,
            "max_recommendations": 10,
            "include_previews": True,
            "chat_context": None,  # the chat keeps no history of its own any more
        }
        response = await self.client.post("/recommendations", json=body)
        data = response.json()
        ok = (
            response.status_code == 200
            and data.get("recommendations")
            and str(data.get("intent", "")).lower() not in {"unknown", "unsupported", "fallback"}
            and not (data.get("error") or data.get("detail"))
        )
        if ok:
            self.session_id = data.get("session_id", self.session_id)
            shown = "\n".join(f'"{t["title"]}" by {t["artist"]}' for t in data["recommendations"])
        else:
            shown = f"**🚨 {EMERGENCY}**"
        turn = Turn(message, response.status_code, data, shown)
        self.turns.append(turn)
        return turn


# What the chat's formatter and player read from each track, with the types they need.
TRACK_FIELDS_READ: dict[str, tuple[type, ...]] = {
    "title": (str,),
    "artist": (str,),
    "confidence": (float, int),  # shown as int(confidence * 100) %
    "source": (str,),
    "genres": (list,),
    "moods": (list,),
    "tags": (list,),
    "explanation": (str,),
    "novelty_score": (float, int, type(None)),
    "quality_score": (float, int, type(None)),
    "preview_url": (str, type(None)),
    "spotify_url": (str, type(None)),
    "playcount": (int, type(None)),
    "popularity": (int, float, type(None)),
    "listeners": (int, type(None)),
}
