"""The seed's shapes for `phase_complete` and `status` events, derived from booth's typed results.

res_web's frontend reads each phase's `summary` with regular expressions ("Identified 3
technologies, 5 requirements", "Data: CLEAN | Quality: HIGH | Confidence: 85% | Action:
CONTINUE", "Match score: 74% (5 matched, 1 gaps)") and renders `data` fields directly (strings
in `genuine_gaps`, 0-100 `confidence` in `top_matches`). This module is the one place that
writes those forms; booth's own richer fields are added under keys the seed does not use, and
the structured detail (gaps with bridge and ramp-up, every match) is in the `result` event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from booth.apps.fitcheck.models import (
    Assessment,
    Classification,
    Comparison,
    EmployerContext,
    Requirement,
    Source,
    Verdict,
)
from booth.apps.fitcheck.ontology import Ontology
from booth.apps.fitcheck.reading import TextReading, read
from booth.apps.fitcheck.wording import plural

# The seed's `status` values, announced when these phases begin.
PHASE_STATUS = {
    "deep_research": ("researching", "Researching the employer..."),
    "skeptical_comparison": ("analyzing", "Comparing the profile with the requirements..."),
    "generate_results": ("generating", "Generating the fit analysis..."),
}
FIRST_STATUS = "connecting"

# booth's research verdict in the seed's words: data tier, and the action the gate took.
DATA_TIER = {"HIGH": "CLEAN", "MEDIUM": "PARTIAL", "LOW": "SPARSE", "INSUFFICIENT": "SPARSE"}
ACTION = {"accept": "CONTINUE", "retry": "ENHANCE_SEARCH", "insufficient": "EARLY_EXIT"}
RISK_LEVEL = {"low": "low", "moderate": "medium", "high": "high"}
# A source "passes the quality gate" at the quality below which the reranker calls data
# insufficient (booth.apps.fitcheck.research.judge).
PASSING_QUALITY = 0.35
QUALITY_WORDS = {"HIGH": "adequate", "MEDIUM": "moderate", "LOW": "weak", "INSUFFICIENT": "weak"}
ADEQUATE_REQUIREMENTS = 5  # as many as a short job posting lists
MODERATE_REQUIREMENTS = 3
SEED_SKEPTICAL_MIN_GAPS = 2  # the seed's prompt asks for at least two gaps
PREVIEW_CHARS = 100


@dataclass(frozen=True)
class Shaped:
    """A phase's `summary` and `data`, in the seed's form plus booth's added keys."""

    summary: str
    data: dict[str, Any]


def tool_input(value: str | Mapping[str, Any]) -> str:
    """`thought.input` is a string in the seed: `key: value; key: a, b` for structured input."""
    if isinstance(value, str):
        return value
    parts = []
    for key, item in value.items():
        text = ", ".join(map(str, item)) if isinstance(item, list | tuple) else str(item)
        parts.append(f"{key}: {text}")
    return "; ".join(parts)


