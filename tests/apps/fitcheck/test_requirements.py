import pytest

from booth.apps.fitcheck.classify import classify
from booth.apps.fitcheck.requirements import (
    RequirementList,
    _skill_groups,
    core_domains,
    enrich,
    text_requirements,
)
from booth.apps.fitcheck.research import gather, judge, plan_search

JD = """Senior Platform Engineer

Requirements:
- 6+ years of professional experience
- Strong Go or Java, Kafka and PostgreSQL
- Experience with cloud platforms such as AWS, GCP or Azure
- System design for distributed systems

Nice to have:
- Terraform
"""


def requirements_for(query, kb, ontology):
    c = classify(query, kb, ontology)
    sources = judge(
        gather(c, plan_search(c, 1, ontology.lexicon.employers.generic_name_words), query, kb, []),
        1,
        ontology,
    ).sources
    return enrich(c, sources, ontology)


def test_alternatives_are_grouped(ontology):
    assert _skill_groups("Go or Java, Kafka, PostgreSQL", ontology) == [
        ("Go", "Java"),
        ("Kafka",),
        ("PostgreSQL",),
    ]
    assert _skill_groups("Proficiency in C#, C++, Java or TypeScript", ontology) == [
        ("C#", "C++", "Java", "TypeScript")
    ]
    assert _skill_groups("Python, Go and Kubernetes", ontology) == [
        ("Python",),
        ("Go",),
        ("Kubernetes",),
    ]


def test_job_description_sections_set_weights(ontology):
    reqs = RequirementList()
    text_requirements(JD, "jd", ontology, 1.0, reqs)
    by_label = {r.label: r for r in reqs.build()}
    assert by_label["One of Go, Java"].weight == 1.0
    assert by_label["One of AWS, GCP, Azure"].kind == "any_of"
    assert by_label["Terraform"].weight == 0.5
    assert by_label["6+ years of experience"].years == 6
    assert "system design" in {c for r in reqs.build() for c in r.competencies}


def test_fundamental_domains_only_when_they_define_the_employer(kb, ontology):
    assert core_domains(kb.get("Epic Games"), ontology) == ["game engines"]
    assert core_domains(kb.get("Jane Street"), ontology) == ["low latency"]  # finance: 2nd counts
    assert core_domains(kb.get("Block"), ontology) == []  # fintech: mobile 2nd does not
    assert core_domains(kb.get("Google"), ontology) == []


def test_a_role_in_its_own_area_is_not_asked_for_the_employers_domain(kb, ontology):
    _, generic = requirements_for("Apple", kb, ontology)
    _, backend = requirements_for("Apple backend engineer", kb, ontology)
    assert {d for r in generic if r.kind == "domain" for d in r.domains} == {"mobile native"}
    assert not [r for r in backend if r.kind == "domain"]


def test_query_skills_and_seniority_become_requirements(kb, ontology):
    context, reqs = requirements_for("Senior Microsoft Azure developer", kb, ontology)
    assert context.company == "Microsoft" and context.industry == "big tech"
    azure = next(r for r in reqs if r.skills == ("Azure",) and r.source == "query")
    assert azure.weight == 2.0
    assert any(r.kind == "experience" and r.years == 5 for r in reqs)
    assert [r.id for r in reqs] == [f"r{i}" for i in range(1, len(reqs) + 1)]


def test_a_passing_mention_does_not_make_a_domain_requirement(ontology):
    passing = RequirementList()
    text_requirements("Build the Python APIs behind our mobile app.", "jd", ontology, 1.0, passing)
    assert not [r for r in passing.build() if r.kind == "domain"]
    real = RequirementList()
    text_requirements("Ship native iOS apps in Swift and SwiftUI.", "jd", ontology, 1.0, real)
    assert [r.domains for r in real.build() if r.kind == "domain"] == [("mobile native",)]


def test_no_requirement_line_disappears(ontology):
    posting = """Senior Backend Engineer, Payments
Requirements:
- Go, PostgreSQL and Kafka
- Experience with payments and PCI-DSS compliance
- Payments or billing systems at scale
- Designing idempotent APIs
- Calm under pressure
"""
    reqs = RequirementList()
    text_requirements(posting, "jd", ontology, 1.0, reqs)
    built = reqs.build()
    quotes = {r.quote for r in built}
    for line in posting.splitlines()[2:]:
        assert line.lstrip("- ") in quotes, line
    assert {"PCI DSS"} <= {s for r in built for s in r.skills}
    assert any(r.kind == "domains" and r.domains == ("payments",) for r in built)
    assert any(r.kind == "statement" and r.label == "Calm under pressure" for r in built)


def test_every_skill_of_a_long_posting_is_kept(ontology):
    skills = "Python, Go, Java, Kafka, Redis, PostgreSQL, Docker, Kubernetes, Terraform, AWS, GCP"
    posting = f"Requirements:\n- {skills}\n- React, TypeScript, GraphQL, gRPC, Airflow, Spark"
    reqs = RequirementList()
    text_requirements(posting, "jd", ontology, 1.0, reqs)
    assert len([r for r in reqs.build() if r.kind == "skill"]) == 17


@pytest.mark.parametrize(
    "title, family",
    [
        ("Developer Advocate", "developer relations"),
        ("Engineering Manager", "engineering management"),
        ("Senior Data Scientist", "data science"),
        ("Senior Product Manager", "product"),
        ("Senior Product Designer", "design"),
    ],
)
def test_a_role_whose_core_is_not_coding_gets_a_role_family_requirement(
    kb, ontology, title, family
):
    text = f"{title}\nRequirements:\n- 5+ years of experience\n- Python and SQL\n- Communication"
    _, reqs = requirements_for(text, kb, ontology)
    (core,) = [r for r in reqs if r.kind == "role_family"]
    assert core.family == family and core.weight >= 3 and core.competencies


def test_a_software_role_has_no_role_family_requirement(kb, ontology):
    _, reqs = requirements_for(JD, kb, ontology)
    assert not [r for r in reqs if r.kind == "role_family"]


def test_requirements_are_typed_models_a_model_can_fill():
    from booth.apps.fitcheck.models import Requirement

    schema = Requirement.model_json_schema()
    assert {"kind", "label", "weight", "required", "quote"} <= set(schema["properties"])
    with pytest.raises(ValueError):
        Requirement(label="x", kind="skill", weight=1.0, colour="red")
    with pytest.raises(ValueError):
        Requirement(label="x", kind="juggling")
