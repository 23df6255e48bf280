import pytest

from booth.apps.fitcheck.models import EmployerContext, Requirement
from booth.apps.fitcheck.scoring import (
    MIN_GAPS,
    assess,
    assess_all,
    calibrate,
    compare,
    raw_score,
    tier_for,
)


def req(kind, label="r", weight=1.0, **fields):
    return Requirement(id="r1", label=label, kind=kind, weight=weight, **fields)


@pytest.fixture(scope="module")
def candidate(resources):
    return resources.candidate


@pytest.mark.parametrize(
    "score, tier",
    [
        (100, "HIGH"),
        (75, "HIGH"),
        (74, "MEDIUM"),
        (40, "MEDIUM"),
        (39, "LOW"),
        (15, "LOW"),
        (14, "INSUFFICIENT_DATA"),
    ],
)
def test_tier_boundaries(score, tier):
    assert tier_for(score) == tier


def test_skills_match_directly_by_transfer_or_not_at_all(candidate, ontology):
    python = assess(req("skill", skills=("Python",)), candidate, ontology)
    assert python.status == "matched" and python.confidence == 1.0
    assert any("Used at" in e for e in python.evidence)
    gcp = assess(req("skill", skills=("GCP",)), candidate, ontology)
    assert gcp.status == "partial" and gcp.via.startswith("AWS -> GCP") and gcp.ramp_up
    unreal = assess(req("skill", skills=("Unreal Engine",)), candidate, ontology)
    assert (unreal.status, unreal.confidence) == ("unmatched", 0.0)
    assert unreal.ramp_up == "6-12 months" and "Unreal Engine" in unreal.bridge


def test_any_of_takes_the_best_option(candidate, ontology):
    a = assess(req("any_of", skills=("C++", "Java", "Python")), candidate, ontology)
    assert (a.status, a.subject) == ("matched", "Python")


def test_competencies_need_evidence_from_the_profile(candidate, ontology):
    design = assess(req("competency", competencies=("system design",)), candidate, ontology)
    assert design.status == "matched" and len(design.evidence) >= 2
    clearance = assess(req("clearance"), candidate, ontology)
    assert clearance.status == "unmatched" and "sponsor" in clearance.ramp_up


def test_domains_and_experience(candidate, ontology):
    embedded = assess(req("domain", domains=("embedded",)), candidate, ontology)
    assert embedded.status == "unmatched" and embedded.ramp_up == "6-12 months"
    assert (
        assess(req("domain", domains=("distributed systems",)), candidate, ontology).status
        == "matched"
    )
    assert assess(req("experience", years=5.0), candidate, ontology).status == "matched"
    assert assess(req("experience", years=25.0), candidate, ontology).status == "unmatched"


def requirements(*skills, weight=1.0):
    return [
        Requirement(id=f"r{i}", label=s, kind="skill", weight=weight, skills=(s,))
        for i, s in enumerate(skills, 1)
    ]


CONTEXT = EmployerContext(company="Acme", role=None, role_family=None, stack=("Haskell", "Python"))


def test_comparison_caps_strengths_and_always_gives_two_gaps(candidate, ontology):
    reqs = requirements("Python", "FastAPI", "PostgreSQL", "Kubernetes", "AWS", "Docker")
    assessments = assess_all(reqs, candidate, ontology)
    comparison = compare(assessments, candidate, CONTEXT, ontology)
    assert len(comparison.strengths) == 4
    assert len(comparison.gaps) >= MIN_GAPS and all(g.bridge and g.ramp_up for g in comparison.gaps)
    assert comparison.gaps[0].gap.startswith("Haskell")  # from the employer's stack
    assert comparison.risk == "low"


def test_a_domain_mismatch_is_the_first_gap_and_high_risk(candidate, ontology):
    reqs = requirements("Python") + [
        Requirement(id="r9", label="Embedded", kind="domain", weight=2.0, domains=("embedded",))
    ]
    comparison = compare(assess_all(reqs, candidate, ontology), candidate, CONTEXT, ontology)
    assert "fundamental mismatch" in comparison.gaps[0].gap
    assert comparison.risk == "high" and comparison.domain_mismatches == [
        "embedded and real-time systems"
    ]


