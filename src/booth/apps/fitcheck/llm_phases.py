"""Fit Check phases that read and write with a model, each falling back to its offline twin.

The model does the language work - reading a pasted job description into requirements, the
sceptical recruiter's wording, the write-up - through structured outputs into the same typed
`Requirement` / `Comparison` objects the offline engine fills. Booth still decides the number:
the matching and the calibrated score are the deterministic scorer's in both modes. The
rejection gate (the `connecting` phase) always runs offline, first; a pasted job description it
lets through goes to the model at once, so the model reads it while booth researches.

When a model step fails (upstream down, breaker open, an answer that stays invalid after one
repair), the phase runs its deterministic implementation instead, flags
`llm_fallback:<phase>`, and the run says `status: degraded` naming the upstream, once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Coroutine
from dataclasses import replace
from typing import Any, Literal

from pydantic import BaseModel, Field

from booth.apps.fitcheck import report, seed_shapes
from booth.apps.fitcheck.models import Analysis, Assessment, Gap, Requirement, Source
from booth.apps.fitcheck.phases import (
    Connecting,
    ContentEnrich,
    GenerateResults,
    Phase,
    PhaseOutcome,
    Resources,
    SkepticalComparison,
)
from booth.apps.fitcheck.prompts import describe
from booth.apps.fitcheck.requirements import RequirementList, enrich
from booth.core.runs import RunContext
from booth.llm import LLMError, LLMProvider, Message, conversation
from booth.llm.streaming import coalesced

NICE_TO_HAVE_WEIGHT = 0.5
YEARS_WEIGHT = 0.8
DOMAIN_WEIGHT = 2.0
DEGREE_WEIGHT = 1.5  # as the offline reader weighs them (conditions.py)
LANGUAGE_WEIGHT = 1.5
TRAVEL_WEIGHT = 0.8
DEGREE_LABELS = {"bachelor": "Bachelor's degree", "master": "Master's degree", "phd": "PhD"}
READ_KINDS = ("job_description", "web_page")  # sources whose free text the model reads
MAX_SOURCE_CHARS = 12_000  # of one source's text, shown to the model
MAX_STRENGTHS = 4  # the answer contract: at most 4 strengths, at least 2 gaps
MIN_GAPS = 2


# -- what the model answers (strict JSON schemas) ---------------------------------------------
class AskedSkill(BaseModel):
    """One thing to know; several `names` mean "any one of these"."""

    names: list[str] = Field(min_length=1, max_length=6)
    importance: Literal["required", "nice_to_have"]


class JobReading(BaseModel):
    """A job description read into the facts booth scores (content_enrich)."""

    employer: str | None = Field(max_length=120)
    job_title: str | None = Field(max_length=120)
    seniority: Literal["intern", "junior", "mid", "senior", "staff", "principal"] | None
    min_years: int | None = Field(ge=0, le=40)
    degree: Literal["none", "bachelor", "master", "phd"] | None
    people_management: bool
    languages: list[str] = Field(max_length=8, description="human languages required")
    travel_percent: int | None = Field(ge=0, le=100)
    skills: list[AskedSkill] = Field(max_length=30)
    competencies: list[str] = Field(max_length=10)
    domains: list[str] = Field(max_length=6)


class WrittenGap(BaseModel):
    requirement_id: str
    gap: str = Field(min_length=3, max_length=200)
    bridge: str = Field(min_length=3, max_length=300)
    ramp_up: str = Field(min_length=2, max_length=60)


class WrittenStrength(BaseModel):
    requirement_id: str
    text: str = Field(min_length=3, max_length=300)


class SkepticalView(BaseModel):
    """A sceptical recruiter's wording of booth's own matches (skeptical_comparison)."""

    strengths: list[WrittenStrength] = Field(max_length=4)
    gaps: list[WrittenGap] = Field(max_length=8)


# -- shared by every model phase ---------------------------------------------------------------
def system_prompt(phase: str) -> str:
    """The phase's description and rules, exactly as `/api/prompts/{phase}` serves them."""
    spec = describe(phase)
    rules = "\n".join(f"- {rule}" for rule in spec["rules"])
    return (
        f"You are the {phase} step of a job-fit assistant. {spec['description']}\nRules:\n{rules}"
    )


