"""Measuring the candidate against the requirements, skeptically, and turning it into a score.

Three steps, one per phase:
- `assess` checks one requirement against the profile and says matched / partial / unmatched,
  with a confidence and the profile lines that prove it (skills_matching);
- `compare` takes the top-down view a sceptical recruiter takes: at most four strengths that
  really matter, at least two honest gaps with a way to close each, what transfers, and the
  risk (skeptical_comparison);
- `calibrate` turns coverage into a score and a tier, and adjusts it for thin data, fundamental
  domain mismatches and answers that lean on transferable skills (confidence_reranker).
"""

from __future__ import annotations

from dataclasses import replace

from booth.apps.fitcheck.models import (
    Assessment,
    Comparison,
    EmployerContext,
    Gap,
    MatchStatus,
    Requirement,
    Risk,
    Tier,
    Verdict,
)
from booth.apps.fitcheck.ontology import Ontology, level_weight
from booth.apps.fitcheck.profile import Candidate

MAX_STRENGTHS = 4
MIN_GAPS = 2
MAX_GAPS = 5
MISMATCH_CAP = 38
CORE_TRANSFER_FACTOR = 0.6
CS_FIELDS = ("computer", "software", "engineering", "mathematics", "math", "physics", "informatics")


def tier_for(score: float) -> Tier:
    if score >= 75:
        return "HIGH"
    if score >= 40:
        return "MEDIUM"
    if score >= 15:
        return "LOW"
    return "INSUFFICIENT_DATA"


# -- assessing one requirement ------------------------------------------------------------------
def assess_skill(
    skill: str, req: Requirement, candidate: Candidate, ontology: Ontology
) -> Assessment:
    facts = candidate.has(skill)
    if facts is not None:
        confidence = level_weight(facts.level) + (0.05 if facts.years >= 3 else 0.0)
        return Assessment(
            req, "matched", round(min(confidence, 1.0), 2), tuple(facts.evidence[:3]), subject=skill
        )
    transfer = ontology.best_transfer(skill, candidate.levels())
    if transfer is not None:
        source = candidate.has(transfer.source)
        # a skill the role is named after is screened on: a transfer counts for less
        confidence = round(transfer.confidence * (CORE_TRANSFER_FACTOR if req.core else 1.0), 2)
        return Assessment(
            req,
            "partial",
            confidence,
            tuple(source.evidence[:2]) if source else (),
            via=f"{transfer.source} -> {skill} ({transfer.family})",
            ramp_up=transfer.ramp_up,
            bridge=transfer.bridge,
            subject=skill,
        )
    return Assessment(
        req,
        "unmatched",
        0.0,
        ramp_up=ontology.default_ramp_up(skill),
        subject=skill,
        bridge=(
            f"Build and ship one small project with {skill} "
            f"({ontology.category_label(skill)}) and describe it in your profile."
        ),
    )


def _assess_competencies(req: Requirement, candidate: Candidate, ontology: Ontology) -> Assessment:
    confidences = []
    evidence: list[str] = []
    missing = []
    for key in req.competencies:
        competency = ontology.competencies[key]
        lines = candidate.evidence_for(competency.shows) if competency.shows else []
        confidence = {0: 0.0, 1: 0.65, 2: 0.8}.get(len(lines), 0.9)
        if competency.degree_counts:
            has_degree, degree = candidate.has_degree()
            if has_degree:
                cs = any(f in (degree or "").lower() for f in CS_FIELDS)
                # a degree proves the degree; for anything else it is only a hint
                from_degree = (1.0 if cs else 0.8) if key == "degree" else (0.7 if cs else 0.5)
                confidence = max(confidence, from_degree)
                lines = [*lines, f"Education: {degree}"]
            elif key == "degree" and candidate.years >= 4:
                confidence = max(confidence, 0.7)
                lines = [f"{candidate.years:g} years of practical experience", *lines]
        confidences.append(confidence)
        evidence += lines[:2]
        if confidence == 0.0:
            missing.append(competency)
    confidence = round(sum(confidences) / len(confidences), 2) if confidences else 0.0
    first = ontology.competencies[req.competencies[0]]
    status: MatchStatus
    if confidence >= 0.6:
        status = "matched"
    elif confidence > 0:
        status = "partial"
    else:
        status = "unmatched"
    gap = missing[0] if missing else first
    return Assessment(
        req,
        status,
        confidence,
        tuple(dict.fromkeys(evidence))[:3],
        ramp_up=gap.ramp_up,
        subject=gap.label,
        bridge=gap.bridge
        or (
            f"Collect concrete examples of {gap.label} from your work, or take "
            f"on a project that needs it, and add them to your profile."
        ),
    )


