"""A strength is never also a gap: when a posting asks for the same skill in several lines, or
in a group with others, a skill the candidate has is not listed as missing, no gap repeats,
and a requirement the profile partly meets reads as partly met."""

from __future__ import annotations

from pathlib import Path

import pytest

from booth.apps.fitcheck.models import EmployerContext, Requirement
from booth.apps.fitcheck.ontology import Ontology
from booth.apps.fitcheck.profile import Candidate
from booth.apps.fitcheck.scoring import assess, assess_all, compare
from booth.apps.fitcheck.service import FitCheckRequest, load_resources
from tests.apps.fitcheck.profiles import EMBEDDED_ENGINEER
from tests.apps.fitcheck.test_service import collect

# Postings that ask for one skill twice, in different lines and in groups.
TWICE = {
    "skill-and-any-of": "Requirements:\n- Python and C\n- Experience with Rust or Python",
    "skill-line-and-group": "Requirements:\n- Python\n- Python and Rust for tooling\n"
    "- Go or Python",
    "strong-and-plain": "Requirements:\n- C++ and Python\n- Strong Python, 5+ years\n- Haskell",
    "deep-and-plain": "Requirements:\n- Go\n- Deep Go expertise for distributed systems\n"
    "- Kubernetes",
    "required-and-nice": "Requirements:\n- Python, Go and Docker\n- 3+ years of experience\n\n"
    "Nice to have:\n- Python scripting for test automation",
    "two-sections": "What you'll do:\n- Write Python services on Kubernetes\nRequirements:\n"
    "- Python, Java\n- 5+ years of experience",
}


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    path: Path = tmp_path_factory.mktemp("profile") / "embedded.yaml"
    path.write_text(EMBEDDED_ENGINEER)
    return load_resources(path)


def headline(gap: str) -> str:
    """What a gap says is missing: its words before the first colon."""
    return gap.split(":", 1)[0]


def check(strengths: list[str], gaps: list[dict], candidate: Candidate, ontology: Ontology):
    texts = [g["gap"] for g in gaps]
    assert len(texts) == len(set(texts)), texts  # no gap twice
    strong = {s for text in strengths for s in ontology.find_skills(text.split(" — ")[0])}
    for gap in gaps:
        named = set(ontology.find_skills(headline(gap["gap"])))
        assert not named & strong, (gap["gap"], strengths)  # a strength is not also a gap
        if gap["requirement"]:  # a requirement's gap never names a skill the profile has
            assert not named & set(candidate.skills), gap["gap"]


@pytest.mark.parametrize("profile", ["sample", "embedded"])
@pytest.mark.parametrize("query", list(TWICE), ids=list(TWICE))
async def test_a_skill_asked_twice_is_a_strength_or_a_gap_never_both(
    host, resources, embedded, profile, query
):
    chosen = resources if profile == "sample" else embedded
    _, events = await collect(host, FitCheckRequest(query=TWICE[query]), chosen)
    (result,) = [e.data for e in events if e.type.value == "result"]
    check(result["strengths"], result["gaps"], chosen.candidate, chosen.ontology)
    (phase,) = [
        e.data["data"]
        for e in events
        if e.type.value == "phase_complete" and e.data["phase"] == "skeptical_comparison"
    ]
    assert phase["genuine_gaps"] == [g["gap"] for g in result["gaps"]]


CONTEXT = EmployerContext(company="Acme", role=None, role_family=None, stack=())


@pytest.mark.parametrize(
    "skills, missing",
    [
        (("Python", "Rust"), "Rust"),
        (("Go", "Haskell", "PostgreSQL"), "Haskell"),
        (("Kafka", "Elixir", "Erlang"), "Elixir / Erlang"),
    ],
)
def test_every_one_of_several_skills_partly_met_names_only_what_is_missing(
    resources, skills, missing
):
    candidate, ontology = resources.candidate, resources.ontology
    both = Requirement(id="r1", label=" and ".join(skills), kind="all_of", skills=skills)
    alone = Requirement(id="r2", label=skills[0], kind="skill", skills=skills[:1])
    judged = assess(both, candidate, ontology)
    assert judged.status == "partial" and judged.bridge and judged.ramp_up
    comparison = compare(
        assess_all([both, alone], candidate, ontology), candidate, CONTEXT, ontology
    )
    (gap,) = [g for g in comparison.gaps if g.requirement == "r1"]
    assert headline(gap.gap) == missing and "which it shows" in gap.gap  # partly met
    assert gap.bridge and gap.ramp_up
    assert comparison.strengths[0].startswith(skills[0])
    check(
        comparison.strengths,
        [g.to_dict() | {"requirement": g.requirement} for g in comparison.gaps],
        candidate,
        ontology,
    )


def test_every_one_of_several_skills_met_is_a_strength_naming_each(resources):
    candidate, ontology = resources.candidate, resources.ontology
    both = Requirement(id="r1", label="Python and Go", kind="all_of", skills=("Python", "Go"))
    comparison = compare(assess_all([both], candidate, ontology), candidate, CONTEXT, ontology)
    assert comparison.strengths[0].startswith("Python — expert level")
    assert "; Go — working level" in comparison.strengths[0]
