"""The eight phases of a fit analysis, and the engine that runs them in the seed's order.

A phase is a small object with a `name`, a `message` for the `phase` event, and
`async run(ctx, state) -> PhaseOutcome`. It reads the `Analysis` earlier phases filled in, adds
its own part, and reports its reasoning as thoughts through `ctx`, the run's `RunContext`
(`ctx.thought(kind, self.name, ...)`). The deterministic phases here call the plain functions
in classify, research, requirements and scoring; an LLM-backed phase only has to fill in the
same fields of the `Analysis`, so phases can be replaced one at a time
(`Engine(phases={**deterministic_phases(resources), "generate_results": MyLLMPhase()})`).

The engine owns the order, the research retry loop (at most three attempts), the early exits
for rejected queries and INSUFFICIENT_DATA, and the `phase` / `phase_complete` / `result` events.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from booth.apps.fitcheck import report, seed_shapes
from booth.apps.fitcheck.classify import classify
from booth.apps.fitcheck.knowledge import KnowledgeBase, load_notes
from booth.apps.fitcheck.models import MAX_RESEARCH_ATTEMPTS, PHASES, Analysis, Tally
from booth.apps.fitcheck.ontology import Ontology
from booth.apps.fitcheck.profile import Candidate
from booth.apps.fitcheck.requirements import enrich
from booth.apps.fitcheck.research import gather, judge, merge, plan_search
from booth.apps.fitcheck.scoring import assess_all, calibrate, compare, raw_score
from booth.apps.fitcheck.wording import plural
from booth.core.runs import RunContext


@dataclass(frozen=True)
class Resources:
    """The read-only knowledge every run shares: candidate, companies, ontology, notes folder."""

    candidate: Candidate
    kb: KnowledgeBase
    ontology: Ontology
    notes_dir: Path | None = None


@dataclass
class PhaseOutcome:
    summary: str
    data: dict[str, Any] = field(default_factory=dict)


def shaped(outcome: seed_shapes.Shaped) -> PhaseOutcome:
    """A phase's outcome in the seed's shapes (booth.apps.fitcheck.seed_shapes)."""
    return PhaseOutcome(outcome.summary, outcome.data)


class Phase(Protocol):
    name: str

    def message(self, state: Analysis) -> str: ...

    async def run(self, ctx: RunContext, state: Analysis) -> PhaseOutcome: ...


def _preview(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"


# -- 1. connecting ------------------------------------------------------------------------------
class Connecting:
    name = "connecting"

    def __init__(self, resources: Resources) -> None:
        self.resources = resources

    def message(self, state: Analysis) -> str:
        return "Reading the query"

    async def run(self, ctx: RunContext, state: Analysis) -> PhaseOutcome:
        await ctx.thought(
            "tool_call",
            self.name,
            tool="classify_query",
            input=seed_shapes.tool_input({"query": _preview(state.query)}),
        )
        c = classify(state.query, self.resources.kb, self.resources.ontology)
        state.classification = c
        await ctx.thought("observation", self.name, c.reason)
        if c.rejection:
            await ctx.thought(
                "reasoning", self.name, f"Not running an analysis: {c.rejection.replace('_', ' ')}."
            )
        else:
            parts = [f"type={c.query_type}"]
            if c.company_name:
                known = "known" if c.known_company else "not in the knowledge base"
                parts.append(f"employer={c.company_name} ({known})")
            if c.job_title:
                parts.append(f"role={c.job_title}")
            if c.extracted_skills:
                parts.append(f"skills={', '.join(c.extracted_skills)}")
            await ctx.thought("reasoning", self.name, "Understood: " + "; ".join(parts) + ".")
            if c.named_in_passing:
                await ctx.thought(
                    "observation",
                    self.name,
                    f"Named in passing, as context and not the employer: "
                    f"{', '.join(c.named_in_passing)}.",
                )
        return shaped(seed_shapes.connecting(c))


# -- 2. deep_research ---------------------------------------------------------------------------
class DeepResearch:
    name = "deep_research"

    def __init__(self, resources: Resources) -> None:
        self.resources = resources

    def message(self, state: Analysis) -> str:
        who = state.classification.company_name if state.classification else None
        target = who or "the role"
        return f"Researching {target} (attempt {state.attempt} of {MAX_RESEARCH_ATTEMPTS})"

    async def run(self, ctx: RunContext, state: Analysis) -> PhaseOutcome:
        c = state.classified
        words = self.resources.ontology.lexicon.employers.generic_name_words
        search = plan_search(c, state.attempt, words)
        state.queries = list(search.queries)
        await ctx.thought(
            "tool_call",
            self.name,
            tool="knowledge_base.search",
            input=seed_shapes.tool_input(
                {"strategy": search.strategy, "queries": list(search.queries)}
            ),
        )
        # Notes are read once per run, off the event loop, so a newly dropped note counts at once.
        if state.notes is None:
            folder = self.resources.notes_dir
            state.notes = await asyncio.to_thread(load_notes, folder) if folder else []
        notes = state.notes
        if notes:
            await ctx.thought(
                "tool_call",
                self.name,
                tool="notes.search",
                input=seed_shapes.tool_input(
                    {"folder_files": len(notes), "queries": list(search.queries)}
                ),
            )
        found = gather(c, search, state.query, self.resources.kb, notes)
        state.sources = merge(state.sources, found)
        if found:
            for source in found:
                await ctx.thought(
                    "observation", self.name, f"Found {source.title} (via {source.found_by!r})."
                )
        else:
            await ctx.thought(
                "observation", self.name, f"Nothing found with the {search.strategy} strategy."
            )
        company = next((s.company for s in state.sources if s.company is not None), None)
        if company is not None:
            await ctx.thought(
                "reasoning",
                self.name,
                f"{company.name}: {company.industry}, {company.size}, stack "
                f"{', '.join(company.tech_stack[:6])}.",
            )
        facts = seed_shapes.findings(state.sources, self.resources.ontology, state.readings)
        return shaped(
            seed_shapes.deep_research(
                facts, state.sources, search.queries, search.strategy, state.attempt
            )
        )


# -- 3. research_reranker -----------------------------------------------------------------------
class ResearchReranker:
    name = "research_reranker"

    def __init__(self, resources: Resources) -> None:
        self.resources = resources

    def message(self, state: Analysis) -> str:
        return "Judging the research"

    async def run(self, ctx: RunContext, state: Analysis) -> PhaseOutcome:
        before = len(state.sources)
        judgement = judge(state.sources, state.attempt, self.resources.ontology, state.readings)
        state.sources = judgement.sources
        state.data_quality = judgement.data_quality
        state.decision = judgement.decision
        for reason in judgement.reasons:
            await ctx.thought("observation", self.name, reason)
        if judgement.decision == "retry":
            await ctx.thought(
                "reasoning",
                self.name,
                f"Data quality {judgement.data_quality} ({judgement.signals} signals): "
                f"retrying with broader queries.",
            )
        elif judgement.decision == "insufficient":
            await ctx.thought(
                "reasoning",
                self.name,
                f"Still too little after {state.attempt} attempts: "
                "stopping with INSUFFICIENT_DATA.",
            )
        else:
            await ctx.thought(
                "reasoning", self.name, f"Data quality {judgement.data_quality}: enough to analyse."
            )
        kinds = sorted({s.kind for s in state.sources})
        if "user_note" in kinds:
            state.flags.append("user_notes_used")
        if "knowledge_base" in kinds:
            state.flags.append("knowledge_base_snapshot")
            if any(s.kind == "knowledge_base" and s.match_ratio < 1.0 for s in state.sources):
                state.flags.append("approximate_company_match")
        state.flags = list(dict.fromkeys(state.flags))
        return shaped(
            seed_shapes.research_reranker(
                state.sources,
                judgement.data_quality,
                judgement.decision,
                judgement.signals,
                state.flags,
                state.attempt,
                pruned=before - len(state.sources),
            )
        )


# -- 4. content_enrich --------------------------------------------------------------------------
class ContentEnrich:
    name = "content_enrich"

    def __init__(self, resources: Resources) -> None:
        self.resources = resources

    def message(self, state: Analysis) -> str:
        return "Extracting requirements"

    async def run(self, ctx: RunContext, state: Analysis) -> PhaseOutcome:
        await ctx.thought(
            "tool_call",
            self.name,
            tool="extract_requirements",
            input=seed_shapes.tool_input({"sources": [s.id for s in state.sources]}),
        )
        context, requirements = enrich(
            state.classified, state.sources, self.resources.ontology, state.readings
        )
        state.context, state.requirements = context, requirements
        kinds: dict[str, int] = {}
        for r in requirements:
            kinds[r.kind] = kinds.get(r.kind, 0) + 1
        await ctx.thought(
            "observation",
            self.name,
            f"{len(requirements)} requirements: "
            + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(kinds.items())),
        )
        if context.role_family:
            await ctx.thought("reasoning", self.name, f"Role family: {context.role_family}.")
        return shaped(seed_shapes.content_enrich(state.sources, context, requirements))


# -- 5. skeptical_comparison --------------------------------------------------------------------
class SkepticalComparison:
    name = "skeptical_comparison"

    def __init__(self, resources: Resources) -> None:
        self.resources = resources

    def message(self, state: Analysis) -> str:
        return "Comparing skeptically"

    async def run(self, ctx: RunContext, state: Analysis) -> PhaseOutcome:
        r = self.resources
        # Assessed once here; skills_matching reports these same assessments.
        state.assessments = assess_all(state.requirements, r.candidate, r.ontology)
        comparison = compare(state.assessments, r.candidate, state.employer, r.ontology)
        state.comparison = comparison
        state.tally = Tally.of(state.assessments, comparison.gaps)
        await ctx.thought(
            "reasoning",
            self.name,
            f"{plural(len(comparison.strengths), 'genuine strength')}, "
            f"{plural(len(comparison.gaps), 'gap')}; risk {comparison.risk}.",
        )
        for mismatch in comparison.domain_mismatches:
            await ctx.thought(
                "observation", self.name, f"Fundamental mismatch: no {mismatch} in the profile."
            )
        for item in comparison.transferable[:3]:
            await ctx.thought("observation", self.name, f"Transferable: {item}.")
        return shaped(seed_shapes.skeptical_comparison(comparison))


# -- 6. skills_matching -------------------------------------------------------------------------
class SkillsMatching:
    name = "skills_matching"

    def __init__(self, resources: Resources) -> None:
        self.resources = resources

    def message(self, state: Analysis) -> str:
        return "Matching every requirement"

    async def run(self, ctx: RunContext, state: Analysis) -> PhaseOutcome:
        r = self.resources
        if not state.assessments:  # a replaced comparison phase may leave them to this one
            state.assessments = assess_all(state.requirements, r.candidate, r.ontology)
        gaps = state.comparison.gaps if state.comparison else None
        tally = state.tally = Tally.of(state.assessments, gaps)
        await ctx.thought(
            "tool_call",
            self.name,
            tool="match_requirements",
            input=seed_shapes.tool_input({"requirements": len(state.requirements)}),
        )
        await ctx.thought("observation", self.name, f"The profile {tally.sentence()}.")
        outcome = shaped(
            seed_shapes.skills_matching(
                state.assessments, raw_score(state.assessments), state.comparison
            )
        )
        outcome.data["counts"] = tally.model_dump()  # the result's and the answer's numbers
        return outcome


# -- 7. confidence_reranker ---------------------------------------------------------------------
class ConfidenceReranker:
    name = "confidence_reranker"

    def __init__(self, resources: Resources) -> None:
        self.resources = resources

    def message(self, state: Analysis) -> str:
        return "Calibrating the score"

    async def run(self, ctx: RunContext, state: Analysis) -> PhaseOutcome:
        c = state.classified
        has_jd = any(s.kind == "job_description" for s in state.sources)
        scope = "job_description" if has_jd else ("role" if c.job_title else "company")
        verdict = calibrate(
            state.assessments, state.compared, state.data_quality or "LOW", state.flags, scope
        )
        state.verdict = verdict
        for line in verdict.rationale:
            await ctx.thought("reasoning", self.name, line)
        return shaped(
            seed_shapes.confidence_reranker(
                verdict, state.data_quality or "LOW", len(state.requirements), state.comparison
            )
        )


# -- 8. generate_results ------------------------------------------------------------------------
class GenerateResults:
    name = "generate_results"

    def __init__(self, resources: Resources) -> None:
        self.resources = resources

    def message(self, state: Analysis) -> str:
        return "Writing the answer"

    async def run(self, ctx: RunContext, state: Analysis) -> PhaseOutcome:
        if state.rejected:
            answer = report.render_rejection(state)
        elif state.insufficient or state.verdict is None:
            answer = report.render_insufficient(state)
        else:
            answer = report.render_analysis(state, self.resources.candidate)
        state.answer = answer
        form = "detailed" if state.detailed else "concise"
        await ctx.thought("reasoning", self.name, f"Writing a {form} answer.")
        for chunk in report.chunks(answer):
            await ctx.response(chunk)
            await ctx.checkpoint()
        return shaped(
            seed_shapes.generate_results(
                answer, form, state.verdict, state.comparison, state.context
            )
        )


def deterministic_phases(resources: Resources) -> dict[str, Phase]:
    """The offline engine's phases, by name."""
    classes = (
        Connecting,
        DeepResearch,
        ResearchReranker,
        ContentEnrich,
        SkepticalComparison,
        SkillsMatching,
        ConfidenceReranker,
        GenerateResults,
    )
    return {cls.name: cls(resources) for cls in classes}