def flag_run(state: Analysis, flag: str) -> None:
    """Add a flag to the run, and to the verdict's flags once there is a verdict to report."""
    state.flags.append(flag)
    if state.verdict is not None:
        state.verdict.flags.append(flag)


async def degrade(ctx: RunContext, state: Analysis, upstream: str, message: str) -> None:
    """Say `status: degraded` naming the upstream, once per run and upstream."""
    flag = f"degraded:{upstream}"
    if flag not in state.flags:
        flag_run(state, flag)
        await ctx.status("degraded", message, upstream=upstream)


async def note_fallback(ctx: RunContext, state: Analysis, phase: str, error: LLMError) -> None:
    """Flag `llm_fallback:<phase>`; the run says it is degraded (once)."""
    flag_run(state, f"llm_fallback:{phase}")
    message = f"The model is unavailable ({error.reason}); continuing offline."
    await degrade(ctx, state, error.upstream, message)
    await ctx.thought(
        "observation", phase, f"Model step failed ({error.reason}); used the offline engine."
    )


def source_text(source: Source) -> str:
    return (source.text or "")[:MAX_SOURCE_CHARS]


# -- content_enrich ------------------------------------------------------------------------------
def requirements_from_reading(
    reading: JobReading, source_id: str, resources: Resources
) -> tuple[list[Requirement], list[str]]:
    """The reading as booth's requirements, grounded in the ontology; and what was dropped."""
    ontology = resources.ontology
    out: list[Requirement] = []
    dropped: list[str] = []
    for asked in reading.skills:
        names = [ontology.canonical(n) for n in asked.names]
        known = tuple(dict.fromkeys(n for n in names if n))
        dropped += [n for n, c in zip(asked.names, names, strict=True) if not c]
        if not known:
            continue
        weight = NICE_TO_HAVE_WEIGHT if asked.importance == "nice_to_have" else 1.0
        kind: Literal["skill", "any_of"] = "skill" if len(known) == 1 else "any_of"
        label = known[0] if kind == "skill" else "One of " + ", ".join(known)
        out.append(
            Requirement(label=label, kind=kind, weight=weight, skills=known, source=source_id)
        )
    for key in dict.fromkeys(reading.competencies):
        if key not in ontology.competencies:
            dropped.append(key)
            continue
        label = ontology.competencies[key].label
        out.append(
            Requirement(label=label, kind="competency", competencies=(key,), source=source_id)
        )
    if reading.degree in ("bachelor", "master", "phd"):
        out.append(
            Requirement(
                label=DEGREE_LABELS[reading.degree],
                kind="degree",
                weight=DEGREE_WEIGHT,
                degree=reading.degree,
                source=source_id,
            )
        )
    if reading.people_management:
        out.append(
            Requirement(label="People management", kind="people_management", source=source_id)
        )
    levels = ontology.lexicon.languages
    for language in reading.languages:
        name = language.strip().title()
        if name in levels.names and name != "English":
            out.append(
                Requirement(
                    label=name,
                    kind="language",
                    weight=LANGUAGE_WEIGHT,
                    language=name,
                    level=levels.default_level,
                    source=source_id,
                )
            )
    if reading.travel_percent:
        out.append(
            Requirement(
                label=f"Travel up to {reading.travel_percent}%",
                kind="travel",
                weight=TRAVEL_WEIGHT,
                travel_percent=reading.travel_percent,
                source=source_id,
            )
        )
    for key in reading.domains:
        domain = ontology.domains.get(key)
        if domain is None or not domain.fundamental:
            continue  # only fundamental domains are requirements, as offline
        out.append(
            Requirement(
                label=f"Experience in {domain.label}",
                kind="domain",
                weight=DOMAIN_WEIGHT,
                domains=(key,),
                source=source_id,
            )
        )
    if reading.min_years:
        out.append(
            Requirement(
                label=f"{reading.min_years}+ years of experience",
                kind="experience",
                weight=YEARS_WEIGHT,
                years=float(reading.min_years),
                source=source_id,
            )
        )
    return out, dropped