def _assess_depth(req: Requirement, candidate: Candidate, ontology: Ontology) -> Assessment:
    """A role's own domain needs a skill in it at level 4 or more, not just a mention."""
    domain = ontology.domains[req.domains[0]]
    skills = sorted(
        (s for s in candidate.skills if s in domain.skills),
        key=lambda s: -candidate.skills[s].level,
    )
    deep = [s for s in skills if candidate.skills[s].level >= 4]
    if deep:
        best = candidate.skills[deep[0]]
        return Assessment(
            req,
            "matched",
            level_weight(best.level),
            (f"{deep[0]} at level {best.level}/5",),
            subject=domain.label,
        )
    bridge = (
        f"Take on work where {domain.label} is the core of the job and build one skill in it "
        f"to an expert level."
    )
    if skills or req.domains[0] in candidate.domains:
        shown = ", ".join(f"{s} {candidate.skills[s].level}/5" for s in skills[:3])
        return Assessment(
            req,
            "partial",
            0.45,
            (f"Some {domain.label}: {shown or 'mentioned'}",),
            subject=f"depth in {domain.label}",
            ramp_up="3-6 months",
            bridge=bridge,
        )
    return Assessment(
        req,
        "unmatched",
        0.0,
        subject=f"depth in {domain.label}",
        ramp_up="6-12 months",
        bridge=bridge,
    )


def _assess_domains(req: Requirement, candidate: Candidate, ontology: Ontology) -> Assessment:
    have = [k for k in req.domains if k in candidate.domains]
    first = ontology.domains[req.domains[0]]
    if req.kind == "domain":
        if have:
            skills = sorted(s for s in candidate.skills if s in first.skills)
            proof = f"Profile shows {first.label}" + (
                f" ({', '.join(skills[:4])})" if skills else ""
            )
            return Assessment(req, "matched", 0.9, (proof,), subject=first.label)
        return Assessment(
            req, "unmatched", 0.0, ramp_up=first.ramp_up, bridge=first.bridge, subject=first.label
        )
    share = len(have) / len(req.domains)
    if not have:
        labels = ", ".join(ontology.domains[k].label for k in req.domains)
        return Assessment(
            req,
            "unmatched",
            0.0,
            ramp_up="2-4 months",
            subject=labels,
            bridge=f"Read the employer's engineering writing on {labels} and build a "
            f"small project in one of them.",
        )
    confidence = round(0.6 + 0.4 * share, 2)
    labels = ", ".join(ontology.domains[k].label for k in have)
    return Assessment(req, "matched", confidence, (f"Profile shows {labels}",), subject=labels)


