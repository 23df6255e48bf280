"""What a Fit Check run looks like so far: a model built from its events, rendered as HTML.

`RunView.apply` folds one event in; the `*_html` functions draw the timeline of phases, the
thoughts feed and the final result from the model. Keeping the model separate from Gradio means
the tab only moves events from the run to the view and the view to the page. Events are read
through their typed payloads, the result through `FitResult` (only the fields shown here).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from booth.apps.fitcheck.models import PHASES as PHASE_ORDER
from booth.apps.fitcheck.models import Tally
from booth.apps.fitcheck.report import REJECTION_TEXT
from booth.core.errors import BoothError
from booth.core.events import Event
from booth.core.payloads import (
    CompletePayload,
    ErrorPayload,
    PhaseCompletePayload,
    PhasePayload,
    ResponsePayload,
    ResultPayload,
    StatusPayload,
    ThoughtPayload,
)
from booth.ui.fitcheck_phases import ACTIVE_TEXT, finding, label, meets
from booth.ui.render import error_notice, esc, notice, upstream_name
from booth.ui.status import RunState, status_html

THOUGHTS_SHOWN = 150  # newest first; older ones stay in the run's event log
SOURCE_KINDS = {
    "knowledge_base": "booth’s company notes",
    "user_note": "your notes",
    "job_description": "the job description",
}
TIER_LABELS = {
    "HIGH": "High fit",
    "MEDIUM": "Medium fit",
    "LOW": "Low fit",
    "INSUFFICIENT_DATA": "Not enough information",
}
TOOL_LABELS = {
    "classify_query": "read the request",
    "knowledge_base.search": "search the company notes",
    "extract_requirements": "list the requirements",
    "match_requirements": "match the requirements",
    "web_search": "search the web",
    "fetch_page": "read a page",
}
RISK_WORDS = {"low": "low risk", "moderate": "moderate risk", "high": "high risk"}


class _Read(BaseModel):
    model_config = ConfigDict(extra="ignore")


class GapItem(_Read):
    gap: str = ""
    bridge: str | None = None
    ramp_up: str | None = None


class Assessed(_Read):
    requirement: str = ""
    status: str = "matched"


class SourceItem(_Read):
    title: str = ""
    type: str = ""


class FitResult(_Read):
    """The fields of Fit Check's `result` event the page shows."""

    score: float | None = None
    tier: str = "INSUFFICIENT_DATA"
    company: str | None = None
    role: str | None = None
    strengths: list[str] = []
    gaps: list[GapItem | str] = []
    matched: list[Assessed] = []
    unmatched: list[Assessed] = []
    sources: list[SourceItem] = []
    counts: Tally | None = None  # the one tally the write-up and the timeline also use
    risk: str | None = None
    rejected: bool = False
    flags: list[str] = []

    @property
    def rejection(self) -> str:
        kinds = [f.split(":", 1)[1] for f in self.flags if f.startswith("rejected:")]
        return kinds[0] if kinds else "off_topic"


PhaseStatus = Literal["pending", "active", "done", "skipped", "failed"]


@dataclass
class PhaseState:
    status: PhaseStatus = "pending"
    found: str = ""
    duration_ms: int = 0
    attempts: int = 0