def merge_requirements(offline: list[Requirement], read: list[Requirement]) -> list[Requirement]:
    """The offline engine's requirements from other sources plus the model's, deduplicated.

    Years a posting states beat years read from the job title, as offline.
    """
    stated_years = any(r.kind == "experience" for r in read)
    reqs = RequirementList()
    for requirement in offline + read:
        if stated_years and requirement.kind == "experience" and requirement.source == "query":
            continue
        reqs.add(requirement)
    return reqs.build()


def context_notes(reading: JobReading) -> list[str]:
    """What the posting asks that booth keeps as context rather than scoring."""
    notes = []  # languages, travel and degrees are scored requirements now
    if reading.seniority:
        notes.append(f"Seniority: {reading.seniority}")
    return notes


class ModelContentEnrich:
    """Reads job-description and web text with the model; the knowledge base stays offline."""

    name = "content_enrich"
    uses_model = True

    def __init__(self, resources: Resources, llm: LLMProvider) -> None:
        self.resources = resources
        self.llm = llm
        self.offline = ContentEnrich(resources)

    def message(self, state: Analysis) -> str:
        return self.offline.message(state)

    def read_early(self, state: Analysis, kind: str, text: str) -> None:
        """Start the model reading a source this run will have, so it reads while booth
        researches; content_enrich uses the answer if the source is there, else drops it."""
        key = (kind, text[:MAX_SOURCE_CHARS])
        if key in state.early_reads:
            return
        task = asyncio.ensure_future(self._read(state, *key))
        task.add_done_callback(_observed)
        run = asyncio.current_task()
        if run is not None:  # a read the run never used ends with the run
            run.add_done_callback(lambda _: task.cancel())
        state.early_reads[key] = task

    async def run(self, ctx: RunContext, state: Analysis) -> PhaseOutcome:
        early, state.early_reads = state.early_reads, {}
        readable = [s for s in state.sources if s.kind in READ_KINDS and s.text]
        reads = [self._reading(state, early, s) for s in readable]
        for unused in early.values():
            unused.cancel()
        if not readable:
            return await self.offline.run(ctx, state)
        await ctx.thought(
            "tool_call",
            self.name,
            tool="model.read_requirements",
            input=seed_shapes.tool_input({"sources": [s.id for s in readable]}),
        )
        # What the other sources say is booth's own reading: done while the model reads.
        read_ids = {s.id for s in readable}
        others = [s for s in state.sources if s.id not in read_ids]
        context, offline_reqs = enrich(state.classified, others, self.resources.ontology)
        answers = await asyncio.gather(*reads, return_exceptions=True)
        failed = next((a for a in answers if isinstance(a, BaseException)), None)
        if isinstance(failed, LLMError):
            await note_fallback(ctx, state, self.name, failed)
            return await self.offline.run(ctx, state)
        if failed is not None:
            raise failed
        readings = [
            (s, a) for s, a in zip(readable, answers, strict=True) if isinstance(a, JobReading)
        ]
        read: list[Requirement] = []
        notes = list(context.notes)
        for source, reading in readings:
            found, dropped = requirements_from_reading(reading, source.id, self.resources)
            read += found
            notes += context_notes(reading)
            if dropped:
                await ctx.thought(
                    "observation",
                    self.name,
                    "Not in the skill ontology, ignored: " + ", ".join(dropped),
                )
        title = next((r.job_title for _, r in readings if r.job_title), None) or context.role
        employer = next((r.employer for _, r in readings if r.employer), None)
        role = self.resources.ontology.role_family(title)
        state.context = replace(
            context,
            company=employer or context.company,
            role=title,
            role_family=role.key if role else context.role_family,
            notes=tuple(notes),
        )
        state.requirements = merge_requirements(offline_reqs, read)
        await ctx.thought(
            "observation", self.name, f"The model read {len(state.requirements)} requirements."
        )
        shape = seed_shapes.content_enrich(state.sources, state.context, state.requirements)
        return PhaseOutcome(shape.summary, {**shape.data, "engine": "model"})

    def _reading(
        self, state: Analysis, early: dict[tuple[str, str], asyncio.Task[Any]], source: Source
    ) -> asyncio.Task[Any]:
        """The source's read: the one started early if it read this very text, else a new one."""
        key = (source.kind, source_text(source))
        task = early.pop(key, None)
        return task if task is not None else asyncio.ensure_future(self._read(state, *key))

    def _read(self, state: Analysis, kind: str, text: str) -> Coroutine[Any, Any, JobReading]:
        ontology = self.resources.ontology
        task = (
            "Read the posting in the data block. List every skill it asks for (alternatives "
            "as one entry with several names), the minimum years, degree, people management, "
            "human languages and travel. competencies must be keys from: "
            + ", ".join(sorted(ontology.competencies))
            + ". domains must be keys from: "
            + ", ".join(sorted(ontology.domains))
            + ". Use null or empty lists for what the posting does not say."
        )
        messages = conversation(system_prompt(self.name), task, {kind: text})
        return self.llm.structured(JobReading, messages, model=state.model_id)