def assess(req: Requirement, candidate: Candidate, ontology: Ontology) -> Assessment:
    """How the candidate meets one requirement, with evidence from the profile."""
    if req.kind == "skill":
        return assess_skill(req.skills[0], req, candidate, ontology)
    if req.kind == "any_of":
        options = [assess_skill(s, req, candidate, ontology) for s in req.skills]
        if req.ranked:  # the employer's third language counts less than its first
            options = [
                replace(a, confidence=round(a.confidence * max(0.7, 1 - 0.1 * i), 2))
                for i, a in enumerate(options)
            ]
        order = {"matched": 2, "partial": 1, "unmatched": 0}
        best = max(options, key=lambda a: (order[a.status], a.confidence))
        if best.status == "unmatched":
            names = " / ".join(req.skills)
            return Assessment(
                req, "unmatched", 0.0, ramp_up=best.ramp_up, bridge=best.bridge, subject=names
            )
        return best
    if req.kind == "all_of":
        parts = [assess_skill(s, req, candidate, ontology) for s in req.skills]
        confidence = round(sum(p.confidence for p in parts) / len(parts), 2)
        status: MatchStatus = (
            "matched"
            if all(p.status == "matched" for p in parts)
            else ("partial" if confidence > 0 else "unmatched")
        )
        evidence = tuple(e for p in parts for e in p.evidence[:1])
        return Assessment(req, status, confidence, evidence, subject=", ".join(req.skills))
    if req.kind == "competency":
        return _assess_competencies(req, candidate, ontology)
    if req.kind in ("domain", "domains"):
        return _assess_domains(req, candidate, ontology)
    if req.kind == "depth":
        return _assess_depth(req, candidate, ontology)
    # experience
    wanted = req.years or 0.0
    have = candidate.years
    proof = (f"{have:g} years of dated experience ({candidate.seniority})",)
    if have >= wanted:
        return Assessment(req, "matched", 1.0, proof, subject="experience")
    if have >= 0.75 * wanted:
        return Assessment(
            req,
            "partial",
            0.6,
            proof,
            subject="experience",
            ramp_up=f"about {wanted - have:.0f} more year(s)",
            bridge="Lead the scope the role expects in your current job and show it.",
        )
    return Assessment(
        req,
        "unmatched",
        round(0.5 * have / wanted, 2) if wanted else 0.0,
        proof,
        subject="experience",
        ramp_up=f"about {wanted - have:.0f} more years",
        bridge="Aim one level lower for now, or show scope beyond your years.",
    )


def assess_all(
    requirements: list[Requirement], candidate: Candidate, ontology: Ontology
) -> list[Assessment]:
    return [assess(r, candidate, ontology) for r in requirements]


# -- the sceptical comparison -------------------------------------------------------------------
def _strength_text(a: Assessment, candidate: Candidate, ontology: Ontology) -> str:
    req = a.requirement
    if req.kind in ("skill", "any_of", "all_of") and a.subject in candidate.skills:
        facts = candidate.skills[a.subject]
        jobs = [
            e.removeprefix("Used at ").split(" as ")[0]
            for e in facts.evidence
            if e.startswith("Used at ")
        ]
        if jobs:
            where = f", {facts.years:g} years at {', '.join(dict.fromkeys(jobs))}"
        else:
            projects = [e.split(":")[0] for e in facts.evidence if e.startswith("Project ")]
            where = f", used in {', '.join(projects)}" if projects else ""
        return f"{a.subject} — level {facts.level}/5{where}"
    if req.kind == "competency":
        label = ontology.competencies[req.competencies[0]].label
        proof = a.evidence[0] if a.evidence else "shown in the profile"
        return f"{label[:1].upper()}{label[1:]}: {proof}"
    if req.kind in ("domain", "domains"):
        return f"Domain fit — {a.evidence[0] if a.evidence else a.subject}"
    if req.kind == "depth":
        return f"Depth in {a.subject} — {a.evidence[0] if a.evidence else 'shown in the profile'}"
    return f"Experience — {a.evidence[0] if a.evidence else ''}".rstrip(" —")


def _gap_for(a: Assessment) -> Gap:
    req = a.requirement
    if req.kind == "domain":
        return Gap(
            f"No {a.subject} experience — a fundamental mismatch, not a quick skill gap",
            a.bridge or "",
            a.ramp_up or "6-12 months",
        )
    if a.status == "partial" and a.via:
        return Gap(
            f"{a.subject}: no direct experience (transfers from {a.via.split(' -> ')[0]})",
            a.bridge or "",
            a.ramp_up or "",
        )
    if req.kind in ("skill", "any_of", "all_of"):
        what = a.subject if req.kind == "skill" else " / ".join(req.skills)
        return Gap(f"{what}: not in the profile", a.bridge or "", a.ramp_up or "")
    if req.kind == "experience":
        return Gap(f"Seniority: {req.label}", a.bridge or "", a.ramp_up or "")
    return Gap(
        f"{a.subject}: little evidence in the profile", a.bridge or "", a.ramp_up or "1-3 months"
    )


