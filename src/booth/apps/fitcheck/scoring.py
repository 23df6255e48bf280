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

import re
from dataclasses import replace

from booth.apps.fitcheck.conditions import assess_condition
from booth.apps.fitcheck.models import (
    Assessment,
    Comparison,
    EmployerContext,
    Gap,
    Requirement,
    Risk,
    Status,
    Tier,
    Verdict,
)
from booth.apps.fitcheck.ontology import Ontology, level_weight
from booth.apps.fitcheck.profile import Candidate
from booth.apps.fitcheck.wording import level, span

MAX_STRENGTHS = 4
MIN_GAPS = 2
MAX_GAPS = 5
CORE_TRANSFER_FACTOR = 0.6  # a transfer towards a skill the role is named after counts less
CS_FIELDS = ("computer", "software", "engineering", "mathematics", "math", "physics", "informatics")
CONDITION_KINDS = frozenset(
    {
        "degree",
        "experience",
        "seniority_cap",
        "people_management",
        "language",
        "travel",
        "location",
        "work_authorization",
        "clearance",
    }
)

# -- tiers ---------------------------------------------------------------------------------------
HIGH_FROM = 75
MEDIUM_FROM = 40
LOW_FROM = 15

# -- calibration: pulls toward the midpoint when the evidence is thin ----------------------------
MIDPOINT = 50
COMPANY_ONLY_PULL = 0.15  # a company alone: the team is unknown
ROLE_ONLY_PULL = 0.10  # a company and a title, no posting
MEDIUM_DATA_PULL = 0.10
LOW_DATA_PULL = 0.20
FEW_REQUIREMENTS = 5
FEW_REQUIREMENTS_PULL = 0.15
TRANSFER_HEAVY_SHARE = 0.35  # more than this share of the credit from transfers …
TRANSFER_HEAVY_PENALTY = 5  # … costs this many points
MISMATCH_CAP = 38  # a fundamental domain mismatch maps the score into LOW (15-38)
KNOCKOUT_CAP = 55  # a required degree or language the profile lacks: at most MEDIUM
EXCLUSION_CAP = 35  # the posting excludes the candidate (seniority cap, right to work, clearance)
EXTRA_SCREEN_PENALTY = 8  # each further unmet screen

# -- risk ----------------------------------------------------------------------------------------
HIGH_RISK_MISSING = 0.45  # share of requirement weight unmet
MODERATE_RISK_MISSING = 0.2
MODERATE_RISK_PARTIAL = 0.3
OVERQUALIFIED_YEARS = 6  # years beyond the asked minimum that make a candidate overqualified

# -- role family and statements ----------------------------------------------------------------
ROLE_FAMILY_TRANSFER = 0.5  # activities shown in another role family count half
SIDE_DOMAIN_CREDIT = 0.45  # a domain shown only by side projects

# -- credits for one requirement -----------------------------------------------------------------
SEASONED_YEARS = 3  # years with a skill at work that earn …
SEASONED_BONUS = 0.05  # … this much on top of its level's weight
EVIDENCE_CREDIT = {0: 0.0, 1: 0.65, 2: 0.8}  # a competency shown by N profile lines
MANY_EVIDENCE_CREDIT = 0.9  # … by three or more
COMPETENCY_MET = 0.6  # from this confidence a competency counts as met
DEGREE_CREDIT = {"cs_degree": 1.0, "other_degree": 0.8, "years_for_degree": 0.7}
DEGREE_HINT = {"cs_degree": 0.7, "other_degree": 0.5}  # a degree as a hint of fundamentals
DEPTH_PARTIAL = 0.45  # some skill in the role's domain, none at level 4 or more
DEPTH_LEVEL = 4
DOMAIN_SHOWN = 0.9  # a fundamental domain the profile shows
DOMAINS_BASE, DOMAINS_SPREAD = 0.6, 0.4  # employer's domains: base + spread × share shown
RANKED_STEP, RANKED_FLOOR = 0.1, 0.7  # each later language of an employer counts 10% less
STATEMENT_UNJUDGED = 0.5  # a line with no content words to look for
STATEMENT_PARTIAL = 0.4
STRENGTH_MIN_WEIGHT = 0.5  # nice-to-haves are not listed as strengths
STATEMENT_MATCH_SHARE = 0.5  # share of a line's content words the profile must show
STATUS_ORDER = {"matched": 2, "partial": 1, "unmatched": 0}  # which of "one of" options wins


