"""Explanations written by a model from the judge's claims, and checked against them.

The model gets, for each track on the page, the claims `explain.claims_for` made from the
judge's evidence (and nothing else: no request text, no catalog) and writes one short sentence
per track. Each sentence is then read back by `explain.grounded_text`: a clause naming a
genre, mood, artist or number the claims do not hold is dropped; if nothing is left, the offline
sentence is used. A model that fails costs nothing but the offline sentences.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from booth.apps.music.catalog import Track
from booth.apps.music.explain import Claim, grounded_text
from booth.llm import LLMError, LLMProvider, conversation

log = logging.getLogger("booth.music.model")

SYSTEM_PROMPT = """You write one short, friendly sentence per track saying why it was picked.
Use only the facts given for that track (its claims); do not add genres, moods, artists,
numbers or anything else. Keep each sentence under 30 words."""


class WrittenExplanation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    track_id: str
    text: str = Field(max_length=400)


class WrittenExplanations(BaseModel):
    model_config = ConfigDict(extra="forbid")

    explanations: list[WrittenExplanation] = Field(max_length=20)


@dataclass
class ModelWriter:
    llm: LLMProvider
    names: frozenset[str]  # labels and artist names a sentence is checked for

    async def write(self, page: list[tuple[Track, list[Claim]]]) -> dict[str, str] | None:
        """track id → grounded sentence, or None when the model failed (offline text stands)."""
        facts = [
            {"track_id": t.track_id, "claims": [c.model_dump(mode="json") for c in claims]}
            for t, claims in page
        ]
        messages = conversation(
            SYSTEM_PROMPT, "Explain each pick.", {"claims": json.dumps(facts, ensure_ascii=False)}
        )
        try:
            answer = await self.llm.structured(WrittenExplanations, messages)
        except LLMError as exc:
            log.info("model explanations unavailable, offline text stands: %s", exc)
            return None
        by_id = {e.track_id: e.text for e in answer.explanations}
        names = self.names | {track.artist.casefold() for track, _ in page}
        out = {}
        for track, claims in page:
            written = by_id.get(track.track_id)
            if written:
                out[track.track_id] = grounded_text(written, claims, track, names)
        return out
