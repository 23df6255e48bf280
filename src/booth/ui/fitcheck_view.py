"""What a Fit Check run looks like so far: a model built from its events, rendered as HTML.

`RunView.apply` folds one event in; the `*_html` functions draw the phase progress, the thoughts
feed and the final result from the model. Keeping the model separate from Gradio means the tab
only moves events from the run to the view and the view to the page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from booth.apps.fitcheck.models import PHASES as PHASE_ORDER
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
from booth.ui.render import error_notice, esc, notice

PHASE_LABELS = {
    "connecting": "Connecting",
    "deep_research": "Deep research",
    "research_reranker": "Research reranker",
    "content_enrich": "Content enrichment",
    "skeptical_comparison": "Skeptical comparison",
    "skills_matching": "Skills matching",
    "confidence_reranker": "Confidence reranker",
    "generate_results": "Generating results",
}
THOUGHTS_SHOWN = 150  # newest first; older ones stay in the run's event log
SOURCE_KINDS = {
    "knowledge_base": "company knowledge base",
    "user_note": "your notes",
    "job_description": "the job description",
}
TIER_LABELS = {
    "HIGH": "High fit",
    "MEDIUM": "Medium fit",
    "LOW": "Low fit",
    "INSUFFICIENT_DATA": "Insufficient data",
}


@dataclass
class PhaseState:
    status: str = "pending"  # pending | active | done | skipped | failed
    message: str = ""
    summary: str = ""
    duration_ms: int = 0
    attempts: int = 0


@dataclass
class RunView:
    phases: dict[str, PhaseState] = field(
        default_factory=lambda: {name: PhaseState() for name in PHASE_ORDER}
    )
    thoughts: list[ThoughtPayload] = field(default_factory=list)
    answer: str = ""
    result: dict[str, Any] | None = None
    error: ErrorPayload | None = None
    duration_ms: int | None = None
    degraded: str = ""  # a `status: degraded` message: an upstream is down, results may suffer

    def apply(self, event: Event) -> None:
        """Fold one event of the run into the view."""
        payload = event.payload()
        if isinstance(payload, StatusPayload) and payload.status == "degraded":
            self.degraded = payload.message
        elif isinstance(payload, PhasePayload):
            self._enter(payload.phase, payload.message)
        elif isinstance(payload, PhaseCompletePayload):
            phase = self._phase(payload.phase)
            phase.status = "done"
            phase.summary = payload.summary
            phase.duration_ms = payload.duration_ms
        elif isinstance(payload, ThoughtPayload):
            self.thoughts.append(payload)
        elif isinstance(payload, ResponsePayload):
            self.answer += payload.chunk
        elif isinstance(payload, ResultPayload):
            self.result = payload.root
        elif isinstance(payload, CompletePayload):
            self.duration_ms = payload.duration_ms
            for phase in self.phases.values():  # a refusal or too little data skips phases
                if phase.status == "pending":
                    phase.status = "skipped"
                    phase.message = "Skipped: not needed for this query"
        elif isinstance(payload, ErrorPayload):
            self.error = payload
            for phase in self.phases.values():
                if phase.status == "active":
                    phase.status = "failed"

    def fail(self, error: BoothError) -> None:
        """The run could not start (bad input, over capacity): show why, like a run's error."""
        self.error = ErrorPayload.of(error)

    def _phase(self, name: str) -> PhaseState:
        return self.phases.setdefault(name, PhaseState())

    def _enter(self, name: str, message: str) -> None:
        """A phase starts; re-entering one (research loops back) resets the phases after it."""
        phase = self._phase(name)
        phase.status = "active"
        phase.message = message
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


# -- phases ------------------------------------------------------------------------------------
def phases_html(view: RunView | None) -> str:
    """The 8 phases as a checklist with a progress bar; the active one says what it is doing."""
    view = view or RunView()
    total = len(view.phases)
    finished = view.duration_ms is not None
    percent = 100 if finished else round(100 * view.done_count / total) if total else 0
    rows = "".join(_phase_row(name, phase) for name, phase in view.phases.items())
    warning = notice("warning", "Degraded", view.degraded) if view.degraded else ""
    return (
        f'<div class="phases" data-done="{view.done_count}" data-total="{total}" '
        f'data-active="{esc(view.active_phase)}">'
        f'<div class="phases-head"><span>Pipeline</span>'
        f"<span>{'Done' if finished else f'{view.done_count}/{total}'}</span></div>"
        f'<div class="progress"><span style="width:{percent}%"></span></div>'
        f'<ol class="phase-list">{rows}</ol>{warning}</div>'
    )