def tier_for(score: float) -> Tier:
    if score >= HIGH_FROM:
        return "HIGH"
    if score >= MEDIUM_FROM:
        return "MEDIUM"
    if score >= LOW_FROM:
        return "LOW"
    return "INSUFFICIENT_DATA"


def screen_of(a: Assessment) -> str | None:
    """Whether an unmet requirement screens the candidate out: "exclusion", "knockout" or None."""
    req = a.requirement
    if a.status != "unmatched" or not req.required or req.source.startswith("kb:"):
        return None  # an employer's typical requirements are no posting's screen
    if req.kind in ("seniority_cap", "work_authorization"):
        return "exclusion"
    if req.kind == "clearance" and not req.equivalent:
        return "exclusion"
    if req.kind == "language" or (req.kind == "degree" and not req.equivalent):
        return "knockout"
    return None


# -- assessing one requirement ------------------------------------------------------------------
def assess_skill(
    skill: str, req: Requirement, candidate: Candidate, ontology: Ontology
) -> Assessment:
    facts = candidate.has(skill)
    if facts is not None:
        seasoned = SEASONED_BONUS if facts.years >= SEASONED_YEARS else 0.0
        confidence = level_weight(facts.level) + seasoned
        return Assessment(
            req, "matched", round(min(confidence, 1.0), 2), tuple(facts.evidence[:3]), subject=skill
        )
    transfer = candidate.transfers.get(skill)
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
        lines = list(candidate.shown[key])
        confidence = EVIDENCE_CREDIT.get(len(lines), MANY_EVIDENCE_CREDIT)
        if competency.degree_counts:
            has_degree, degree = candidate.has_degree()
            if has_degree:
                cs = any(f in (degree or "").lower() for f in CS_FIELDS)
                # a degree proves the degree; for anything else it is only a hint
                kind = "cs_degree" if cs else "other_degree"
                from_degree = DEGREE_CREDIT[kind] if key == "degree" else DEGREE_HINT[kind]
                confidence = max(confidence, from_degree)
                lines = [*lines, f"Education: {degree}"]
            elif key == "degree" and candidate.years >= 4:
                confidence = max(confidence, DEGREE_CREDIT["years_for_degree"])
                lines = [f"{span(candidate.years)} of practical experience", *lines]
        confidences.append(confidence)
        evidence += lines[:2]
        if confidence == 0.0:
            missing.append(competency)
    confidence = round(sum(confidences) / len(confidences), 2) if confidences else 0.0
    first = ontology.competencies[req.competencies[0]]
    status: Status
    if confidence >= COMPETENCY_MET:
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
    deep = [s for s in skills if candidate.skills[s].level >= DEPTH_LEVEL]
    if deep:
        best = candidate.skills[deep[0]]
        return Assessment(
            req,
            "matched",
            level_weight(best.level),
            (f"{deep[0]} at an {level(best.level)}",),
            subject=domain.label,
        )
    bridge = (
        f"Take on work where {domain.label} is the core of the job and build one skill in it "
        f"to an expert level."
    )
    if skills or req.domains[0] in candidate.domains:
        shown = ", ".join(f"{s} ({level(candidate.skills[s].level)})" for s in skills[:3])
        return Assessment(
            req,
            "partial",
            DEPTH_PARTIAL,
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
            return Assessment(req, "matched", DOMAIN_SHOWN, (proof,), subject=first.label)
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
    labels = ", ".join(ontology.domains[k].label for k in have)
    if all(k in candidate.side_domains for k in have):
        markers = tuple(m.lower() for k in have for m in ontology.domains[k].markers)
        shown = tuple(candidate.evidence_for(markers)[:2]) or (f"Projects show {labels}",)
        return Assessment(
            req,
            "partial",
            SIDE_DOMAIN_CREDIT,
            shown,
            subject=f"{labels}: shown in side projects, not at work",
            ramp_up="2-4 months",
            bridge=f"Take on {labels} work in your job, or describe the project's scope and users.",
        )
    confidence = round(DOMAINS_BASE + DOMAINS_SPREAD * share, 2)
    return Assessment(req, "matched", confidence, (f"Profile shows {labels}",), subject=labels)


def assess(req: Requirement, candidate: Candidate, ontology: Ontology) -> Assessment:
    """How the candidate meets one requirement, with evidence from the profile."""
    if req.kind == "skill":
        return assess_skill(req.skills[0], req, candidate, ontology)
    if req.kind == "any_of":
        options = [assess_skill(s, req, candidate, ontology) for s in req.skills]
        confidences = [a.confidence for a in options]
        if req.ranked:  # the employer's third language counts less than its first
            confidences = [
                round(c * max(RANKED_FLOOR, 1 - RANKED_STEP * i), 2)
                for i, c in enumerate(confidences)
            ]
        top = max(
            range(len(options)), key=lambda i: (STATUS_ORDER[options[i].status], confidences[i])
        )
        best = options[top]
        if best.status == "unmatched":
            names = " / ".join(req.skills)
            return Assessment(
                req, "unmatched", 0.0, ramp_up=best.ramp_up, bridge=best.bridge, subject=names
            )
        # only the option that decides it is copied with its ranked confidence
        return replace(best, confidence=confidences[top]) if req.ranked else best
    if req.kind == "all_of":
        parts = [assess_skill(s, req, candidate, ontology) for s in req.skills]
        confidence = round(sum(p.confidence for p in parts) / len(parts), 2)
        short = [p for p in parts if p.status != "matched"]
        status: Status = "matched" if not short else ("partial" if confidence > 0 else "unmatched")
        evidence = tuple(e for p in parts for e in p.evidence[:1])
        # what decides it is what is missing: the skills the profile lacks, and how to close them
        decided = short or parts
        return Assessment(
            req,
            status,
            confidence,
            evidence,
            ramp_up=decided[0].ramp_up,
            bridge=decided[0].bridge,
            subject=", ".join(str(p.subject) for p in decided),
        )
    if req.kind == "competency":
        return _assess_competencies(req, candidate, ontology)
    if req.kind in ("domain", "domains"):
        return _assess_domains(req, candidate, ontology)
    if req.kind == "depth":
        return _assess_depth(req, candidate, ontology)
    if req.kind == "role_family":
        return _assess_role_family(req, candidate, ontology)
    if req.kind == "statement":
        return _assess_statement(req, candidate, ontology)
    return assess_condition(req, candidate, ontology)


def _assess_role_family(req: Requirement, candidate: Candidate, ontology: Ontology) -> Assessment:
    """Years in the role family by job title; else its activities as shown elsewhere, halved."""
    family = req.family or ""
    years = candidate.family_years.get(family, 0.0)
    if years:
        proof = tuple(
            f"{job.title} at {job.company}"
            for job in candidate.profile.experience
            if getattr(ontology.role_family(job.title), "family", "software") == family
        )
        return Assessment(req, "matched", 1.0, proof[:2], subject=family)
    parts = [
        _assess_competencies(req.model_copy(update={"competencies": (key,)}), candidate, ontology)
        for key in req.competencies
    ]
    shown = [p for p in parts if p.status != "unmatched"]
    confidence = round(
        ROLE_FAMILY_TRANSFER * sum(p.confidence for p in parts) / max(1, len(parts)), 2
    )
    evidence = tuple(e for p in shown for e in p.evidence[:1])
    bridge = (
        f"{family[:1].upper()}{family[1:]} is its own career track: build a record in "
        f"{', '.join(ontology.competencies[k].label for k in req.competencies)} before applying."
    )
    status: Status = "partial" if confidence > 0 else "unmatched"
    return Assessment(
        req,
        status,
        confidence,
        evidence[:3],
        subject=f"No {family} role in the profile",
        ramp_up="1-2 years",
        bridge=bridge,
    )


def _assess_statement(req: Requirement, candidate: Candidate, ontology: Ontology) -> Assessment:
    """A free requirement line: how many of its content words the profile shows."""
    stop = ontology.lexicon.query.filler | ontology.lexicon.stopwords
    words = [
        w
        for w in re.findall(r"[a-z][a-z0-9+#-]{3,}", (req.quote or req.label).lower())
        if w not in stop
    ]
    if not words:
        return Assessment(req, "partial", STATEMENT_UNJUDGED, subject=req.label, ramp_up="unknown")
    stems = list(dict.fromkeys(w[:6] for w in words))
    shown = [s for s in stems if candidate.evidence_for((s,))]
    share = len(shown) / len(stems)
    # the profile lines that share the most of the line's words come first
    lines = candidate.evidence_for(tuple(shown)) if shown else []
    lines.sort(key=lambda line: -sum(s in line.lower() for s in shown))
    evidence = tuple(lines[:2])
    bridge = "Add concrete evidence of this to your profile, or prepare an example for interviews."
    if share >= STATEMENT_MATCH_SHARE:
        confidence = round(STATEMENT_UNJUDGED + 0.4 * share, 2)
        return Assessment(req, "matched", confidence, evidence, subject=req.label)
    if shown:
        return Assessment(
            req,
            "partial",
            STATEMENT_PARTIAL,
            evidence,
            subject=req.label,
            ramp_up="1-3 months",
            bridge=bridge,
        )
    return Assessment(req, "unmatched", 0.0, subject=req.label, ramp_up="1-3 months", bridge=bridge)


def assess_all(
    requirements: list[Requirement], candidate: Candidate, ontology: Ontology
) -> list[Assessment]:
    return [assess(r, candidate, ontology) for r in requirements]


# -- the sceptical comparison -------------------------------------------------------------------
def _skill_strength(skill: str, candidate: Candidate) -> str:
    """ "Python — expert level, about 10 years at A, B": the level and where it was used."""
    facts = candidate.skills[skill]
    jobs = [
        e.removeprefix("Used at ").split(" as ")[0]
        for e in facts.evidence
        if e.startswith("Used at ")
    ]
    if jobs:
        where = f", {span(facts.years)} at {', '.join(dict.fromkeys(jobs))}"
    else:
        projects = [e.split(":")[0] for e in facts.evidence if e.startswith("Project ")]
        where = f", used in {', '.join(projects)}" if projects else ""
    return f"{skill} — {level(facts.level)}{where}"


def _strength_text(a: Assessment, candidate: Candidate, ontology: Ontology) -> str:
    req = a.requirement
    if req.kind in ("skill", "any_of") and a.subject in candidate.skills:
        return _skill_strength(a.subject, candidate)
    if req.kind == "all_of":
        return "; ".join(_skill_strength(s, candidate) for s in req.skills)
    if req.kind == "competency":
        label = ontology.competencies[req.competencies[0]].label
        proof = a.evidence[0] if a.evidence else "shown in the profile"
        return f"{label[:1].upper()}{label[1:]}: {proof}"
    if req.kind in ("domain", "domains"):
        return f"Domain fit — {a.evidence[0] if a.evidence else a.subject}"
    if req.kind == "depth":
        return f"Depth in {a.subject} — {a.evidence[0] if a.evidence else 'shown in the profile'}"
    return f"Experience — {a.evidence[0] if a.evidence else ''}".rstrip(" —")


def _transfer_source(a: Assessment) -> str:
    """The skill a transfer starts from ("AWS" in "AWS -> GCP (cloud providers)")."""
    return (a.via or "").split(" -> ")[0]


def _gap_for(a: Assessment, candidate: Candidate) -> Gap:
    """The gap an unmet or partly met requirement leaves, worded as partly met when it is.

    A skill the profile has is never named as missing: of "Python and Rust", only Rust is.
    """
    req = a.requirement
    rid = req.id or None
    if req.kind == "domain":
        return Gap(
            f"No {a.subject} experience — a fundamental mismatch, not a quick skill gap",
            a.bridge or "",
            a.ramp_up or "6-12 months",
            rid,
        )
    if a.status == "partial" and a.via:
        return Gap(
            f"{a.subject}: no direct experience (transfers from {_transfer_source(a)})",
            a.bridge or "",
            a.ramp_up or "",
            rid,
        )
    if req.kind == "all_of":
        missing = [s for s in req.skills if s not in candidate.skills]
        shown = [s for s in req.skills if s in candidate.skills]
        also = f" (asked with {', '.join(shown)}, which it shows)" if shown else ""
        return Gap(
            f"{' / '.join(missing)}: not in the profile{also}", a.bridge or "", a.ramp_up or "", rid
        )
    if req.kind in ("skill", "any_of"):
        what = a.subject if req.kind == "skill" else " / ".join(req.skills)
        return Gap(f"{what}: not in the profile", a.bridge or "", a.ramp_up or "", rid)
    if req.kind == "experience" and not req.area and req.max_years is None:
        shows = f" — the profile shows {a.evidence[0]}" if a.evidence else ""
        return Gap(f"Seniority: {req.label}{shows}", a.bridge or "", a.ramp_up or "", rid)
    if req.kind in CONDITION_KINDS or req.kind in ("role_family", "statement"):
        return Gap(a.subject or req.label, a.bridge or "", a.ramp_up or "unknown", rid)
    if req.kind == "domains" and a.status == "partial":  # its subject says what is shown
        return Gap(a.subject or req.label, a.bridge or "", a.ramp_up or "2-4 months", rid)
    return Gap(
        f"{a.subject}: little evidence in the profile",
        a.bridge or "",
        a.ramp_up or "1-3 months",
        rid,
    )


def compare(
    assessments: list[Assessment],
    candidate: Candidate,
    context: EmployerContext,
    ontology: Ontology,
) -> Comparison:
    """Strengths that matter (≤ 4), honest gaps (≥ 2), what transfers, and the risk."""
    ranked = sorted(
        (
            a
            for a in assessments
            if a.status == "matched" and a.requirement.weight >= STRENGTH_MIN_WEIGHT
        ),
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

    def severity(a: Assessment) -> tuple[bool, bool, bool, float, str]:
        fundamental = a.requirement.kind == "domain"
        screened = screen_of(a) is not None
        return (
            not screened,
            not fundamental,
            a.status != "unmatched",
            -a.requirement.weight,
            a.requirement.id,
        )

    gaps: list[Gap] = []
    gap_subjects: set[str] = set()
    for a in sorted((a for a in assessments if a.status != "matched"), key=severity):
        if a.subject in gap_subjects:
            continue
        gap_subjects.add(a.subject or "")
        gaps.append(_gap_for(a, candidate))
        if len(gaps) == MAX_GAPS:
            break
    # a strength is not also an area to deepen
    taken = gap_subjects | seen
    gaps += _fill_in_gaps(assessments, candidate, context, ontology, taken, MIN_GAPS - len(gaps))

    transferable = list(
        dict.fromkeys(
            f"{_transfer_source(a)} carries over to {a.subject}; ramp-up {a.ramp_up}"
            for a in assessments
            if a.status == "partial" and a.via
        )
    )
    mismatches = [
        a.subject or ""
        for a in assessments
        if a.requirement.kind == "domain" and a.status == "unmatched"
    ]
    total = sum(a.requirement.weight for a in assessments) or 1.0
    missing = sum(a.requirement.weight for a in assessments if a.status == "unmatched") / total
    leaning = sum(a.requirement.weight for a in assessments if a.status == "partial") / total
    screened = any(screen_of(a) for a in assessments)
    risk: Risk
    if mismatches or screened or missing > HIGH_RISK_MISSING:
        risk = "high"
    elif missing > MODERATE_RISK_MISSING or leaning > MODERATE_RISK_PARTIAL:
        risk = "moderate"
    else:
        risk = "low"
    return Comparison(
        strengths, gaps, transferable, mismatches, risk, _seniority_note(assessments, candidate)
    )


def _seniority_note(assessments: list[Assessment], candidate: Candidate) -> str | None:
    """Overqualification, said as a risk: a cap the posting sets, a band's top, or years far
    beyond the minimum asked."""
    for a in assessments:
        req = a.requirement
        if req.kind == "seniority_cap" and a.status == "unmatched":
            return (
                f"Overqualified: the posting cannot consider candidates past about "
                f"{req.max_years:g} years, and the profile shows {span(candidate.years)}."
            )
        if req.kind == "experience" and req.max_years is not None and a.status == "partial":
            if candidate.years > req.max_years:
                return (
                    f"The role asks for {req.label} and the profile shows "
                    f"{span(candidate.years)}: possibly overqualified."
                )
    wanted = [
        a.requirement.years or 0.0
        for a in assessments
        if a.requirement.kind == "experience" and not a.requirement.area
    ]
    if wanted and max(wanted) + OVERQUALIFIED_YEARS <= candidate.years:
        return (
            f"The role asks for {max(wanted):g}+ years and the profile shows "
            f"{span(candidate.years)}: possibly overqualified."
        )
    return None


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
        if len(extra) >= needed:
            break
        skill = ontology.canonical_or_self(item)
        if skill in candidate.skills or skill in taken:
            continue
        transfer = candidate.transfers.get(skill)
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
        key=lambda item: (candidate.skills[item[0]].level, -item[1].requirement.weight),
    )
    for subject, a in weakest:
        if len(extra) >= needed:
            break
        facts = candidate.skills[subject]
        if facts.level >= 5 or subject in taken:  # two requirements may name the same skill
            continue
        taken.add(subject)
        extra.append(
            Gap(
                f"{a.subject}: {level(facts.level)} — deepen it for this role",
                f"Take on a production feature in {a.subject} and lead its design review.",
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


SCREEN_FLAGS = {
    "seniority_cap": "overqualified",
    "work_authorization": "no_right_to_work",
    "clearance": "clearance_required",
    "degree": "required_degree_missing",
    "language": "required_language_missing",
}


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
        share = COMPANY_ONLY_PULL if scope == "company" else ROLE_ONLY_PULL
        score = _pull(score, MIDPOINT, share)
        flags.append("no_job_description")
        rationale.append(
            f"No job description, so requirements are the employer's typical ones: "
            f"pulled {share:.0%} toward the midpoint."
        )
    if data_quality in ("MEDIUM", "LOW"):
        share = MEDIUM_DATA_PULL if data_quality == "MEDIUM" else LOW_DATA_PULL
        score = _pull(score, MIDPOINT, share)
        flags.append(f"{data_quality.lower()}_data_quality")
        rationale.append(
            f"{data_quality.title()} data quality: pulled {share:.0%} toward the midpoint."
        )
    if len(assessments) < FEW_REQUIREMENTS:
        score = _pull(score, MIDPOINT, FEW_REQUIREMENTS_PULL)
        flags.append("few_requirements")
        rationale.append(
            f"Only {len(assessments)} requirements found: pulled "
            f"{FEW_REQUIREMENTS_PULL:.0%} toward the midpoint."
        )
    earned_partial = sum(
        a.requirement.weight * a.confidence for a in assessments if a.status == "partial"
    )
    earned_total = sum(
        a.requirement.weight * a.confidence for a in assessments if a.status != "unmatched"
    )
    if earned_total and earned_partial / earned_total > TRANSFER_HEAVY_SHARE:
        score -= TRANSFER_HEAVY_PENALTY
        flags.append("relies_on_transferable_skills")
        rationale.append(
            f"Over {TRANSFER_HEAVY_SHARE:.0%} of the credit comes from transferable skills: "
            f"-{TRANSFER_HEAVY_PENALTY}."
        )
    if comparison.domain_mismatches:
        # Years of work separate the candidate from the role, whatever the tool overlap: the
        # score is mapped into LOW (15-38), still ordered by how much else matches.
        score = LOW_FROM + max(0.0, score) * (MISMATCH_CAP - LOW_FROM) / 100
        flags.append("fundamental_domain_mismatch")
        rationale.append(
            f"Fundamental domain mismatch ({', '.join(comparison.domain_mismatches)}):"
            f" mapped into the LOW band ({LOW_FROM}-{MISMATCH_CAP})."
        )
    score = _screen(assessments, score, flags, rationale)
    if comparison.seniority_note and "overqualified" not in flags:
        flags.append("possibly_overqualified")
    score = int(round(max(float(LOW_FROM), min(100.0, score))))
    tier = tier_for(score)
    rationale.append(f"Calibrated score {score}% → {tier}.")
    return Verdict(raw, score, tier, flags, rationale)


def _screen(
    assessments: list[Assessment], score: float, flags: list[str], rationale: list[str]
) -> float:
    """Caps for requirements a recruiter screens on: the posting excludes the candidate
    (seniority cap, right to work, clearance) or a required degree or language is missing."""
    screens = [(screen_of(a), a) for a in assessments if screen_of(a)]
    if not screens:
        return score
    kinds = {kind for kind, _ in screens}
    cap = float(EXCLUSION_CAP if "exclusion" in kinds else KNOCKOUT_CAP)
    cap -= EXTRA_SCREEN_PENALTY * (len(screens) - 1)
    for _, a in screens:
        flag = SCREEN_FLAGS[a.requirement.kind]
        if flag not in flags:
            flags.append(flag)
    names = "; ".join(a.requirement.label for _, a in screens)
    unmet = "Unmet screening requirement" + ("s" if len(screens) > 1 else "")
    if score > cap:
        rationale.append(f"{unmet} ({names}): capped at {cap:.0f}.")
        return cap
    rationale.append(f"{unmet} ({names}).")
    return score