def _clip(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# -- connecting ---------------------------------------------------------------------------------
def connecting(c: Classification) -> Shaped:
    if c.rejection:
        return Shaped(
            f"Query rejected: {c.rejection.replace('_', ' ')}",
            {
                "is_rejected": True,
                "reason": c.reason,
                "query_type": c.query_type,
                "rejected": c.rejection,
            },
        )
    parts = [f"Query classified as '{c.query_type}'"]
    if c.company_name:
        parts.append(f"company: {c.company_name}")
    if c.job_title:
        parts.append(f"role: {c.job_title}")
    if c.extracted_skills:
        parts.append(f"skills: {len(c.extracted_skills)} extracted")
    return Shaped(
        ", ".join(parts),
        {
            "query_type": c.query_type,
            "company_name": c.company_name,
            "job_title": c.job_title,
            "skills_count": len(c.extracted_skills),
            "extracted_skills": list(c.extracted_skills),
            "classification_reasoning": _clip(c.reason, 150) if c.reason else None,
            "known_company": c.known_company is not None,
        },
    )


# -- deep_research ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Findings:
    """What the sources say so far: technologies, requirement signals, culture signals."""

    technologies: list[str]
    requirements: list[str]
    culture: list[str]


def findings(
    sources: Sequence[Source],
    ontology: Ontology,
    readings: dict[str, TextReading] | None = None,
) -> Findings:
    tech: dict[str, None] = {}
    reqs: dict[str, None] = {}
    culture: dict[str, None] = {}
    for source in sources:
        if source.company is not None:
            tech.update(dict.fromkeys(source.company.tech_stack))
            reqs.update(dict.fromkeys(source.company.requirements))
            culture.update(dict.fromkeys(source.company.culture))
        text = source.text or (source.note.text if source.note else "")
        if text:
            reading = read(text, ontology, readings)
            tech.update(dict.fromkeys(reading.skills))
            reqs.update(dict.fromkeys(reading.competencies))
            reqs.update(dict.fromkeys(sorted(reading.domains)))
    return Findings(list(tech), list(reqs), list(culture))


def deep_research(
    found: Findings, sources: Sequence[Source], queries: Sequence[str], strategy: str, attempt: int
) -> Shaped:
    summary = (
        f"Identified {len(found.technologies)} technologies, {len(found.requirements)} "
        f"requirements, {len(found.culture)} culture signals"
    )
    company = next((s.company for s in sources if s.company is not None), None)
    return Shaped(
        summary,
        {
            "tech_count": len(found.technologies),
            "requirements_count": len(found.requirements),
            "culture_count": len(found.culture),
            "search_count": len(queries),
            "tech_stack": found.technologies,
            "top_requirements": found.requirements[:3],
            "culture_signals": found.culture[:3],
            "search_queries": [{"query": q, "purpose": strategy} for q in queries],
            "expansion_strategy": strategy,
            "synthesis_reasoning": None,
            # booth's
            "attempt": attempt,
            "strategy": strategy,
            "queries": list(queries),
            "sources": [s.title for s in sources],
            "company_found": company is not None,
        },
    )


# -- research_reranker --------------------------------------------------------------------------
def _source_url(source: Source) -> str:
    return source.note.path if source.note is not None else ""


def _verifiability(sources: Sequence[Source]) -> str:
    known = [s for s in sources if s.kind == "knowledge_base"]
    if any(s.match_ratio >= 1.0 for s in known):
        return "VERIFIED"
    return "PARTIAL" if known else "UNVERIFIED"


def research_reranker(
    sources: Sequence[Source],
    quality: str,
    decision: str,
    signals: int,
    flags: Sequence[str],
    attempt: int,
    pruned: int,
) -> Shaped:
    data_tier = "GARBAGE" if not sources else DATA_TIER[quality]
    action = ACTION[decision]
    if action == "CONTINUE" and quality == "LOW":
        action = "CONTINUE_WITH_FLAGS"
    confidence = round(max((s.quality for s in sources), default=0.0) * 100)
    passing = [s for s in sources if s.quality >= PASSING_QUALITY]
    company = next((s.company for s in sources if s.company is not None), None)
    summary = (
        f"Data: {data_tier} | Quality: {quality} | Confidence: {confidence}% | Action: {action}"
    )
    return Shaped(
        summary,
        {
            "data_quality_tier": data_tier,
            "research_quality_tier": quality,
            "confidence_score": confidence,
            "recommended_action": action,
            "passing_count": len(passing),
            "total_count": len(sources),
            "quality_flags": list(flags),
            "inferred_industry": company.industry if company else None,
            "inferred_tech": list(company.tech_stack[:4]) if company else [],
            "top_sources": [
                {
                    "title": s.title,
                    "url": _source_url(s),
                    "score": s.quality,
                    "source_type": s.kind,
                }
                for s in sources[:3]
            ],
            "company_verifiability": _verifiability(sources),
            "pruned_count": pruned,
            "search_attempt": attempt,
            # booth's
            "attempt": attempt,
            "decision": decision,
            "signals": signals,
            "source_scores": [{"title": s.title, "quality": s.quality} for s in sources],
        },
    )


# -- content_enrich -----------------------------------------------------------------------------
def _content_chars(source: Source) -> int:
    if source.text:
        return len(source.text)
    if source.note is not None:
        return len(source.note.text)
    if source.company is not None:
        c = source.company
        fields = (c.industry, c.size, *c.tech_stack, *c.domains, *c.requirements, *c.culture)
        return sum(len(f) for f in fields)
    return 0


def content_enrich(
    sources: Sequence[Source], context: EmployerContext, requirements: Sequence[Requirement]
) -> Shaped:
    sizes = [_content_chars(s) for s in sources]
    enriched = sum(1 for size in sizes if size > 0)
    total_kb = sum(sizes) / 1024
    if not sources:
        summary = "Skipped: No sources available for enrichment"
    else:
        summary = (
            f"Enriched {enriched}/{len(sources)} sources with full content ({total_kb:.1f} KB); "
            f"{len(requirements)} requirements extracted"
        )
    return Shaped(
        summary,
        {
            "enriched_count": enriched,
            "total_count": len(sources),
            "total_kb": round(total_kb, 1),
            "sources": [
                {
                    "title": s.title,
                    "url": _source_url(s),
                    "size_kb": round(size / 1024, 1),
                    "is_enriched": size > 0,
                    "score": s.quality,
                }
                for s, size in zip(sources, sizes, strict=True)
            ],
            "success_rate": f"{int(enriched / max(len(sources), 1) * 100)}%",
            "skipped": not sources,
            "skip_reason": None if sources else "No sources from research",
            # booth's
            "requirements": [
                {"id": r.id, "label": r.label, "kind": r.kind, "weight": r.weight}
                for r in requirements
            ],
            "role_family": context.role_family,
            "industry": context.industry,
            "domains": list(context.domains),
            "culture": list(context.culture),
        },
    )


# -- skeptical_comparison -----------------------------------------------------------------------
def _risk_justification(comparison: Comparison) -> str:
    if comparison.domain_mismatches:
        text = f"Fundamental mismatch: no {', '.join(comparison.domain_mismatches)} in the profile."
    else:
        text = (
            f"{plural(len(comparison.gaps), 'gap')} against "
            f"{plural(len(comparison.strengths), 'genuine strength')}."
        )
    if comparison.seniority_note:
        text += f" {comparison.seniority_note}"
    return _clip(text, 200)


def skeptical_comparison(comparison: Comparison) -> Shaped:
    risk = RISK_LEVEL[comparison.risk]
    summary = (
        f"Found {len(comparison.gaps)} gaps, {len(comparison.strengths)} strengths. "
        f"Risk level: {risk}"
    )
    return Shaped(
        summary,
        {
            "gap_count": len(comparison.gaps),
            "strength_count": len(comparison.strengths),
            "risk_level": risk,
            "genuine_gaps": [g.gap for g in comparison.gaps],
            "genuine_strengths": list(comparison.strengths),
            "transferable_skills": list(comparison.transferable),
            "risk_justification": _risk_justification(comparison),
            "unverified_claims_count": 0,  # every strength quotes the profile
            # booth's
            "gaps_detail": [g.to_dict() for g in comparison.gaps],
            "domain_mismatches": list(comparison.domain_mismatches),
            "risk": comparison.risk,
        },
    )


# -- skills_matching ----------------------------------------------------------------------------
def _matched_skill(a: Assessment) -> str:
    return a.via or a.subject or (a.evidence[0] if a.evidence else a.requirement.label)


def skills_matching(
    assessments: Sequence[Assessment], match_score: float, comparison: Comparison | None
) -> Shaped:
    """`match_score` is booth's raw weighted coverage, 0-100."""
    matched = [a for a in assessments if a.status != "unmatched"]
    unmatched = [a for a in assessments if a.status == "unmatched"]
    partial = sum(1 for a in matched if a.status == "partial")
    score_pct = round(match_score)
    summary = f"Match score: {score_pct}% ({len(matched)} matched, {len(unmatched)} gaps)"
    best = sorted(matched, key=lambda a: -a.confidence)
    return Shaped(
        summary,
        {
            "match_score": round(match_score / 100, 2),
            "matched_count": len(matched),
            "unmatched_count": len(unmatched),
            "has_fundamental_mismatch": bool(comparison and comparison.domain_mismatches),
            "top_matches": [
                {
                    "requirement": a.requirement.label,
                    "matched_skill": _matched_skill(a),
                    "confidence": round(a.confidence * 100),
                }
                for a in best[:4]
            ],
            "unmatched_requirements": [a.requirement.label for a in unmatched],
            "score_breakdown": (
                f"{len(matched) - partial} matched, {partial} partial, {len(unmatched)} "
                f"unmatched of {len(assessments)} requirements"
            ),
            # booth's
            "matched": [
                {
                    "requirement": a.requirement.label,
                    "status": a.status,
                    "confidence": a.confidence,
                    "evidence": list(a.evidence[:2]),
                }
                for a in matched
            ],
            "unmatched": [
                {"requirement": a.requirement.label, "confidence": a.confidence} for a in unmatched
            ],
            "coverage": round(len(matched) / len(assessments), 2) if assessments else 0.0,
        },
    )


# -- confidence_reranker ------------------------------------------------------------------------
def _requirements_quality(count: int) -> str:
    if count >= ADEQUATE_REQUIREMENTS:
        return "adequate"
    if count >= MODERATE_REQUIREMENTS:
        return "moderate"
    return "weak" if count else "missing"


def confidence_reranker(
    verdict: Verdict, data_quality: str, requirements: int, comparison: Comparison | None
) -> Shaped:
    flags = f", {len(verdict.flags)} quality flags" if verdict.flags else ""
    gaps = len(comparison.gaps) if comparison else 0
    rationale = " ".join(verdict.rationale)
    return Shaped(
        f"Calibrated confidence: {verdict.score}% ({verdict.tier}){flags}",
        {
            "calibrated_score": verdict.score,
            "tier": verdict.tier,
            "quality_flags": list(verdict.flags),
            "adjustment_rationale": rationale,
            "justification": _clip(rationale, 200),
            "data_quality": {
                "research_quality": QUALITY_WORDS.get(data_quality, "weak"),
                "requirements_quality": _requirements_quality(requirements),
                "skeptical_analysis_quality": (
                    "adequate" if gaps >= SEED_SKEPTICAL_MIN_GAPS else "superficial"
                ),
            },
            "reasoning_trace": _clip(verdict.rationale[-1], 150) if verdict.rationale else None,
            # booth's
            "raw_score": verdict.raw_score,
        },
    )


# -- generate_results ---------------------------------------------------------------------------
def generate_results(
    answer: str,
    form: str,
    verdict: Verdict | None,
    comparison: Comparison | None,
    context: EmployerContext | None,
) -> Shaped:
    words = len(answer.split())
    preview = answer if len(answer) <= PREVIEW_CHARS else answer[:PREVIEW_CHARS] + "..."
    return Shaped(
        f"Generated {words} word response",
        {
            "word_count": words,
            "char_count": len(answer),
            "quality_warnings": [],  # the deterministic writer follows the format by construction
            "employer_context_type": (context.industry if context else None) or "default",
            "calibrated_score": verdict.score if verdict else 0,
            "confidence_tier": verdict.tier if verdict else "INSUFFICIENT_DATA",
            "gaps_acknowledged": len(comparison.gaps) if comparison else 0,
            "response_preview": preview,
            # booth's
            "format": form,
            "characters": len(answer),
        },
    )