@dataclass
class RunView:
    phases: dict[str, PhaseState] = field(
        default_factory=lambda: {name: PhaseState() for name in PHASE_ORDER}
    )
    thoughts: list[ThoughtPayload] = field(default_factory=list)
    answer: str = ""
    result: FitResult | None = None
    error: ErrorPayload | None = None
    duration_ms: int | None = None
    run_id: str = ""
    degraded: str = ""  # the upstream a `status: degraded` named: it is down, booth carries on

    def apply(self, event: Event) -> None:
        """Fold one event of the run into the view."""
        payload = event.payload()
        if isinstance(payload, StatusPayload):
            self.run_id = self.run_id or payload.run_id or ""
            if payload.status == "degraded":
                self.degraded = str(payload.extra.get("upstream") or "llm")
        elif isinstance(payload, PhasePayload):
            self._enter(payload.phase)
        elif isinstance(payload, PhaseCompletePayload):
            phase = self._phase(payload.phase)
            phase.status = "done"
            phase.found = finding(payload.phase, payload.data)
            phase.duration_ms = payload.duration_ms
        elif isinstance(payload, ThoughtPayload):
            self.thoughts.append(payload)
        elif isinstance(payload, ResponsePayload):
            self.answer += payload.chunk
        elif isinstance(payload, ResultPayload):
            self.result = _read_result(payload)
        elif isinstance(payload, CompletePayload):
            self.duration_ms = payload.duration_ms
            for phase in self.phases.values():  # a refusal or too little data skips phases
                if phase.status == "pending":
                    phase.status = "skipped"
                    phase.found = "Not needed for this request."
        elif isinstance(payload, ErrorPayload):
            self.error = payload
            for phase in self.phases.values():
                if phase.status == "active":
                    phase.status = "failed"

    def fail(self, error: BoothError) -> None:
        """The run failed before its events could say so: show it like a run's error."""
        self.error = ErrorPayload.of(error)

    def _phase(self, name: str) -> PhaseState:
        return self.phases.setdefault(name, PhaseState())

    def _enter(self, name: str) -> None:
        """A phase starts; re-entering one (research loops back) resets the phases after it."""
        phase = self._phase(name)
        phase.status = "active"
        phase.attempts += 1
        if name in PHASE_ORDER:
            for later in PHASE_ORDER[PHASE_ORDER.index(name) + 1 :]:
                if self.phases[later].status == "done":
                    self.phases[later] = PhaseState(attempts=self.phases[later].attempts)

    @property
    def done_count(self) -> int:
        return sum(1 for p in self.phases.values() if p.status == "done")

    @property
    def active_phase(self) -> str:
        return next((n for n, p in self.phases.items() if p.status == "active"), "")

    @property
    def finished(self) -> bool:
        return self.duration_ms is not None or self.error is not None


def _read_result(payload: ResultPayload) -> FitResult:
    try:
        return payload.as_model(FitResult)
    except ValidationError:  # a result this page cannot read: say there is no score
        return FitResult()


# -- the status line -----------------------------------------------------------------------------
def run_status_html(view: RunView) -> str:
    """The tab's live status: what is happening now, or how the run ended."""
    if view.error is not None:
        return status_html(RunState.FAILED, "The fit check stopped: see the message below.")
    if view.result is not None and view.duration_ms is not None:
        return status_html(RunState.DONE, _outcome_sentence(view.result))
    active = view.active_phase
    if not active:
        return status_html(RunState.RUNNING, "Starting the fit check…")
    step = f"Step {min(view.done_count + 1, len(view.phases))} of {len(view.phases)}"
    return status_html(RunState.RUNNING, f"{step}: {label(active)}.")


def _outcome_sentence(result: FitResult) -> str:
    if result.rejected:
        return "Done: this request was not a fit check."
    if result.tier not in ("HIGH", "MEDIUM", "LOW") or result.score is None:
        return "Done: not enough information for a score."
    return f"Done: {round(result.score)}% — {TIER_LABELS[result.tier].lower()}. Results below."


# -- the timeline --------------------------------------------------------------------------------
def phases_html(view: RunView | None) -> str:
    """The 8 phases as a timeline: what each found, how long it took; the active one spins."""
    view = view or RunView()
    total = len(view.phases)
    finished = view.duration_ms is not None
    percent = 100 if finished else round(100 * view.done_count / total) if total else 0
    longest = max((p.duration_ms for p in view.phases.values()), default=0)
    rows = "".join(_phase_row(name, phase, longest) for name, phase in view.phases.items())
    warning = ""
    if view.degraded:
        warning = notice(
            "warning",
            f"{upstream_name(view.degraded)} is not answering right now",
            "The fit check carries on with booth’s offline engine, so the write-up is the "
            "standard one.",
            code="DEGRADED",
        )
    spent = sum(p.duration_ms for p in view.phases.values())
    head = f"Done in {format_duration(spent)}" if finished else f"{view.done_count} of {total}"
    return (
        f'<div class="phases" data-done="{view.done_count}" data-total="{total}" '
        f'data-active="{esc(view.active_phase)}">'
        f'<div class="phases-head"><span>How it went</span><span>{head}</span></div>'
        f'<div class="progress" aria-hidden="true"><span style="width:{percent}%"></span></div>'
        f'{warning}<ol class="phase-list">{rows}</ol></div>'
    )


