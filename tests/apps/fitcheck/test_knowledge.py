from pathlib import Path

from booth.apps.fitcheck.knowledge import load_notes, normalize


def test_knowledge_base_has_at_least_150_complete_employers(kb):
    assert len(kb) >= 150
    for company in kb.companies:
        assert company.industry and company.size in {"startup", "mid", "large", "enterprise"}
        assert company.tech_stack and company.requirements and company.culture, company.name
    assert len({c.industry for c in kb.companies}) >= 10


def test_lookup_by_name_alias_and_legal_suffix(kb):
    assert kb.get("Google").name == "Google"
    assert kb.get("alphabet").name == "Google"
    assert kb.get("Stripe, Inc.").name == "Stripe"
    assert kb.get("Zorblax Industries") is None
    assert normalize("The Walt Disney Company") == "walt disney company"


def test_fuzzy_and_partial_matches(kb):
    assert kb.close_matches("Gooogle")[0][0].name == "Google"
    assert kb.close_matches("Zorblax") == []
    assert "Google" in {c.name for c in kb.containing("Google Cloud Platform team")}


def test_mentions_in_short_queries_and_long_texts(kb):
    assert [c.name for c in kb.mentions("microsoft azure developer", short=True)][:1] == [
        "Microsoft"
    ]
    # an employer that is also a skill counts when it leads a short query …
    assert [c.name for c in kb.mentions("Docker", short=True)] == ["Docker"]
    assert kb.mentions("Python Docker backend engineer", short=True) == []
    # … and in a long text only in an employer context
    text = (
        "We use Docker, Kafka and Snowflake. Block storage experience helps. "
        "Experience with Google Cloud. Join Linear as a Senior Engineer."
    )
    assert [c.name for c in kb.mentions(text, short=False)] == ["Linear"]


def test_notes_are_read_with_titles_and_matched_by_name(tmp_path: Path):
    (tmp_path / "acme-robotics.md").write_text("# Acme Robotics\nThey write C++ and ROS.")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "globex.md").write_text("Globex uses Go.")
    (tmp_path / "ignored.txt").write_text("not markdown")
    notes = load_notes(tmp_path)
    assert [n.title for n in notes] == ["Acme Robotics", "globex"]
    assert notes[0].mentions("acme robotics") and not notes[1].mentions("Acme")
    assert load_notes(None) == [] and load_notes(tmp_path / "missing") == []
