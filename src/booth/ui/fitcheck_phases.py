"""What each Fit Check phase found, in the UI's own words, read from the phase's typed data.

A `phase_complete` event carries a summary written for logs ("Data: CLEAN | Quality: HIGH") and
a `data` object. The UI reads `data` through the small models below (only the fields it shows;
unknown keys are ignored, missing ones default) and says what happened in plain language. If a
phase's data cannot be read, the row says only that the step finished — never the log line.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, ValidationError

from booth.apps.fitcheck.models import Tally

PHASE_LABELS = {
    "connecting": "Reading your request",
    "deep_research": "Researching the employer",
    "research_reranker": "Checking the sources",
    "content_enrich": "Listing the requirements",
    "skeptical_comparison": "Weighing strengths and gaps",
    "skills_matching": "Matching the profile",
    "confidence_reranker": "Setting the score",
    "generate_results": "Writing the answer",
}
ACTIVE_TEXT = {
    "connecting": "Working out whether this is a company or a job description…",
    "deep_research": "Looking up what is known about the employer…",
    "research_reranker": "Checking the sources are good enough to judge by…",
    "content_enrich": "Reading the sources for the role’s requirements…",
    "skeptical_comparison": "Comparing the profile with the requirements, sceptically…",
    "skills_matching": "Checking each requirement against the profile…",
    "confidence_reranker": "Turning the matches into a calibrated score…",
    "generate_results": "Writing the answer…",
}
QUALITY_NOTES = {
    "knowledge_base_snapshot": "company facts come from booth’s bundled notes",
    "no_job_description": "no job description, so the employer’s typical requirements were used",
}
TIER_WORDS = {"HIGH": "high fit", "MEDIUM": "medium fit", "LOW": "low fit"}


class _Data(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Connecting(_Data):
    query_type: str = ""
    company_name: str | None = None
    job_title: str | None = None
    skills_count: int = 0


class Research(_Data):
    tech_count: int = 0
    requirements_count: int = 0
    culture_count: int = 0
    sources: list[str] = []
    company_found: bool = True


class SourceCheck(_Data):
    passing_count: int = 0
    total_count: int = 0
    decision: str = "accept"
    confidence_score: int | None = None


class Enrich(_Data):
    enriched_count: int = 0
    total_count: int = 0
    requirements: list[dict[str, object]] = []


class Comparison(_Data):
    gap_count: int = 0
    strength_count: int = 0
    risk_level: str = ""


class Matching(_Data):
    counts: Tally | None = None


class Calibration(_Data):
    calibrated_score: int | None = None
    tier: str = ""
    quality_flags: list[str] = []


class Writing(_Data):
    word_count: int = 0


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else many or word + 's'}"


def _connecting(d: Connecting) -> str:
    if d.query_type == "job_description":
        role = d.job_title or "a role"
        where = f" at {d.company_name}" if d.company_name else ""
        named = f", naming {plural(d.skills_count, 'skill')}" if d.skills_count else ""
        return f"A job description: {role}{where}{named}."
    if d.query_type == "company" and d.company_name:
        return f"A company: {d.company_name}."
    return "Not a company or a job description."


def _research(d: Research) -> str:
    if not d.company_found and not d.sources:
        return "Found nothing about this employer."
    found = [
        plural(d.tech_count, "technology", "technologies"),
        plural(d.requirements_count, "requirement"),
        plural(d.culture_count, "culture signal"),
    ]
    return f"Found {', '.join(found[:-1])} and {found[-1]} in {plural(len(d.sources), 'source')}."


def _source_check(d: SourceCheck) -> str:
    usable = f"{d.passing_count} of {plural(d.total_count, 'source')} good enough to use"
    if d.decision == "retry":
        return f"{usable}: searching again with other words."
    if d.decision == "insufficient":
        return f"{usable}: too little to score honestly."
    return f"{usable}."


def _enrich(d: Enrich) -> str:
    read = f"Read {d.enriched_count} of {plural(d.total_count, 'source')}"
    return f"{read}; {plural(len(d.requirements), 'requirement')} to check."


def _comparison(d: Comparison) -> str:
    risk = f"; overall risk {d.risk_level}" if d.risk_level else ""
    return f"{plural(d.strength_count, 'strength')} and {plural(d.gap_count, 'gap')}{risk}."


def meets(tally: Tally) -> str:
    """ "Meets 5 of 7 requirements, partly meets 1, misses 1": the write-up's own sentence."""
    sentence = tally.sentence()
    return sentence[:1].upper() + sentence[1:]


def _matching(d: Matching) -> str:
    return meets(d.counts) + "." if d.counts else "Checked each requirement."


def _calibration(d: Calibration) -> str:
    if d.calibrated_score is None or d.tier not in TIER_WORDS:
        return "Too little information for a score."
    notes = [QUALITY_NOTES[f] for f in d.quality_flags if f in QUALITY_NOTES]
    caveat = f" Note: {'; '.join(notes)}." if notes else ""
    return f"Score {d.calibrated_score}%: {TIER_WORDS[d.tier]}.{caveat}"


def _writing(d: Writing) -> str:
    return f"Wrote a {d.word_count}-word answer." if d.word_count else "Wrote the answer."


FINDINGS: dict[str, tuple[type[_Data], Callable]] = {
    "connecting": (Connecting, _connecting),
    "deep_research": (Research, _research),
    "research_reranker": (SourceCheck, _source_check),
    "content_enrich": (Enrich, _enrich),
    "skeptical_comparison": (Comparison, _comparison),
    "skills_matching": (Matching, _matching),
    "confidence_reranker": (Calibration, _calibration),
    "generate_results": (Writing, _writing),
}


def finding(phase: str, data: dict[str, object]) -> str:
    """One plain sentence on what `phase` found, from its `phase_complete` data."""
    known = FINDINGS.get(phase)
    if known is None:
        return "Done."
    model, say = known
    try:
        return str(say(model.model_validate(data)))
    except ValidationError:
        return "Done."


def label(phase: str) -> str:
    return PHASE_LABELS.get(phase, phase.replace("_", " ").capitalize())
