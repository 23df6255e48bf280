"""A model's reading of a new request, trusted only where the catalog or Last.fm can back it.

With the LLM layer configured, a new request (not a follow-up) is also read by the model into
the same typed plan the rules produce: intent, artists, genres, moods, activity, decade and any
refinement. The answer is schema-checked by the LLM layer, then grounded here: an artist is kept
only if the bundled catalog knows it or Last.fm finds it, a genre or mood only if the catalog's
vocabulary has it, an activity only if booth has a profile for it. What cannot be grounded is
dropped (and listed in `rejected`); if nothing useful is left, the rules' reading stands.

Follow-ups ("more", deep dives, style continuations, refinements, variations, resets) never go to
the model: the resolver reads them from the stored context exactly as it does offline, so a
model's odd answer cannot break paging, reset or isolation.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from booth.apps.music.catalog import artist_key
from booth.apps.music.intents import ACTIVITIES, Planner, Understanding, simplify
from booth.apps.music.live import LiveMusic
from booth.apps.music.models import ARTIST_INTENTS, SIMILARITY_INTENTS, Feature, Intent
from booth.llm import LLMError, LLMProvider, conversation

log = logging.getLogger("booth.music.model")

ActivityName = Literal["studying", "workout", "coding", "sleep", "driving", "party"]
MAX_ENTITIES = 5  # a reading naming more than this of one kind is cut to it
FIRST_DECADE, LAST_DECADE = 1900, 2030

SYSTEM_PROMPT = """You read music requests for a recommender. Return the request's meaning:
- intent: by_artist (tracks by named artists), by_artist_underground (their lesser-known
  tracks), artist_similarity (music like named artists), artist_genre (a named artist's tracks
  in a genre), hybrid_similarity_genre (like an artist, in a genre), discovery (new or
  lesser-known artists), discovering_serendipity (anything, surprise me), genre_mood (genres or
  moods), contextual (music for an activity).
- artists: artist names exactly as commonly written; genres and moods as short lowercase labels;
  activity one of the listed values or null; decade as a year like 1980 or null;
  refinements: audio features to move up or down, if the request asks for that.
