import pytest

from booth.apps.fitcheck.ontology import level_weight


@pytest.mark.parametrize(
    "alias, canonical",
    [
        ("k8s", "Kubernetes"),
        ("JS", "JavaScript"),
        ("golang", "Go"),
        ("Postgres", "PostgreSQL"),
        ("react.js", "React"),
        ("sklearn", "scikit-learn"),
        ("Amazon Web Services", "AWS"),
    ],
)
def test_aliases_name_the_canonical_skill(ontology, alias, canonical):
    assert ontology.canonical(alias) == canonical


def test_skills_in_text_respect_word_boundaries_and_case(ontology):
    text = (
        "Senior engineer: Go, C/C++, C#, ASP.NET and Node.js. Let's go! R&D budget, "
        "C-level reports, the rest of the team, React Native and React."
    )
    found = ontology.find_skills(text)
    assert found[:4] == ["Go", "C", "C++", "C#"]
    assert ".NET" in found and "Node.js" in found
    assert "React Native" in found and "React" in found
    assert "R" not in found  # "R&D" is not the language
    assert found.count("Go") == 1 and "REST APIs" not in found


def test_best_transfer_prefers_the_closest_family(ontology):
    transfer = ontology.best_transfer("GCP", {"AWS": 4, "Python": 5})
    assert transfer.source == "AWS" and transfer.family == "cloud providers"
    assert transfer.confidence == round(0.75 * level_weight(4), 2)
    assert ontology.best_transfer("Unreal Engine", {"Python": 5, "AWS": 4}) is None


def test_domains_from_text_skills_and_company_words(ontology):
    assert {"embedded", "low latency"} <= ontology.domains_in_text(
        "Firmware for microcontrollers; low-latency trading"
    )
    assert "mobile native" in ontology.domains_of_skills(["SwiftUI"])
    assert ontology.domain_for_company_domain("rtos") == "embedded"
    assert ontology.fundamental("game engines") and not ontology.fundamental("web")


def test_role_families_from_titles(ontology):
    assert ontology.role_family("Senior iOS Engineer").key == "mobile"
    assert ontology.role_family("Site Reliability Engineer").key == "platform"
    assert ontology.role_family("Software Engineer") is None
    assert ontology.competencies_asked("System design and on-call experience") == [
        "system design",
        "operations",
    ]


# -- skill names that are also ordinary words or other names count only in a skill context ------
@pytest.mark.parametrize(
    "text, absent",
    [
        ("We just raised our Series C and are hiring.", "C"),
        ("Govern data with Unity Catalog on our lakehouse.", "Unity"),
        ("We move money over Faster Payments, SEPA and Swift.", "Swift"),
        ("A playlist with Taylor Swift and Go West.", "Swift"),
        ("Our plant sits in the Rust Belt.", "Rust"),
        ("Spring is our busiest season.", "Spring"),
    ],
)
def test_an_ambiguous_skill_word_outside_a_skill_context_is_not_a_skill(ontology, text, absent):
    assert absent not in ontology.find_skills(text)


@pytest.mark.parametrize(
    "text, present",
    [
        ("Experience in C on microcontrollers", "C"),
        ("Python, Go and Kafka", "Go"),
        ("Swift and SwiftUI", "Swift"),
        ("Senior Rust engineer", "Rust"),
        ("Shipped titles with Unity", "Unity"),
        ("Strong Go or Java", "Go"),
        ("Rust services on Linux", "Rust"),
    ],
)
def test_an_ambiguous_skill_word_in_a_skill_context_is_a_skill(ontology, text, present):
    assert present in ontology.find_skills(text)


def test_unity_catalog_is_its_own_skill_not_the_game_engine(ontology):
    assert ontology.find_skills("Unity Catalog and Delta Lake") == ["Unity Catalog", "Delta Lake"]
