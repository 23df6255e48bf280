"""Starting a fit check: the one function the HTTP router, the web UI and the CLI all call.

`start_fit_check` builds a pipeline for one request - its own `Analysis`, the shared read-only
`Resources` - and starts it as a run on the caller's session. The pipeline ends by storing one
turn in the session (a short redacted summary, the score and the tier) so history works.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field

from booth.apps.fitcheck.knowledge import load_companies
from booth.apps.fitcheck.llm_phases import model_phases
from booth.apps.fitcheck.models import Analysis
from booth.apps.fitcheck.ontology import load_ontology
from booth.apps.fitcheck.phases import Engine, Resources, deterministic_phases
from booth.apps.fitcheck.profile import build_candidate, load_profile
from booth.apps.fitcheck.report import turn_summary
from booth.apps.fitcheck.seed_shapes import FIRST_STATUS
from booth.apps.fitcheck.web_research import WebDeepResearch
from booth.config import Settings
from booth.core.host import Host
from booth.core.requests import OptionalSessionId, RequestBody
from booth.core.runs import RunContext, Subscriber
from booth.core.runtime import Run
from booth.core.sessions.access import OpenedSession
from booth.core.text import UserTextRule
from booth.llm import LLMProvider, llm_of
from booth.providers.web import WebResearcher, web_of

APP = "fitcheck"
RESOURCES_KEY = "fitcheck.resources"  # what the loaded resources are shared under on a Host


class FitCheckRequest(RequestBody):
    """The seed's request body, plus the session token booth adds."""

    query: Annotated[str, UserTextRule(3)] = Field(
        max_length=2000, description="Company name or job description to analyze"
    )
    include_thoughts: bool = Field(True, description="Whether to stream thinking steps")
    model_id: str | None = Field(None, max_length=200, description="Model id, echoed in status")
    config_type: Literal["reasoning", "standard"] | None = Field(
        None, description="reasoning: detailed answer (default); standard: concise answer"
    )
    session_id: OptionalSessionId = None
    session_token: str | None = Field(None, description="Token of an existing session")


def load_resources(profile: Path | None = None, knowledge: Path | None = None) -> Resources:
    """Profile, knowledge base and ontology (the bundled files are parsed once per process).

    Raises ProfileError with the bad field when the profile is invalid.
    """
    ontology = load_ontology()
    candidate = build_candidate(load_profile(profile), ontology)
    return Resources(
        candidate=candidate,
        kb=load_companies(ontology),
        ontology=ontology,
        notes_dir=Path(knowledge) if knowledge else None,
    )


def resources_for_settings(host: Host, settings: Settings) -> Resources:
    """The resources the settings name (`fitcheck_profile`, `fitcheck_knowledge`), one per host.

    Fit Check's routes, its hosted agent and the UI tab all ask: they get the same object.
    """
    profile, knowledge = settings.fitcheck_profile, settings.fitcheck_knowledge
    return host.shared(
        (RESOURCES_KEY, profile, knowledge), lambda: load_resources(profile, knowledge)
    )


def build_engine(
    resources: Resources,
    llm: LLMProvider | None = None,
    web: WebResearcher | None = None,
    pace: float = 0.0,
) -> Engine:
    """The offline engine; language phases on the model and research on the web when set up."""
    phases = deterministic_phases(resources)
    if llm is not None:
        phases.update(model_phases(resources, llm))
    if web is not None:
        phases[WebDeepResearch.name] = WebDeepResearch(resources, web, llm)
    return Engine(phases, pace=pace)


def engine_for_host(host: Host, resources: Resources, pace: float = 0.0) -> Engine:
    """The engine the host's upstreams allow (a model, a search provider, or neither)."""
    return build_engine(resources, llm_of(host), web_of(host), pace)


def with_model(host: Host, body: FitCheckRequest) -> FitCheckRequest:
    """The request with the model it will use; a `model_id` not allowed is a 422 INVALID_QUERY.

    Offline, `model_id` is only echoed (the seed's clients send one).
    """
    llm = llm_of(host)
    if llm is None:
        return body
    return body.model_copy(update={"model_id": llm.config.resolve_model(body.model_id)})


def fit_check_pipeline(body: FitCheckRequest, engine: Engine):
    """The run's body: analyse, then record the turn in the session."""

    async def pipeline(ctx: RunContext) -> None:
        state = Analysis(
            query=body.query,
            detailed=body.config_type != "standard",
            model_id=body.model_id,
            config_type=body.config_type,
            engine=engine.kind,
        )
        payload = await engine.run(ctx, state)
        await ctx.sessions.append_turn(
            ctx.session_id,
            {
                "app": APP,
                "run_id": ctx.run_id,
                "summary": turn_summary(state),
                "score": payload["score"],
                "tier": payload["tier"],
                "at": time.time(),
            },
        )

    return pipeline


async def start_fit_check(
    host: Host,
    opened: OpenedSession,
    body: FitCheckRequest,
    client: str | None,
    *,
    resources: Resources,
    engine: Engine | None = None,
) -> tuple[Run, Subscriber]:
    """Start one fit check on the caller's session; returns the run and its first reader.

    `engine` defaults to the phases over `resources` (profile, knowledge): offline, or on the
    host's model when one is configured. A `model_id` the model settings do not allow is a 422.
    """
    engine = engine or engine_for_host(host, resources)
    body = with_model(host, body)
    output = "concise" if body.config_type == "standard" else "detailed"
    status = {
        "status": FIRST_STATUS,  # the seed's first status value
        "message": "Fit check started",
        "model_id": body.model_id,
        "config_type": body.config_type,
        "engine": engine.kind,
        "output": output,
    }
    return await host.start(
        opened,
        app=APP,
        pipeline=fit_check_pipeline(body, engine),
        client=client,
        include_thoughts=body.include_thoughts,
        status=status,
        query=body.query,
    )