Name only what the request says or clearly means. Never invent artists."""


class ModelRefinement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    feature: Feature
    direction: Literal[1, -1]


class ModelReading(BaseModel):
    """What the model is asked to return (OpenAI strict mode: every field present)."""

    model_config = ConfigDict(extra="forbid")

    intent: Intent
    artists: list[str] = Field(max_length=20)
    genres: list[str] = Field(max_length=20)
    moods: list[str] = Field(max_length=20)
    activity: ActivityName | None
    decade: int | None
    refinements: list[ModelRefinement] = Field(max_length=6)


@dataclass
class Grounded:
    """A reading with only what can be backed, and what was not."""

    artists: list[str] = field(default_factory=list)  # catalog artist keys
    genres: list[str] = field(default_factory=list)
    moods: list[str] = field(default_factory=list)
    activities: list[str] = field(default_factory=list)
    era: tuple[int, int] | None = None
    rejected: list[str] = field(default_factory=list)
    found_elsewhere: dict[str, str] = field(default_factory=dict)  # typed → Last.fm name
    live_failed: bool = False

    @property
    def has_entities(self) -> bool:
        return bool(self.artists or self.genres or self.moods or self.activities)


@dataclass
class ModelPlanner:
    """Asks the model for a reading and grounds it; the rules' reading is the fallback."""

    llm: LLMProvider
    planner: Planner
    live: LiveMusic | None = None

    async def read(self, query: str) -> ModelReading | None:
        """The model's schema-valid reading, or None when the model fails (say so, fall back)."""
        messages = conversation(SYSTEM_PROMPT, "Read this music request.", {"request": query})
        try:
            return await self.llm.structured(ModelReading, messages)
        except LLMError as exc:
            log.info("model planner unavailable, rules stand: %s", exc)
            return None

    async def ground(self, reading: ModelReading, query: str) -> Grounded:
        """Keep what the catalog or Last.fm backs: artists that exist; labels and activities
        that exist *and* that the request's own words name (a model cannot add a mood)."""
        out = Grounded()
        vocab = self.planner.vocab
        text = f" {simplify(query)} "

        def said(*phrases: str) -> bool:
            return any(f" {simplify(p)} " in text for p in phrases if p)

        for name in reading.artists[:MAX_ENTITIES]:
            key = self.planner.artists.lookup(name)
            if key is None and self.live is not None:
                found, failed = await self.live.find_artist(name)
                out.live_failed |= failed
                if found is not None:
                    key = artist_key(found)
                    out.found_elsewhere[name] = found
            if key is None:
                out.rejected.append(f"artist '{name}'")
            elif key not in out.artists:
                out.artists.append(key)
        for name in reading.genres[:MAX_ENTITIES]:
            labels = vocab.genres.get(simplify(name))
            if labels is None or not said(name, *labels):
                out.rejected.append(f"genre '{name}'")
            else:
                out.genres.extend(g for g in labels if g not in out.genres)
        for name in reading.moods[:MAX_ENTITIES]:
            labels = vocab.moods.get(simplify(name))
            if labels is None or not said(name, *labels):
                out.rejected.append(f"mood '{name}'")
            else:
                out.moods.extend(m for m in labels if m not in out.moods)
        if reading.activity is not None:
            activity = next((a for a in ACTIVITIES if a.name == reading.activity), None)
            if activity is not None and said(*activity.words):
                out.activities.append(activity.name)
            else:
                out.rejected.append(f"activity '{reading.activity}'")
        decade = reading.decade
        if decade is not None:
            decade_words = (f"{decade}s", f"{decade % 100:02d}s")
            if FIRST_DECADE <= decade <= LAST_DECADE and decade % 10 == 0 and said(*decade_words):
                out.era = (decade, decade + 9)
            else:
                out.rejected.append(f"decade {decade}")
        return out


def merge(rules: Understanding, reading: ModelReading, grounded: Grounded) -> Understanding:
    """The rules' reading, with gaps filled by what the model read *and* could be grounded.

    Each kind of entity the rules found stands; the model's grounded entities fill only the
    kinds the rules found none of. The model's intent is taken only when the rules could not
    read the request (nothing recognised, or an artist they do not know) and the grounded
    entities support it (an artist intent needs an artist, a contextual one an activity).
    """
    untrusted = [f"not trusted: {r}" for r in grounded.rejected]
    if not grounded.has_entities:
        stand = "model reading not grounded: rules stand"
        return replace(rules, signals=[*rules.signals, stand, *untrusted])
    artists = rules.artists or grounded.artists
    genres = rules.genres or grounded.genres
    moods = rules.moods or grounded.moods
    activities = rules.activities or grounded.activities
    unread = not rules.has_entities or (rules.unknown_artist is not None and not rules.artists)
    intent = reading.intent
    supported = (
        (intent not in ARTIST_INTENTS and intent not in SIMILARITY_INTENTS or bool(artists))
        and (intent != Intent.CONTEXTUAL or bool(activities))
        and (intent != Intent.GENRE_MOOD or bool(genres or moods))
        and (intent != Intent.ARTIST_GENRE or bool(genres))
    )
    signals = [*rules.signals, "read by the model, grounded in the catalog"]
    signals += untrusted
    signals += [
        f"'{typed}' found on Last.fm as {name}" for typed, name in grounded.found_elsewhere.items()
    ]
    resolved = bool(artists) and not rules.artists
    return replace(
        rules,
        intent=intent if unread and supported else rules.intent,
        artists=artists,
        genres=genres,
        moods=moods,
        activities=activities,
        era=rules.era or grounded.era,
        unknown_artist=None if resolved else rules.unknown_artist,
        suggestions=[] if resolved else rules.suggestions,
        signals=signals,
        read_by="model",
    )
