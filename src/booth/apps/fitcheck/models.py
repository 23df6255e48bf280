"""The data a fit analysis passes from phase to phase.

Each run builds one `Analysis` and hands it to the phases in order; a phase reads what earlier
phases wrote and adds its own part. The `Analysis` lives in the run's pipeline and nowhere else,
so two runs never share one.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from booth.apps.fitcheck.knowledge import Company, Note

if TYPE_CHECKING:  # for the type only: reading imports conditions, which imports this module
    from booth.apps.fitcheck.reading import TextReading

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
Status = Literal["matched", "partial", "unmatched"]
Risk = Literal["low", "moderate", "high"]
Tier = Literal["HIGH", "MEDIUM", "LOW", "INSUFFICIENT_DATA"]
ResearchDecision = Literal["accept", "retry", "insufficient"]


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
    named_in_passing: tuple[str, ...] = ()  # companies a posting names as products or vendors


@dataclass(frozen=True)
class Source:
    """One research source, cited in the answer."""

    id: str
    kind: Literal["knowledge_base", "user_note", "job_description", "web_page"]
    title: str
    found_by: str  # the query or strategy that found it
    company: Company | None = None
    note: Note | None = None
    text: str | None = None
    match_ratio: float = 1.0  # 1.0 for an exact name, lower for a fuzzy one
    quality: float = 0.0  # set by the research reranker
    url: str | None = None  # a web page's address

    def cite(self) -> dict:
        entry = {"id": self.id, "type": self.kind, "title": self.title, "quality": self.quality}
        if self.note is not None:
            entry["path"] = self.note.path
        if self.url is not None:
            entry["url"] = self.url
        return entry


RequirementKind = Literal[
    "skill",  # one named skill
    "any_of",  # one of several skills
    "all_of",  # every one of several skills
    "competency",  # a practice such as system design or public speaking
    "domain",  # a fundamental domain (embedded, native mobile): years to learn
    "domains",  # the employer's non-fundamental domains
    "depth",  # depth in the role's own domain
    "experience",  # years of experience, optionally capped or in one role family
    "seniority_cap",  # the posting excludes candidates above a level
    "degree",  # a degree level, required or preferred
    "people_management",  # managing people: reports, managers of managers
    "role_family",  # the role's core work when it is not software engineering
    "language",  # a spoken language at a level
    "travel",  # travel the role needs
    "location",  # where the work is done
    "work_authorization",  # the right to work where the job is
    "clearance",  # a security clearance
    "statement",  # a requirement line no other kind covers, judged on the profile's words
]
DegreeLevel = Literal["bachelor", "master", "phd"]


class Requirement(BaseModel):
    """One thing the employer asks for, with the words of the posting it came from.

    A flat, validated shape on purpose: the offline reader fills it, and so can a model's
    structured output. `kind` says which of the optional fields carry the ask.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = ""
    label: str = Field(min_length=1, description="what the employer asks, in a few words")
    kind: RequirementKind
    weight: float = Field(1.0, ge=0, le=5, description="importance; nice-to-haves weigh less")
    required: bool = Field(True, description="a must-have, not a preference")
    quote: str | None = Field(None, description="the posting's line it came from")
    source: str = ""
    skills: tuple[str, ...] = ()
    competencies: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    years: float | None = Field(None, ge=0, le=50)
    max_years: float | None = Field(None, ge=0, le=50, description="upper bound of a range")
    area: str | None = Field(None, description="role family the years must be in")
    degree: DegreeLevel | None = None
    equivalent: bool = Field(False, description="'or equivalent experience' accepted")
    reports: int | None = Field(None, ge=1, le=10000, description="people managed")
    of_managers: bool = Field(False, description="manages managers")
    family: str | None = Field(None, description="role family (role_family kind)")
    language: str | None = None
    level: int | None = Field(None, ge=1, le=7, description="CEFR A1=1 … C2=6, native=7")
    travel_percent: int | None = Field(None, ge=0, le=100)
    place: str | None = Field(None, description="country or region of the job")
    remote: bool = False
    sponsorship: bool | None = Field(None, description="whether the employer sponsors visas")
    ranked: bool = False  # any_of listed most important first (an employer's main languages)
    core: bool = False  # named in the role itself: recruiters screen on it, transfers count less


@dataclass(frozen=True)
class Assessment:
    """How the candidate meets one requirement."""

    requirement: Requirement
    status: Status
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
    requirement: str | None = None  # the unmet requirement's id; None for a growth area

    def to_dict(self) -> dict:
        return {"gap": self.gap, "bridge": self.bridge, "ramp_up": self.ramp_up}


class Tally(BaseModel):
    """The one set of numbers every view shows: the result, the answer and the phase data."""

    model_config = ConfigDict(frozen=True)

    requirements: int
    met: int
    partly_met: int
    unmet: int
    requirement_gaps: int = 0  # gaps that name an unmet or partly met requirement
    growth_areas: int = 0  # gaps offered when too few requirements are unmet

    @classmethod
    def of(cls, assessments: list[Assessment], gaps: list[Gap] | None = None) -> Tally:
        statuses = [a.status for a in assessments]
        from_requirements = sum(1 for g in gaps or () if g.requirement)
        return cls(
            requirements=len(statuses),
            met=statuses.count("matched"),
            partly_met=statuses.count("partial"),
            unmet=statuses.count("unmatched"),
            requirement_gaps=from_requirements,
            growth_areas=len(gaps or ()) - from_requirements,
        )

    def sentence(self) -> str:
        """`meets 6 of 8 requirements, partly meets 1, misses 1`."""
        text = f"meets {self.met} of {self.requirements} requirements"
        if self.partly_met:
            text += f", partly meets {self.partly_met}"
        if self.unmet:
            text += f", misses {self.unmet}"
        return text


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
    named_in_passing: tuple[str, ...] = ()  # products and vendors a posting names: context


@dataclass
class Comparison:
    """The skeptical, top-down view (skeptical_comparison)."""

    strengths: list[str]
    gaps: list[Gap]
    transferable: list[str]
    domain_mismatches: list[str]
    risk: Risk
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
    # The run's reading of each source text, by text: research and content_enrich share it.
    readings: dict[str, TextReading] = field(default_factory=dict)
    data_quality: str | None = None
    decision: ResearchDecision | None = None
    context: EmployerContext | None = None
    requirements: list[Requirement] = field(default_factory=list)
    comparison: Comparison | None = None
    assessments: list[Assessment] = field(default_factory=list)
    verdict: Verdict | None = None
    tally: Tally | None = None
    answer: str = ""
    flags: list[str] = field(default_factory=list)
    # Model reads of a source started before content_enrich, by (kind, text): see llm_phases.
    early_reads: dict[tuple[str, str], asyncio.Task[Any]] = field(default_factory=dict)

    # What an earlier phase filled in, for the phases after it (a phase out of order is a bug).
    @property
    def classified(self) -> Classification:
        return _filled(self.classification, "connecting")

    @property
    def employer(self) -> EmployerContext:
        return _filled(self.context, "content_enrich")

    @property
    def compared(self) -> Comparison:
        return _filled(self.comparison, "skeptical_comparison")

    @property
    def rejected(self) -> bool:
        return self.classification is not None and self.classification.rejection is not None

    @property
    def insufficient(self) -> bool:
        return self.decision == "insufficient"


T = TypeVar("T")


def _filled(value: T | None, phase: str) -> T:
    if value is None:
        raise RuntimeError(f"the {phase} phase has not run yet")
    return value