def compare(
    assessments: list[Assessment],
    candidate: Candidate,
    context: EmployerContext,
    ontology: Ontology,
) -> Comparison:
    """Strengths that matter (≤ 4), honest gaps (≥ 2), what transfers, and the risk."""
    ranked = sorted(
        (a for a in assessments if a.status == "matched" and a.requirement.weight >= 0.5),
        key=lambda a: (-(a.requirement.weight * a.confidence), a.requirement.id),
    )
    strengths: list[str] = []
    seen: set[str] = set()
    for a in ranked:
        key = a.subject or a.requirement.id
        if key in seen:
            continue
        seen.add(key)
        strengths.append(_strength_text(a, candidate, ontology))
        if len(strengths) == MAX_STRENGTHS:
            break

    def severity(a: Assessment) -> tuple:
        fundamental = a.requirement.kind == "domain"
        return (not fundamental, a.status != "unmatched", -a.requirement.weight, a.requirement.id)

    gaps: list[Gap] = []
    gap_subjects: set[str] = set()
    for a in sorted((a for a in assessments if a.status != "matched"), key=severity):
        if a.subject in gap_subjects:
            continue
        gap_subjects.add(a.subject or "")
        gaps.append(_gap_for(a))
        if len(gaps) == MAX_GAPS:
            break
    gaps += _fill_in_gaps(
        assessments, candidate, context, ontology, gap_subjects, MIN_GAPS - len(gaps)
    )

    transferable = [
        f"{a.via}: credited {round(a.confidence * 100)}%, ramp-up {a.ramp_up}"
        for a in assessments
        if a.status == "partial" and a.via
    ]
    mismatches = [
        a.subject or ""
        for a in assessments
        if a.requirement.kind == "domain" and a.status == "unmatched"
    ]
    total = sum(a.requirement.weight for a in assessments) or 1.0
    missing = sum(a.requirement.weight for a in assessments if a.status == "unmatched") / total
    leaning = sum(a.requirement.weight for a in assessments if a.status == "partial") / total
    risk: Risk
    if mismatches or missing > 0.45:
        risk = "high"
    elif missing > 0.2 or leaning > 0.3:
        risk = "moderate"
    else:
        risk = "low"
    seniority_note = None
    wanted = [
        a.requirement.years
        for a in assessments
        if a.requirement.kind == "experience" and a.requirement.years is not None
    ]
    if wanted and max(wanted) + 6 <= candidate.years:
        seniority_note = (
            f"The role asks for {max(wanted):g}+ years and the profile shows "
            f"{candidate.years:g}: possibly overqualified."
        )
    return Comparison(strengths, gaps, transferable, mismatches, risk, seniority_note)


def _fill_in_gaps(
    assessments: list[Assessment],
    candidate: Candidate,
    context: EmployerContext,
    ontology: Ontology,
    taken: set[str],
    needed: int,
) -> list[Gap]:
    """When fewer than two real gaps exist, the next most useful things to deepen."""
    extra: list[Gap] = []
    if needed <= 0:
        return extra
    for item in context.stack:
        skill = ontology.canonical_or_self(item)
        if skill in candidate.skills or skill in taken or len(extra) >= needed:
            continue
        transfer = ontology.best_transfer(skill, candidate.levels())
        taken.add(skill)
        if transfer:
            extra.append(
                Gap(
                    f"{skill} (in the employer's stack): no direct experience",
                    transfer.bridge,
                    transfer.ramp_up,
                )
            )
        else:
            extra.append(
                Gap(
                    f"{skill} (in the employer's stack): not in the profile",
                    f"Work through {skill}'s official tutorial and use it in a side project.",
                    ontology.default_ramp_up(skill),
                )
            )
    weakest = sorted(
        (
            (a.subject, a)
            for a in assessments
            if a.status == "matched"
            and a.subject is not None
            and a.subject in candidate.skills
            and a.subject not in taken
        ),
        key=lambda pair: (candidate.skills[pair[0]].level, -pair[1].requirement.weight),
    )
    for subject, _ in weakest:
        if len(extra) >= needed:
            break
        facts = candidate.skills[subject]
        if facts.level >= 5:
            continue
        taken.add(subject)
        extra.append(
            Gap(
                f"{subject}: level {facts.level}/5 — deepen it for this role",
                f"Take on a production feature in {subject} and lead its design review.",
                "4-8 weeks",
            )
        )
    always_true = [
        Gap(
            f"Context specific to {context.company or 'this employer'}: its scale, internal "
            "tools and practices",
            "Read its engineering blog and talks, and ask in interviews how teams work day to day.",
            "1-3 months (on the job)",
        ),
        Gap(
            "Interview readiness: recent, measurable examples for each requirement",
            "Prepare two stories per key requirement with numbers from your highlights.",
            "1-2 weeks",
        ),
    ]
    extra += always_true[: max(0, needed - len(extra))]
    return extra[:needed]


