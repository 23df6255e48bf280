"""A role is judged on what it actually asks: the examples of issue #13, end to end on the
bundled sample profile (a senior backend / ML-platform engineer, BSc, English only, UK)."""

import pytest

from booth.apps.fitcheck.service import FitCheckRequest
from tests.apps.fitcheck.test_service import collect

RESEARCH_DS = """Senior Data Scientist, Research
Spotter Labs is hiring a research data scientist.
Requirements:
- PhD in Statistics, Computer Science or a related field (required)
- 5+ years of applied research experience
- Python and PyTorch; experimentation and A/B testing"""

DEVREL = """Developer Advocate
Discord is hiring a Developer Advocate for our developer platform.
What you'll do:
- Give talks at conferences and meetups, and run workshops for developers
- Write blog posts, tutorials and sample apps
Requirements:
- 3+ years in developer relations or a similar public role
- Comfortable with JavaScript or Python
- Travel up to 30% to conferences and community events"""

MANAGER = """Engineering Manager, Platform
You will manage a team of 12 engineers. This is not a hands-on coding role.
Requirements:
- 3+ years of experience managing engineering teams
- Hire, coach and grow engineers; run performance reviews
- A background in distributed systems"""

JUNIOR = """Junior Backend Engineer
Requirements:
- 0-2 years of professional experience
- Python and SQL
This is an entry-level position: we cannot consider senior candidates for this role."""

GERMAN = """Senior Backend Engineer (Python)
Requirements:
- German at C1 level or above
- 5+ years of professional experience
- Python, FastAPI, PostgreSQL and Kafka
- AWS and Kubernetes"""


async def analyse(host, resources, query):
    _, events = await collect(host, FitCheckRequest(query=query), resources)
    (result,) = [e.data for e in events if e.type.value == "result"]
    return result


async def test_a_research_role_requiring_a_phd_is_not_high(host, resources):
    result = await analyse(host, resources, RESEARCH_DS)
    assert result["tier"] != "HIGH" and "required_degree_missing" in result["flags"]
    assert any(u["kind"] == "degree" for u in result["unmatched"])


async def test_a_developer_advocate_role_is_judged_on_talks_content_and_travel(host, resources):
    result = await analyse(host, resources, DEVREL)
    assert (result["company"], result["role"]) == ("Discord", "Developer Advocate")
    assert result["tier"] in ("LOW", "MEDIUM")
    kinds = {m["kind"] for m in result["matched"]} | {u["kind"] for u in result["unmatched"]}
    assert {"role_family", "travel", "experience"} <= kinds
    assert any("public speaking" in u["requirement"] for u in result["unmatched"])


async def test_managing_twelve_without_coding_is_not_scored_as_a_coding_role(host, resources):
    result = await analyse(host, resources, MANAGER)
    assert result["tier"] != "HIGH"
    people = [m for m in result["matched"] if m["kind"] == "people_management"]
    assert people and people[0]["status"] == "partial"  # led four, asked twelve


async def test_a_role_that_excludes_senior_candidates_flags_overqualification(host, resources):
    result = await analyse(host, resources, JUNIOR)
    assert result["tier"] in ("LOW", "MEDIUM") and "overqualified" in result["flags"]


async def test_a_required_language_is_not_ignored(host, resources):
    result = await analyse(host, resources, GERMAN)
    assert "required_language_missing" in result["flags"] and result["tier"] != "HIGH"
    assert any(u["kind"] == "language" for u in result["unmatched"])


@pytest.mark.parametrize("query", ["HCA Healthcare", "Kaiser Permanente", "Mayo Clinic"])
async def test_a_hospital_chain_is_found_and_analysed(host, resources, query):
    result = await analyse(host, resources, query)
    assert result["tier"] != "INSUFFICIENT_DATA" and result["company"] == query
