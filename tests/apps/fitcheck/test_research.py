from pathlib import Path

from booth.apps.fitcheck.classify import classify
from booth.apps.fitcheck.knowledge import load_notes
from booth.apps.fitcheck.research import gather, judge, merge, plan_search


def research(query, kb, ontology, notes=(), attempts=3):
    """Run the research loop the way the engine does; returns (judgement, attempts used)."""
    c = classify(query, kb, ontology)
    sources = []
    for attempt in range(1, attempts + 1):
        sources = merge(
            sources,
            gather(
                c,
                plan_search(c, attempt, ontology.lexicon.employers.generic_name_words),
                query,
                kb,
                list(notes),
            ),
        )
        judgement = judge(sources, attempt, ontology)
        if judgement.decision != "retry":
            return judgement, attempt
    return judgement, attempts


def test_each_attempt_searches_wider(kb, ontology):
    c = classify("Acme Robotics Labs backend engineer", kb, ontology)
    plans = [plan_search(c, n, ontology.lexicon.employers.generic_name_words) for n in (1, 2, 3)]
    assert plans[0].queries == ("Acme Robotics Labs",)
    assert "Acme Robotics" in plans[1].queries
    assert {"Acme", "Robotics", "Backend Engineer"} <= set(plans[2].queries)


def test_a_known_company_is_accepted_at_once(kb, ontology):
    judgement, attempts = research("Stripe", kb, ontology)
    assert (judgement.decision, judgement.data_quality, attempts) == ("accept", "HIGH", 1)
    assert judgement.sources[0].quality >= 0.8


def test_a_typo_is_found_on_the_broader_retry(kb, ontology):
    judgement, attempts = research("Gooogle", kb, ontology)
    assert judgement.decision == "accept" and attempts == 2
    assert judgement.sources[0].company.name == "Google"
    assert judgement.sources[0].quality < 0.85  # a fuzzy match is trusted less


def test_an_unknown_employer_stops_after_three_attempts(kb, ontology):
    judgement, attempts = research("Zorblax Industries", kb, ontology)
    assert (judgement.decision, judgement.data_quality, attempts) == (
        "insufficient",
        "INSUFFICIENT",
        3,
    )


def test_a_users_note_makes_an_unknown_employer_researchable(kb, ontology, tmp_path: Path):
    (tmp_path / "zorblax.md").write_text(
        "# Zorblax Industries\nZorblax builds logistics software in Python and Go on AWS with "
        "Kubernetes and PostgreSQL. They value system design and on-call ownership."
    )
    judgement, attempts = research("Zorblax Industries", kb, ontology, load_notes(tmp_path))
    assert judgement.decision == "accept" and attempts == 1
    assert [s.kind for s in judgement.sources] == ["user_note"]


def test_a_thin_role_query_is_insufficient(kb, ontology):
    judgement, _ = research("Senior Rust engineer", kb, ontology)
    assert judgement.decision == "insufficient"