# -- the score -----------------------------------------------------------------------------------
def raw_score(assessments: list[Assessment]) -> float:
    """Weighted requirement coverage, 0-100."""
    total = sum(a.requirement.weight for a in assessments)
    if total <= 0:
        return 0.0
    earned = sum(
        a.requirement.weight * a.confidence for a in assessments if a.status != "unmatched"
    )
    return round(100 * earned / total, 1)


def _pull(score: float, towards: float, share: float) -> float:
    return score + (towards - score) * share


def calibrate(
    assessments: list[Assessment],
    comparison: Comparison,
    data_quality: str,
    source_flags: list[str],
    scope: str = "job_description",
) -> Verdict:
    """The calibrated score and tier, with the flags and reasons for every adjustment.

    `scope` says how specific the requirements are: "job_description" (a posting), "role" (a
    company and a job title) or "company" (a company alone, so the team is unknown).
    """
    raw = raw_score(assessments)
    score = raw
    flags = list(source_flags)
    rationale = [f"Weighted requirement coverage: {raw:.0f}% over {len(assessments)} requirements."]
    if scope != "job_description":
        share = 0.15 if scope == "company" else 0.1
        score = _pull(score, 50, share)
        flags.append("no_job_description")
        rationale.append(
            f"No job description, so requirements are the employer's typical ones: "
            f"pulled {share:.0%} toward the midpoint."
        )
    if data_quality == "MEDIUM":
        score = _pull(score, 50, 0.1)
        flags.append("medium_data_quality")
        rationale.append("Medium data quality: pulled 10% toward the midpoint.")
    elif data_quality == "LOW":
        score = _pull(score, 50, 0.2)
        flags.append("low_data_quality")
        rationale.append("Low data quality: pulled 20% toward the midpoint.")
    if len(assessments) < 5:
        score = _pull(score, 50, 0.15)
        flags.append("few_requirements")
        rationale.append(
            f"Only {len(assessments)} requirements found: pulled 15% toward the midpoint."
        )
    earned_partial = sum(
        a.requirement.weight * a.confidence for a in assessments if a.status == "partial"
    )
    earned_total = sum(
        a.requirement.weight * a.confidence for a in assessments if a.status != "unmatched"
    )
    if earned_total and earned_partial / earned_total > 0.35:
        score -= 5
        flags.append("relies_on_transferable_skills")
        rationale.append("Over a third of the credit comes from transferable skills: -5.")
    if comparison.domain_mismatches:
        # Years of work separate the candidate from the role, whatever the tool overlap: the
        # score is mapped into LOW (15-38), still ordered by how much else matches.
        score = 15 + max(0.0, score) * (MISMATCH_CAP - 15) / 100
        flags.append("fundamental_domain_mismatch")
        rationale.append(
            f"Fundamental domain mismatch ({', '.join(comparison.domain_mismatches)}):"
            f" mapped into the LOW band (15-{MISMATCH_CAP})."
        )
    if comparison.seniority_note:
        flags.append("possibly_overqualified")
    score = int(round(max(15.0, min(100.0, score))))
    tier = tier_for(score)
    rationale.append(f"Calibrated score {score}% → {tier}.")
    return Verdict(raw, score, tier, flags, rationale)