def test_calibration_adjusts_and_explains(candidate, ontology):
    reqs = requirements("Python", "FastAPI", "PostgreSQL", "Kubernetes", "AWS", "Docker")
    assessments = assess_all(reqs, candidate, ontology)
    comparison = compare(assessments, candidate, CONTEXT, ontology)
    strong = calibrate(assessments, comparison, "HIGH", [], "job_description")
    assert strong.score == round(raw_score(assessments)) and strong.tier == "HIGH"
    thin = calibrate(assessments, comparison, "LOW", [], "company")
    assert thin.score < strong.score and {"low_data_quality", "no_job_description"} <= set(
        thin.flags
    )
    assert len(thin.rationale) >= 3

    mismatch = requirements("Python") + [
        Requirement(id="r9", label="Game", kind="domain", weight=2.0, domains=("game engines",))
    ]
    assessed = assess_all(mismatch, candidate, ontology)
    verdict = calibrate(assessed, compare(assessed, candidate, CONTEXT, ontology), "HIGH", [])
    assert verdict.tier == "LOW" and "fundamental_domain_mismatch" in verdict.flags


# -- screening requirements cap the score, and say why --------------------------------------------
STRONG = ("Python", "FastAPI", "PostgreSQL", "Kubernetes", "AWS", "Docker")


def calibrated(extra, candidate, ontology):
    reqs = requirements(*STRONG) + [extra]
    assessed = assess_all(reqs, candidate, ontology)
    return calibrate(assessed, compare(assessed, candidate, CONTEXT, ontology), "HIGH", [])


def test_a_missing_required_phd_caps_a_strong_match_at_medium(candidate, ontology):
    phd = req("degree", label="PhD (required)", weight=2.0, degree="phd")
    verdict = calibrated(phd, candidate, ontology)
    assert verdict.tier == "MEDIUM" and "required_degree_missing" in verdict.flags
    assert any("capped" in line for line in verdict.rationale)
    preferred = req("degree", label="PhD", weight=0.5, degree="phd", required=False)
    assert calibrated(preferred, candidate, ontology).tier == "HIGH"


def test_a_posting_that_excludes_senior_candidates_is_low_and_flags_overqualification(
    candidate, ontology
):
    cap = req("seniority_cap", label="cap", weight=2.0, max_years=4.0)
    verdict = calibrated(cap, candidate, ontology)
    assert verdict.tier == "LOW" and "overqualified" in verdict.flags


def test_a_required_language_the_profile_lacks_is_flagged(candidate, ontology):
    german = req("language", label="German (C1)", weight=1.5, language="German", level=5)
    verdict = calibrated(german, candidate, ontology)
    assert verdict.score <= 55 and "required_language_missing" in verdict.flags


def test_no_right_to_work_without_sponsorship_is_an_exclusion(candidate, ontology):
    right = req(
        "work_authorization", label="US", weight=1.5, place="United States", sponsorship=False
    )
    verdict = calibrated(right, candidate, ontology)
    assert verdict.tier == "LOW" and "no_right_to_work" in verdict.flags


# -- a role whose core is not coding is judged on that work ----------------------------------------
def test_a_role_family_the_profile_never_held_is_at_most_partly_met(candidate, ontology):
    devrel = req(
        "role_family",
        family="developer relations",
        competencies=("public speaking", "technical content", "developer community"),
    )
    judged = assess(devrel, candidate, ontology)
    assert judged.status == "partial" and judged.confidence < 0.5
    assert judged.subject == "No developer relations role in the profile"
    software = req("role_family", family="software", competencies=("testing",))
    assert assess(software, candidate, ontology).status == "matched"


def test_a_free_requirement_line_is_judged_on_the_profiles_words(candidate, ontology):
    line = "Designing idempotent APIs for a double-entry ledger"
    statement = req("statement", label=line, quote=line)
    judged = assess(statement, candidate, ontology)
    assert judged.status == "matched" and any("ledgerline" in e for e in judged.evidence)
    unrelated = req("statement", label="Knitting patterns", quote="Knitting patterns")
    assert assess(unrelated, candidate, ontology).status == "unmatched"
