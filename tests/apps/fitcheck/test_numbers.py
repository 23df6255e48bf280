"""One set of numbers: the result, the written answer and the phase data agree on how many
requirements are met, partly met and missed, and no requirement disappears on the way."""

import re

import pytest

from booth.apps.fitcheck.service import FitCheckRequest
from tests.apps.fitcheck.test_service import collect

PAYMENTS = """Senior Backend Engineer, Payments
Requirements:
- 5+ years of professional experience
- Go, PostgreSQL and Kafka
- Experience with payments and PCI-DSS compliance
- Designing idempotent APIs"""

ALL_MET = """Backend Engineer
Tallyform just raised its Series C and is growing the platform team.
Requirements:
- 4+ years of experience building backend services
- Python with FastAPI or Django
- PostgreSQL, Redis and AWS"""


def phase_data(events, name):
    (data,) = [
        e.data["data"]
        for e in events
        if e.type.value == "phase_complete" and e.data["phase"] == name
    ]
    return data


@pytest.mark.parametrize("query", [PAYMENTS, ALL_MET, "Stripe", "HCA Healthcare"])
async def test_result_answer_and_phase_data_share_one_tally(host, resources, query):
    _, events = await collect(host, FitCheckRequest(query=query), resources)
    (result,) = [e.data for e in events if e.type.value == "result"]
    answer = "".join(e.data["chunk"] for e in events if e.type.value == "response")
    counts = result["counts"]
    statuses = [m["status"] for m in result["matched"]]
    assert counts["met"] == statuses.count("matched")
    assert counts["partly_met"] == statuses.count("partial")
    assert counts["unmet"] == len(result["unmatched"])
    assert counts["requirements"] == counts["met"] + counts["partly_met"] + counts["unmet"]
    assert phase_data(events, "skills_matching")["counts"] == counts

    said = re.search(r"meets (\d+) of (\d+) requirements", answer)
    assert said and (int(said.group(1)), int(said.group(2))) == (
        counts["met"],
        counts["requirements"],
    )
    if counts["partly_met"]:
        assert f"partly meets {counts['partly_met']}" in answer
    if counts["unmet"]:
        assert f"misses {counts['unmet']}" in answer

    extracted = {r["id"] for r in phase_data(events, "content_enrich")["requirements"]}
    judged = {m["id"] for m in result["matched"]} | {u["id"] for u in result["unmatched"]}
    assert extracted == judged  # nothing extracted is silently dropped
    from_requirements = [g for g in result["gaps"] if g["requirement"]]
    assert counts["requirement_gaps"] == len(from_requirements)
    assert all(g["requirement"] in judged for g in from_requirements)


async def test_when_every_requirement_is_met_the_gaps_are_called_growth_areas(host, resources):
    _, events = await collect(host, FitCheckRequest(query=ALL_MET), resources)
    (result,) = [e.data for e in events if e.type.value == "result"]
    answer = "".join(e.data["chunk"] for e in events if e.type.value == "response")
    assert result["counts"]["unmet"] == result["counts"]["partly_met"] == 0
    assert len(result["gaps"]) >= 2 and not any(g["requirement"] for g in result["gaps"])
    assert "Every requirement is met; the growth opportunities are areas to deepen" in answer


async def test_the_payments_line_is_scored_not_dropped(host, resources):
    _, events = await collect(host, FitCheckRequest(query=PAYMENTS), resources)
    (result,) = [e.data for e in events if e.type.value == "result"]
    labels = {m["requirement"] for m in result["matched"]} | {
        u["requirement"] for u in result["unmatched"]
    }
    assert "PCI DSS" in labels
    quotes = [m for m in result["matched"] + result["unmatched"] if m["requirement"] == "PCI DSS"]
    assert quotes and quotes[0]["kind"] == "skill"


async def test_each_requirement_quotes_the_posting_line_it_came_from(host, resources):
    _, events = await collect(host, FitCheckRequest(query=PAYMENTS), resources)
    (result,) = [e.data for e in events if e.type.value == "result"]
    pci = next(u for u in result["matched"] + result["unmatched"] if u["requirement"] == "PCI DSS")
    assert pci["quote"] == "Experience with payments and PCI-DSS compliance"
