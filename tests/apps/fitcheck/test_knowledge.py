from pathlib import Path

import pytest

from booth.apps.fitcheck.datafile import DataFileError
from booth.apps.fitcheck.knowledge import load_companies, load_notes

INDUSTRIES_BEYOND_SOFTWARE = (
    "banking",
    "insurance",
    "hospital systems",
    "retail",
    "telecom",
    "airlines",
    "public sector",
    "consulting",
    "gaming",
    "consumer hardware",
)


def test_knowledge_base_has_500_employers_across_industries_each_with_its_basis(kb):
    assert len(kb) >= 500
    for company in kb.companies:
        assert company.size in {"startup", "mid", "large", "enterprise"}
        assert company.requirements and company.culture and company.headquarters, company.name
        assert "as of" in company.basis, company.name
    industries = {c.industry for c in kb.companies}
    assert set(INDUSTRIES_BEYOND_SOFTWARE) <= industries
    for industry in INDUSTRIES_BEYOND_SOFTWARE:
        assert sum(c.industry == industry for c in kb.companies) >= 10, industry


def test_a_hospital_chain_and_other_non_tech_employers_are_found(kb):
    assert kb.get("HCA Healthcare").industry == "hospital systems"
    assert kb.get("Kaiser Permanente").name == "Kaiser Permanente"
    assert kb.get("Mayo Clinic") and kb.get("Delta Air Lines") and kb.get("Tesco")
    assert kb.get("HMRC").name == "HM Revenue & Customs"


def _write(folder: Path, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "one.yaml").write_text(text)
    return folder


ENTRY = (
    "companies:\n- {name: Acme, basis: notes as of 2025, industry: retail, size: mid, "
    "headquarters: Leeds}\n"
)


def test_company_files_reject_unknown_and_missing_keys_naming_file_and_field(tmp_path, ontology):
    good = load_companies(ontology, _write(tmp_path / "good", ENTRY))
    assert [c.name for c in good.companies] == ["Acme"]
    with pytest.raises(DataFileError, match=r"one.yaml: companies.0.tech_stak: Extra inputs"):
        load_companies(ontology, _write(tmp_path / "typo", ENTRY.replace("}", ", tech_stak: []}")))
    with pytest.raises(DataFileError, match=r"one.yaml: companies.0.basis: Field required"):
        load_companies(
            ontology, _write(tmp_path / "nobasis", ENTRY.replace("basis: notes as of 2025, ", ""))
        )


def test_two_files_naming_one_employer_is_an_error(tmp_path, ontology):
    folder = _write(tmp_path / "dup", ENTRY)
    (folder / "two.yaml").write_text(ENTRY)
    with pytest.raises(DataFileError, match="'Acme' is also in"):
        load_companies(ontology, folder)


def test_lookup_by_name_alias_and_legal_suffix(kb):
    assert kb.get("Google").name == "Google"
    assert kb.get("alphabet").name == "Google"
    assert kb.get("Stripe, Inc.").name == "Stripe"
    assert kb.get("Zorblax Industries") is None
    assert kb.normalize("The Walt Disney Company") == "walt disney company"


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
