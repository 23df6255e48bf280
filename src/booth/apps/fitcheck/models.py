"""The data a fit analysis passes from phase to phase.

Each run builds one `Analysis` and hands it to the phases in order; a phase reads what earlier
phases wrote and adds its own part. The `Analysis` lives in the run's pipeline and nowhere else,
so two runs never share one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from booth.apps.fitcheck.knowledge import Company, Note

PHASES = (
    "connecting",
    "deep_research",
    "research_reranker",
    "content_enrich",
    "skeptical_comparison",
    "skills_matching",
    "confidence_reranker",
    "generate_results",
)
MAX_RESEARCH_ATTEMPTS = 3

QueryType = Literal["company", "job_description", "irrelevant"]
Tier = Literal["HIGH", "MEDIUM", "LOW", "INSUFFICIENT_DATA"]


@dataclass(frozen=True)
class Classification:
    """What the query is about (connecting phase)."""

    query_type: QueryType
    company_name: str | None = None
    job_title: str | None = None
    extracted_skills: tuple[str, ...] = ()
    known_company: Company | None = None
    rejection: str | None = None  # injection | harmful | off_topic
    reason: str = ""


@dataclass(frozen=True)
class Source:
    """One research source, cited in the answer."""

    id: str
    kind: Literal["knowledge_base", "user_note", "job_description"]
    title: str
    found_by: str  # the query or strategy that found it
    company: Company | None = None
    note: Note | None = None
    text: str | None = None
    match_ratio: float = 1.0  # 1.0 for an exact name, lower for a fuzzy one
    quality: float = 0.0  # set by the research reranker

    def cite(self) -> dict:
        entry = {"id": self.id, "type": self.kind, "title": self.title, "quality": self.quality}
        if self.note is not None:
            entry["path"] = self.note.path
        return entry


@dataclass(frozen=True)
class Requirement:
    """One thing the employer asks for, derived from a source."""

    id: str
    label: str
    kind: Literal[
        "skill", "any_of", "all_of", "competency", "domain", "domains", "depth", "experience"
    ]
    weight: float = 1.0
    skills: tuple[str, ...] = ()
    competencies: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    years: float | None = None
    source: str = ""
    ranked: bool = False  # any_of listed most important first (an employer's main languages)
    core: bool = False  # named in the role itself: recruiters screen on it, transfers count less


@dataclass(frozen=True)
class Assessment:
    """How the candidate meets one requirement."""

    requirement: Requirement
    status: Literal["matched", "partial", "unmatched"]
    confidence: float
    evidence: tuple[str, ...] = ()
    via: str | None = None  # e.g. "AWS -> GCP (cloud providers)"
    ramp_up: str | None = None
    bridge: str | None = None
    subject: str | None = None  # the skill/competency/domain that decided it


@dataclass(frozen=True)
class Gap:
    gap: str
    bridge: str
    ramp_up: str

    def to_dict(self) -> dict:
        return {"gap": self.gap, "bridge": self.bridge, "ramp_up": self.ramp_up}


@dataclass
class EmployerContext:
    """What research says about the employer and the role (content_enrich)."""

    company: str | None
    role: str | None
    role_family: str | None
    industry: str | None = None
    size: str | None = None
    culture: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    stack: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # requirement lines kept as context, not scored


@dataclass
class Comparison:
    """The skeptical, top-down view (skeptical_comparison)."""

    strengths: list[str]
    gaps: list[Gap]
    transferable: list[str]
    domain_mismatches: list[str]
    risk: Literal["low", "moderate", "high"]
    seniority_note: str | None = None


@dataclass
class Verdict:
    """The calibrated score (confidence_reranker)."""

    raw_score: float
    score: int
    tier: Tier
    flags: list[str]
    rationale: list[str]


@dataclass
class Analysis:
    """One run's working state; created per run, never shared."""

    query: str
    detailed: bool = True
    model_id: str | None = None
    config_type: str | None = None
    engine: str = "deterministic"  # "model" when language phases run on a model
    classification: Classification | None = None
    attempt: int = 0
    notes: list[Note] | None = None  # the user's notes, read at the first research attempt
    queries: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    data_quality: str | None = None
    decision: Literal["accept", "retry", "insufficient"] | None = None
    context: EmployerContext | None = None
    requirements: list[Requirement] = field(default_factory=list)
    comparison: Comparison | None = None
    assessments: list[Assessment] = field(default_factory=list)
    verdict: Verdict | None = None
    answer: str = ""
    flags: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        return self.classification is not None and self.classification.rejection is not None

    @property
    def insufficient(self) -> bool:
        return self.decision == "insufficient"