def _phase_row(name: str, phase: PhaseState) -> str:
    label = PHASE_LABELS.get(name, name.replace("_", " ").capitalize())
    detail = phase.summary if phase.status == "done" else phase.message
    badges = ""
    if phase.attempts > 1:
        badges += f'<span class="phase-attempt">attempt {phase.attempts}</span>'
    if phase.status == "done" and phase.duration_ms:
        badges += f'<span class="phase-ms">{phase.duration_ms} ms</span>'
    return (
        f'<li class="phase phase-{phase.status}" data-phase="{esc(name)}" '
        f'data-status="{phase.status}"><span class="phase-mark"></span>'
        f'<div class="phase-text"><div class="phase-name">{esc(label)}{badges}</div>'
        f'<div class="phase-detail">{esc(detail)}</div></div></li>'
    )


# -- thoughts ----------------------------------------------------------------------------------
def thoughts_html(view: RunView | None) -> str:
    """The agent's steps, newest first."""
    if view is None or not view.thoughts:
        return '<div class="thoughts empty">The agent’s steps appear here while it works.</div>'
    shown = view.thoughts[-THOUGHTS_SHOWN:][::-1]
    items = [_thought_html(thought) for thought in shown]
    more = len(view.thoughts) - len(shown)
    tail = f'<li class="thought-more">… and {more} earlier steps</li>' if more > 0 else ""
    return f'<ol class="thoughts" data-count="{len(view.thoughts)}">{"".join(items)}{tail}</ol>'


def _thought_html(thought: ThoughtPayload) -> str:
    kind = thought.type
    head = PHASE_LABELS.get(thought.phase, thought.phase)
    if thought.tool:
        head += f" · {thought.tool}"
    body = thought.content
    raw = thought.input
    if body is None and raw is not None:  # the seed sends text; other apps may send objects
        body = raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False, default=str)
    return (
        f'<li class="thought thought-{esc(kind)}" data-step="{thought.step}">'
        f'<div class="thought-head"><span class="thought-kind">{esc(kind.replace("_", " "))}'
        f'</span>{esc(head)}</div><div class="thought-body">{esc(body or "")}</div></li>'
    )


# -- result ------------------------------------------------------------------------------------
def result_html(view: RunView | None) -> str:
    """The end of a run: the score gauge and cards, or the error and what to do next."""
    if view is None:
        return (
            '<div class="result-empty">Type a company name or paste a job description, '
            "then run the fit check. The score, strengths and gaps appear here.</div>"
        )
    if view.error is not None:
        return error_notice(view.error.code, view.error.message, view.error.retry_after)
    if view.result is None:
        step = PHASE_LABELS.get(view.active_phase, "Starting")
        return notice("info", "Working…", f"{step}: the score appears when the run ends.")
    return _final_html(view.result, view.duration_ms)


def _final_html(result: dict[str, Any], duration_ms: int | None) -> str:
    if result.get("rejected"):
        return _rejected_html(result)
    parts = [
        '<div class="fit-result">',
        _heading_html(result),
        gauge_html(result.get("score"), str(result.get("tier", "INSUFFICIENT_DATA"))),
        _summary_html(result),
        _cards_html("Key Strengths", "strengths", result.get("strengths") or [], _strength_html),
        _cards_html("Growth Opportunities", "gaps", result.get("gaps") or [], _gap_html),
        _sources_html(result.get("sources") or []),
    ]
    if duration_ms is not None:
        parts.append(f'<div class="duration">Finished in {format_duration(duration_ms)}</div>')
    parts.append("</div>")
    return "".join(parts)


def _heading_html(result: dict[str, Any]) -> str:
    company, role = result.get("company"), result.get("role")
    target = f"{role} at {company}" if company and role else company or role or "The role"
    return f'<h2 class="fit-heading">{esc(target)}: fit analysis</h2>'


