"""Everything Fit Check says to a person reads as a recruiter would write it: years rounded in
words ("about 10 years"), levels in words, and none of the matcher's own measures (years to a
tenth, 0-1 confidences, credits, source scores, the word "dated")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from booth.apps.fitcheck.service import FitCheckRequest, load_resources
from booth.apps.fitcheck.wording import span
from tests.apps.fitcheck.profiles import EMBEDDED_ENGINEER
from tests.apps.fitcheck.test_service import collect

INTERNAL = re.compile(
    r"\d+\.\d+\s*(?:more\s+)?(?:years?|months?)\b"  # years to a tenth
    r"|\b[01]\.\d\d?\b"  # a 0-1 score shown raw
    r"|\bdated\b|\bcredited\b|\(weight\b|\bquality [01]\b"
    r"|\d/5\b"  # a level on the matcher's scale
)
SPAN = re.compile(r"(?:about|almost|over) (?:a year|(\d+) years)|(\d+) months?")

QUERIES = {
    "payments": """Senior Backend Engineer, Payments
Requirements:
- 5+ years of professional experience
- Python and Go, PostgreSQL and Kafka
- Experience with Rust or Python
- Experience with payments and PCI-DSS compliance
- Designing idempotent APIs""",
    "transfers": """Platform Engineer
Requirements:
- 8+ years of experience
- GCP and Pulumi, Java or Kotlin
- A degree in Computer Science or equivalent experience""",
    "capped": """Junior Backend Engineer
Requirements:
- 0-2 years of professional experience
- Python and SQL
This is an entry-level position: we cannot consider senior candidates for this role.""",
    "band": """Backend Engineer
Requirements:
- 2-4 years of experience
- Python, Docker and PostgreSQL""",
    "devrel": """Developer Advocate
Requirements:
- 3+ years in developer relations or a similar public role
- Comfortable with JavaScript or Python
- Travel up to 30% to conferences and community events""",
    "company": "Stripe",
    "company-role": "Datadog backend engineer",
}


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    path: Path = tmp_path_factory.mktemp("profile") / "embedded.yaml"
    path.write_text(EMBEDDED_ENGINEER)
    return load_resources(path)


def people_texts(events) -> list[str]:
    """Every string of the run a person reads: the answer, the result's words, the phases'
    seed strings and the thoughts."""
    (result,) = [e.data for e in events if e.type.value == "result"]
    out = ["".join(e.data["chunk"] for e in events if e.type.value == "response")]
    out += result["strengths"] + result["transferable"] + result["confidence_notes"]
    out += [part for g in result["gaps"] for part in (g["gap"], g["bridge"], g["ramp_up"])]
    out += [e for m in result["matched"] for e in m["evidence"] if not e.startswith("Skills (")]
    for e in events:
        if e.type.value == "thought" and isinstance(e.data.get("content"), str):
            out.append(e.data["content"])
        if e.type.value == "phase_complete" and e.data["phase"] == "skeptical_comparison":
            data = e.data["data"]
            out += data["genuine_gaps"] + data["genuine_strengths"]
            out += data["transferable_skills"] + [data["risk_justification"]]
    return out


@pytest.mark.parametrize("profile", ["sample", "embedded"])
@pytest.mark.parametrize("query", list(QUERIES), ids=list(QUERIES))
@pytest.mark.parametrize("config", ["standard", "reasoning"])
async def test_no_internal_measure_reaches_a_person(
    host, resources, embedded, profile, query, config
):
    chosen = resources if profile == "sample" else embedded
    body = FitCheckRequest(query=QUERIES[query], config_type=config)
    _, events = await collect(host, body, chosen)
    leaks = [
        f"{m.group(0)!r} in {text[:160]!r}"
        for text in people_texts(events)
        for m in INTERNAL.finditer(text)
    ]
    assert leaks == []


async def test_the_experience_strength_says_the_years_as_a_recruiter_would(host, resources):
    _, events = await collect(host, FitCheckRequest(query=QUERIES["payments"]), resources)
    (result,) = [e.data for e in events if e.type.value == "result"]
    years = resources.candidate.years
    (experience,) = [s for s in result["strengths"] if s.startswith("Experience")]
    said = SPAN.search(experience)
    assert said and "years of experience" in experience, experience
    assert abs(int(said.group(1)) - years) < 1  # the same evidence, rounded
    python = next(s for s in result["strengths"] if s.startswith("Python"))
    assert "expert level" in python and re.search(r"(about|almost|over) \d+ years at", python)


async def test_the_summary_gives_the_candidates_years_in_words(host, resources):
    _, events = await collect(host, FitCheckRequest(query="Stripe"), resources)
    answer = "".join(e.data["chunk"] for e in events if e.type.value == "response")
    summary = next(line for line in answer.splitlines() if line.startswith("Fit score:"))
    assert f"{span(resources.candidate.years)} of experience" in summary, summary


async def test_a_source_is_cited_by_how_far_it_can_be_trusted(host, resources):
    _, events = await collect(host, FitCheckRequest(query="Stripe"), resources)
    answer = "".join(e.data["chunk"] for e in events if e.type.value == "response")
    sources = next(line for line in answer.splitlines() if line.startswith("Sources:"))
    assert re.fullmatch(r"Sources: Stripe[^;]* \((strong|good|usable|weak) source\)\.", sources)


@pytest.mark.parametrize(
    "years, words",
    [
        (10.1, "about 10 years"),
        (10.0, "about 10 years"),
        (7.9, "almost 8 years"),
        (4.6, "over 4 years"),
        (4.8, "almost 5 years"),
        (1.0, "about a year"),
        (1.9, "almost 2 years"),
        (0.5, "6 months"),
        (0.1, "1 month"),
        (0.0, "less than a month"),
    ],
)
def test_a_span_is_rounded_without_crossing_a_whole_year(years, words):
    assert span(years) == words