def _observed(task: asyncio.Task[Any]) -> None:
    """Mark a read's failure as seen: an unused read's error is not worth a log line."""
    if not task.cancelled():
        task.exception()


class ModelConnecting:
    """The offline rejection gate; a pasted job description it lets through (the posting is
    the query, as research finds it) goes to the model at once, to be read during research."""

    name = "connecting"
    uses_model = True

    def __init__(self, resources: Resources, reader: ModelContentEnrich) -> None:
        self.offline = Connecting(resources)
        self.reader = reader

    def message(self, state: Analysis) -> str:
        return self.offline.message(state)

    async def run(self, ctx: RunContext, state: Analysis) -> PhaseOutcome:
        outcome = await self.offline.run(ctx, state)
        if not state.rejected and state.classified.query_type == "job_description":
            self.reader.read_early(state, "job_description", state.query)
        return outcome


# -- skeptical_comparison ------------------------------------------------------------------------
class ModelSkepticalComparison:
    """Booth compares; the model words the strengths and gaps, grounded in booth's matches."""

    name = "skeptical_comparison"
    uses_model = True

    def __init__(self, resources: Resources, llm: LLMProvider) -> None:
        self.resources = resources
        self.llm = llm
        self.offline = SkepticalComparison(resources)

    def message(self, state: Analysis) -> str:
        return self.offline.message(state)

    async def run(self, ctx: RunContext, state: Analysis) -> PhaseOutcome:
        outcome = await self.offline.run(ctx, state)  # booth's comparison: the facts
        comparison = state.compared
        assessments = {a.requirement.id: a for a in state.assessments}
        try:
            view = await self.llm.structured(
                SkepticalView, self._messages(state, assessments), model=state.model_id
            )
        except LLMError as error:
            await note_fallback(ctx, state, self.name, error)
            return outcome
        strengths = [
            s.text
            for s in view.strengths
            if s.requirement_id in assessments
            and assessments[s.requirement_id].status != "unmatched"
        ]
        gaps = [
            Gap(g.gap, g.bridge, g.ramp_up)
            for g in view.gaps
            if g.requirement_id in assessments and assessments[g.requirement_id].status != "matched"
        ]
        # Grounded wording replaces booth's; where the model gave too little, booth's stays.
        if strengths:
            comparison.strengths = strengths[:MAX_STRENGTHS]
        if len(gaps) >= MIN_GAPS:
            comparison.gaps = gaps
        shape = seed_shapes.skeptical_comparison(comparison)  # the seed's strings, again
        return PhaseOutcome(shape.summary, {**shape.data, "engine": "model"})

    def _messages(self, state: Analysis, assessments: dict[str, Assessment]) -> list[Message]:
        matches = [
            {
                "requirement_id": rid,
                "requirement": a.requirement.label,
                "status": a.status,
                "evidence": list(a.evidence[:2]),
                "via": a.via,
            }
            for rid, a in assessments.items()
        ]
        task = (
            "Booth matched the candidate against the role (data block). As a sceptical "
            "recruiter, word at most 4 strengths (only for matched or partial requirements) and "
            "at least 2 gaps (only for unmatched or partial ones), each naming its "
            "requirement_id. Do not invent requirements or evidence."
        )
        return conversation(
            system_prompt(self.name), task, {"matches": json.dumps(matches, ensure_ascii=False)}
        )