class Engine:
    """Runs the phases in order for one run; holds no per-run state itself."""

    def __init__(self, phases: Mapping[str, Phase], pace: float = 0.0) -> None:
        missing = [name for name in PHASES if name not in phases]
        if missing:
            raise ValueError(f"engine is missing phases: {missing}")
        self.phases = dict(phases)
        self.kind = (
            "model"
            if any(getattr(p, "uses_model", False) for p in phases.values())
            else "deterministic"
        )
        self.pace = pace  # seconds between phases, for demos; 0 in production and tests

    async def _phase(self, run: RunContext, name: str, state: Analysis) -> None:
        phase = self.phases[name]
        started = time.monotonic()
        if name in seed_shapes.PHASE_STATUS:
            status, message = seed_shapes.PHASE_STATUS[name]
            await run.status(status, message)
        await run.phase(name, phase.message(state))
        outcome = await phase.run(run, state)
        await run.checkpoint()
        if self.pace:
            await asyncio.sleep(self.pace)
        await run.phase_complete(
            name, outcome.summary, outcome.data, int((time.monotonic() - started) * 1000)
        )

    async def run(self, run: RunContext, state: Analysis) -> dict[str, Any]:
        """All phases for one query; emits the `result` event and returns its payload."""
        await self._phase(run, "connecting", state)
        if not state.rejected:
            for attempt in range(1, MAX_RESEARCH_ATTEMPTS + 1):
                state.attempt = attempt
                await self._phase(run, "deep_research", state)
                await self._phase(run, "research_reranker", state)
                if state.decision != "retry":
                    break
            if not state.insufficient:
                for name in PHASES[3:7]:
                    await self._phase(run, name, state)
        await self._phase(run, "generate_results", state)
        payload = report.result_payload(state)
        await run.result(payload)
        return payload