def _phase_row(name: str, phase: PhaseState, longest: int) -> str:
    detail = phase.found if phase.status in ("done", "skipped") else ""
    if phase.status == "active":
        detail = ACTIVE_TEXT.get(name, "Working…")
    elif phase.status == "failed":
        detail = "Stopped here."
    badges = ""
    if phase.attempts > 1:
        badges += f'<span class="phase-attempt">tried {phase.attempts} times</span>'
    bar = ""
    if phase.status == "done":
        badges += f'<span class="phase-ms">{format_duration(phase.duration_ms)}</span>'
        share = round(100 * phase.duration_ms / longest) if longest else 0
        bar = (
            f'<span class="phase-bar" aria-hidden="true"><span style="width:{share}%">'
            "</span></span>"
        )
    return (
        f'<li class="phase phase-{phase.status}" data-phase="{esc(name)}" '
        f'data-status="{phase.status}" data-ms="{phase.duration_ms}">'
        f'<span class="phase-mark" aria-hidden="true"></span>'
        f'<div class="phase-text"><div class="phase-name">{esc(label(name))}'
        f'<span class="visually-hidden"> ({_STATUS_WORDS[phase.status]})</span>{badges}</div>'
        f'<div class="phase-detail">{esc(detail)}</div>{bar}</div></li>'
    )


_STATUS_WORDS = {
    "pending": "to do",
    "active": "in progress",
    "done": "done",
    "skipped": "skipped",
    "failed": "failed",
}


def format_duration(ms: int) -> str:
    if ms < 1:
        return "under 1 ms"
    return f"{ms} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


# -- thoughts ----------------------------------------------------------------------------------
def thoughts_html(view: RunView | None) -> str:
    """The agent's steps, newest first."""
    if view is None or not view.thoughts:
        return '<div class="thoughts empty">The agent’s steps appear here while it works.</div>'
    shown = view.thoughts[-THOUGHTS_SHOWN:][::-1]
    items = [_thought_html(thought) for thought in shown]
    more = len(view.thoughts) - len(shown)
    tail = f'<li class="thought-more">… and {more} earlier steps</li>' if more > 0 else ""
    return (
        f'<ol class="thoughts" data-count="{len(view.thoughts)}" tabindex="0" '
        f'aria-label="Agent thoughts, newest first">{"".join(items)}{tail}</ol>'
    )


THOUGHT_KINDS = {"tool_call": "action", "observation": "found", "reasoning": "thinking"}


def _thought_html(thought: ThoughtPayload) -> str:
    head = label(thought.phase)
    if thought.tool:
        head += " · " + TOOL_LABELS.get(thought.tool, thought.tool.replace("_", " "))
    body = thought.content
    if body is None and thought.input is not None:  # the seed sends text; others send objects
        body = _plain_input(thought.input)
    kind = THOUGHT_KINDS.get(thought.type, thought.type)
    return (
        f'<li class="thought thought-{esc(thought.type)}" data-step="{thought.step}">'
        f'<div class="thought-head"><span class="thought-kind">{esc(kind)}'
        f'</span>{esc(head)}</div><div class="thought-body">{esc(body or "")}</div></li>'
    )