# -- generate_results ----------------------------------------------------------------------------
class ModelWriteUp:
    """Streams the model's write-up token by token; booth writes the heading and the score."""

    name = "generate_results"
    uses_model = True

    def __init__(self, resources: Resources, llm: LLMProvider) -> None:
        self.resources = resources
        self.llm = llm
        self.offline = GenerateResults(resources)

    def message(self, state: Analysis) -> str:
        return self.offline.message(state)

    async def run(self, ctx: RunContext, state: Analysis) -> PhaseOutcome:
        if state.rejected or state.insufficient or state.verdict is None:
            return await self.offline.run(ctx, state)  # fixed texts, no analysis to write
        verdict = state.verdict
        score = f"Fit score: {verdict.score}% ({verdict.tier})"
        head = f"### {heading(state)} Fit Analysis\n\n{score}\n\n"
        await ctx.response(head)
        written: list[str] = []
        form = "detailed" if state.detailed else "concise"
        try:
            stream = self.llm.stream_text(self._messages(state), model=state.model_id)
            async with contextlib.aclosing(stream) as tokens:
                async with contextlib.aclosing(coalesced(tokens)) as chunks:
                    async for chunk in report.seed_markdown(chunks):  # the seed's headings
                        written.append(chunk)
                        await ctx.response(chunk)
        except LLMError as error:
            await note_fallback(ctx, state, self.name, error)
            rest = _offline_body(state, self.resources)
            if written:  # no rule line: res_web's page would show it as a list item
                rest = "\n\n" + rest
            await ctx.response(rest)
            written.append(rest)
        body = "".join(written)
        if "Growth Opportunities" not in body:  # the contract's sections must be there
            missing = "\n\n" + _offline_body(state, self.resources)
            await ctx.response(missing)
            body += missing
            flag_run(state, f"llm_incomplete:{self.name}")
        state.answer = head + body
        await ctx.thought("reasoning", self.name, f"Wrote a {form} answer with the model.")
        shape = seed_shapes.generate_results(
            state.answer, form, state.verdict, state.comparison, state.context
        )
        return PhaseOutcome(shape.summary, {**shape.data, "engine": "model"})

    def _messages(self, state: Analysis) -> list[Message]:
        comparison, verdict = state.comparison, state.verdict
        assert comparison is not None and verdict is not None
        analysis = {
            "role": heading(state),
            "score": verdict.score,
            "tier": verdict.tier,
            "strengths": comparison.strengths,
            "gaps": [g.to_dict() for g in comparison.gaps],
            "transferable": comparison.transferable,
            "matched": [a.requirement.label for a in state.assessments if a.status == "matched"],
            "unmatched": [
                a.requirement.label for a in state.assessments if a.status == "unmatched"
            ],
        }
        length = (
            "Be concise: two sections, short bullets."
            if not state.detailed
            else "Be thorough: give each bullet its evidence from the analysis."
        )
        task = (
            "The heading and the fit score are already written; do not restate a score. "
            "Continue with a line '**Key Strengths**' and at most 4 '- ' bullets, then a line "
            "'**Growth Opportunities**' and every gap as '- **<gap>**: <bridge>. Ramp-up: "
            "<estimate>.', from the analysis in the data block only; no other headings, and "
            f"nothing after Growth Opportunities. {length}"
        )
        return conversation(
            system_prompt(self.name), task, {"analysis": json.dumps(analysis, ensure_ascii=False)}
        )


def heading(state: Analysis) -> str:
    """`<Role> at <Company>` as the model read them from the posting, else as offline."""
    context = state.context
    if context is not None and context.role and context.company:
        return f"{context.role} at {context.company}"
    return report.heading(state)


def _offline_body(state: Analysis, resources: Resources) -> str:
    """The deterministic answer without its heading and score line (booth already wrote them)."""
    full = report.render_analysis(state, resources.candidate)
    start = full.find(f"**{report.STRENGTHS_SECTION}**")
    return full[start:] if start >= 0 else full


def model_phases(resources: Resources, llm: LLMProvider) -> dict[str, Phase]:
    """The phases that use the model, by name; the rest of the engine stays offline."""
    reader = ModelContentEnrich(resources, llm)
    return {
        ModelConnecting.name: ModelConnecting(resources, reader),
        ModelContentEnrich.name: reader,
        ModelSkepticalComparison.name: ModelSkepticalComparison(resources, llm),
        ModelWriteUp.name: ModelWriteUp(resources, llm),
    }
