"""booth's own apps as `BoothApp`s: their seed-compatible routes, and each as a hosted agent too.

The routes keep the seeds' contracts byte for byte (they are the same router factories as
before); the agent side serves the same pipelines at `/api/agents/{name}/…`, so a client written
for hosted agents can use booth's apps as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from booth.agents.app import BoothApp
from booth.core.runs import Pipeline

if TYPE_CHECKING:
    from booth.apps.fitcheck.phases import Engine
    from booth.apps.music.pipeline import EngineSlot
    from booth.config import Settings
    from booth.core.host import Host


@dataclass(frozen=True)
class FitCheckAgent:
    """Input: the seed's Fit Check request body (its session fields are the envelope's)."""

    engine: Engine
    kind: str = "booth"

    @property
    def input_type(self) -> Any:
        from booth.apps.fitcheck.service import FitCheckRequest

        return FitCheckRequest

    def pipeline(self, input: Any) -> Pipeline:
        from booth.apps.fitcheck.service import fit_check_pipeline

        return fit_check_pipeline(input, self.engine)

    def describe_input(self, input: Any) -> str:
        return input.query


@dataclass(frozen=True)
class MusicAgent:
    """Input: the seed's recommendation request body (its session fields are the envelope's)."""

    engine: EngineSlot  # the music engine, built on the first turn
    kind: str = "booth"

    @property
    def input_type(self) -> Any:
        from booth.apps.music.service import RecommendationRequest

        return RecommendationRequest

    def pipeline(self, input: Any) -> Pipeline:
        from booth.apps.music.pipeline import TurnRequest, music_pipeline

        turn = TurnRequest(
            query=input.query,
            count=input.max_recommendations,
            include_previews=input.include_previews,
            chat_context=input.chat_context,
        )
        return music_pipeline(self.engine, turn)

    def describe_input(self, input: Any) -> str:
        return input.query


def _fitcheck_agent(host: Host, settings: Settings) -> FitCheckAgent:
    from booth.apps.fitcheck.service import build_engine, resources_for_settings
    from booth.llm import llm_of

    return FitCheckAgent(build_engine(resources_for_settings(host, settings), llm_of(host)))


def _music_agent(host: Host, settings: Settings) -> MusicAgent:
    from booth.apps.music.service import engine_slot

    return MusicAgent(engine_slot(host, settings.music_context_window))  # built on first use


def builtin_apps() -> list[BoothApp]:
    """Fit Check and Music."""
    from booth.apps.fitcheck.router import create_router as fitcheck_routes
    from booth.apps.music.router import create_router as music_routes

    return [
        BoothApp(
            "fitcheck",
            "Fit analysis of a company or job description against a candidate profile",
            routes=fitcheck_routes,
            agent=_fitcheck_agent,
        ),
        BoothApp(
            "music",
            "Track recommendations with follow-ups that remember this session",
            routes=music_routes,
            agent=_music_agent,
        ),
    ]