def _plain_input(raw: Any) -> str:
    """A tool's input as words: `{"requirements": 7}` reads "requirements: 7"."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, dict):
        return "; ".join(f"{str(k).replace('_', ' ')}: {_plain_value(v)}" for k, v in raw.items())
    return _plain_value(raw)


def _plain_value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_plain_value(v) for v in value)
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=str)


# -- result ------------------------------------------------------------------------------------
def result_html(view: RunView | None) -> str:
    """The end of a run: the score gauge and cards, or the error and what to do next."""
    if view is None:
        return (
            '<div class="result-empty">Type a company name or paste a job description, '
            "then run the fit check. The score, strengths and gaps appear here.</div>"
        )
    if view.error is not None:
        notice_html = error_notice(view.error.code, view.error.message, view.error.retry_after)
        return f'<div data-reveal="{esc(view.run_id or "error")}">{notice_html}</div>'
    if view.result is None:
        return (
            '<div class="result-empty">The score, strengths and gaps appear here when the run '
            "ends.</div>"
        )
    return _final_html(view.result, view.duration_ms, view.run_id)


def _final_html(result: FitResult, duration_ms: int | None, run_id: str) -> str:
    if result.rejected:
        return f'<div data-reveal="{esc(run_id)}">{_rejected_html(result)}</div>'
    parts = [
        f'<div class="fit-result" data-reveal="{esc(run_id)}">',
        _heading_html(result),
        gauge_html(result.score, result.tier),
        _summary_html(result),
        _cards_html("Key strengths", "strengths", [_strength_html(s) for s in result.strengths]),
        _cards_html("Growth opportunities", "gaps", [_gap_html(g) for g in result.gaps]),
        _sources_html(result.sources),
    ]
    if duration_ms is not None:
        parts.append(f'<div class="duration">Finished in {format_duration(duration_ms)}</div>')
    parts.append("</div>")
    return "".join(parts)


def _heading_html(result: FitResult) -> str:
    company, role = result.company, result.role
    target = f"{role} at {company}" if company and role else company or role or "The role"
    return f'<h2 class="fit-heading">{esc(target)}: fit analysis</h2>'


def _summary_html(result: FitResult) -> str:
    """One line under the gauge, counted from the result event: the write-up says the same."""
    if result.tier == "INSUFFICIENT_DATA":
        return notice(
            "warning",
            "Not enough information to score this honestly",
            "Too little is known about this employer to compare it with the profile.",
            "Paste the job description instead: the requirements it lists are the best source.",
        )
    facts = [meets(result.counts)] if result.counts and result.counts.requirements else []
    if result.risk:
        facts.append(RISK_WORDS.get(result.risk, f"{result.risk} risk"))
    return f'<div class="fit-summary">{esc(" · ".join(facts))}</div>' if facts else ""


def _rejected_html(result: FitResult) -> str:
    return notice(
        "warning",
        "Fit analysis not run",
        REJECTION_TEXT.get(result.rejection, REJECTION_TEXT["off_topic"]),
        "Ask about a company (for example “Stripe”) or paste a job description.",
        code="REJECTED",
    )


def gauge_html(score: float | None, tier: str) -> str:
    """A half-circle gauge; no number at all when there was too little data to score."""
    known = tier != "INSUFFICIENT_DATA" and score is not None
    value = max(0, min(100, int(score or 0))) if known else 0
    length = 125.66  # the arc's length: π × radius 40
    shown = f"{value}%" if known else "—"
    name = f"Fit score {value}%, {TIER_LABELS.get(tier, tier)}" if known else "No fit score"
    return (
        f'<div class="gauge tier-{esc(tier.lower())}" data-score="{value if known else ""}" '
        f'data-tier="{esc(tier)}">'
        f'<svg viewBox="0 0 100 56" role="img" aria-label="{esc(name)}">'
        '<path class="gauge-track" d="M10 50 A40 40 0 0 1 90 50" />'
        f'<path class="gauge-fill" d="M10 50 A40 40 0 0 1 90 50" '
        f'stroke-dasharray="{length * value / 100:.2f} {length:.2f}" /></svg>'
        f'<div class="gauge-score" aria-hidden="true">{shown}</div>'
        f'<div class="gauge-tier">{esc(TIER_LABELS.get(tier, tier))}</div></div>'
    )


def _cards_html(title: str, kind: str, cards: list[str]) -> str:
    if not cards:
        return ""
    return (
        f'<section class="cards cards-{kind}"><h3>{esc(title)}</h3>'
        f'<div class="card-list">{"".join(cards)}</div></section>'
    )


def _strength_html(item: str) -> str:
    return f'<article class="card card-strength"><p>{esc(item)}</p></article>'


def _gap_html(item: GapItem | str) -> str:
    if isinstance(item, str):
        return f'<article class="card card-gap"><h4>{esc(item)}</h4></article>'
    ramp = f'<span class="ramp">Time to learn: {esc(item.ramp_up)}</span>' if item.ramp_up else ""
    bridge = f"<p>{esc(item.bridge)}</p>" if item.bridge else ""
    return f'<article class="card card-gap"><h4>{esc(item.gap)}</h4>{bridge}{ramp}</article>'


def _sources_html(sources: list[SourceItem]) -> str:
    if not sources:
        return ""
    items = "".join(
        f"<li>{esc(source.title)}"
        + (
            f'<span class="source-kind">{esc(SOURCE_KINDS[source.type])}</span>'
            if source.type in SOURCE_KINDS
            else ""
        )
        + "</li>"
        for source in sources
    )
    return f'<section class="sources"><h3>Sources</h3><ol>{items}</ol></section>'