def _summary_html(result: dict[str, Any]) -> str:
    """One line under the gauge: how many requirements are met, or why there is no score."""
    if result.get("tier") == "INSUFFICIENT_DATA":
        return notice(
            "warning",
            "Not enough information to score this honestly",
            "Too little is known about this employer to compare it with the profile.",
            "Paste the job description instead: the requirements it lists are the best source.",
        )
    facts = [_tally_text(result["counts"])] if result.get("counts") else []
    if result.get("risk"):
        facts.append(f"risk {result['risk']}")
    return f'<div class="fit-summary">{esc(" · ".join(facts))}</div>' if facts else ""


def _tally_text(counts: dict[str, Any]) -> str:
    """The result's one set of numbers, worded as the written answer words them."""
    text = f"Meets {counts['met']} of {counts['requirements']} requirements"
    if counts.get("partly_met"):
        text += f", partly meets {counts['partly_met']}"
    if counts.get("unmet"):
        text += f", misses {counts['unmet']}"
    return text


def _rejected_html(result: dict[str, Any]) -> str:
    kind = next(
        (f.split(":", 1)[1] for f in result.get("flags") or [] if f.startswith("rejected:")),
        "off_topic",
    )
    return notice(
        "warning",
        "Fit analysis not run",
        REJECTION_TEXT.get(kind, REJECTION_TEXT["off_topic"]),
        "Ask about a company (for example “Stripe”) or paste a job description.",
        code="REJECTED",
    )


def format_duration(ms: int) -> str:
    return f"{ms} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


def gauge_html(score: Any, tier: str) -> str:
    """A half-circle gauge; no number at all when there was too little data to score."""
    known = tier != "INSUFFICIENT_DATA" and isinstance(score, int | float)
    value = max(0, min(100, int(score))) if known else 0
    length = 125.66  # the arc's length: π × radius 40
    shown = f"{value}%" if known else "—"
    return (
        f'<div class="gauge tier-{esc(tier.lower())}" data-score="{value if known else ""}" '
        f'data-tier="{esc(tier)}">'
        '<svg viewBox="0 0 100 56" role="img" aria-label="fit score">'
        '<path class="gauge-track" d="M10 50 A40 40 0 0 1 90 50" />'
        f'<path class="gauge-fill" d="M10 50 A40 40 0 0 1 90 50" '
        f'stroke-dasharray="{length * value / 100:.2f} {length:.2f}" /></svg>'
        f'<div class="gauge-score">{shown}</div>'
        f'<div class="gauge-tier">{esc(TIER_LABELS.get(tier, tier))}</div></div>'
    )


def _cards_html(title: str, kind: str, items: list[Any], render) -> str:
    if not items:
        return ""
    cards = "".join(render(item) for item in items)
    return (
        f'<section class="cards cards-{kind}"><h3>{esc(title)}</h3>'
        f'<div class="card-list">{cards}</div></section>'
    )


def _strength_html(item: Any) -> str:
    return f'<article class="card card-strength"><p>{esc(item)}</p></article>'


def _gap_html(item: Any) -> str:
    if not isinstance(item, dict):
        return f'<article class="card card-gap"><h4>{esc(item)}</h4></article>'
    ramp = item.get("ramp_up")
    ramp_html = f'<span class="ramp">Ramp-up: {esc(ramp)}</span>' if ramp else ""
    bridge = item.get("bridge")
    bridge_html = f"<p>{esc(bridge)}</p>" if bridge else ""
    return (
        f'<article class="card card-gap"><h4>{esc(item.get("gap", ""))}</h4>'
        f"{bridge_html}{ramp_html}</article>"
    )


def _sources_html(sources: list[dict[str, Any]]) -> str:
    if not sources:
        return ""
    items = "".join(
        f"<li>{esc(source.get('title', ''))}"
        f'<span class="source-kind">{esc(SOURCE_KINDS.get(str(source.get("type")), ""))}</span>'
        "</li>"
        for source in sources
    )
    return f'<section class="sources"><h3>Sources</h3><ol>{items}</ol></section>'
