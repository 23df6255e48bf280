"""Requirements that are not skills: how a posting's sentence states them, and how the sample
profile (Jordan Avery: BSc Computer Science, ~10 years, led a team of four, English native,
Edinburgh UK, no clearance) meets them."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booth.apps.fitcheck.conditions import Posting, assess_condition, conditions, read_posting

NONE = Posting(sponsorship=None, place=None)


def read(sentence, ontology, optional=False, posting=NONE):
    return conditions(sentence, 1.0, optional, "jd", posting, ontology)


def one(sentence, ontology, kind, **kwargs):
    (found,) = [r for r in read(sentence, ontology, **kwargs) if r.kind == kind]
    return found


@pytest.fixture(scope="module")
def candidate(resources):
    return resources.candidate


@pytest.mark.parametrize(
    "sentence, degree, required, equivalent",
    [
        ("PhD in Statistics or a related quantitative field (required)", "phd", True, False),
        ("Bachelor's degree in Computer Science or equivalent experience", "bachelor", True, True),
        ("Master's or PhD in machine learning", "master", True, False),  # either is accepted
        ("BS degree in a technical field", "bachelor", True, False),
    ],
)
def test_degrees_are_read_with_their_level_and_whether_experience_may_stand_in(
    ontology, sentence, degree, required, equivalent
):
    found = one(sentence, ontology, "degree")
    assert (found.degree, found.required, found.equivalent) == (degree, required, equivalent)
    assert found.quote == sentence


def test_a_preferred_degree_weighs_less_than_a_required_one(ontology):
    required = one("PhD in physics", ontology, "degree")
    preferred = one("PhD in physics", ontology, "degree", optional=True)
    assert not preferred.required and preferred.weight < required.weight


def test_short_degree_spellings_need_the_word_degree(ontology):
    assert not [r for r in read("p99 latency under 80 ms", ontology) if r.kind == "degree"]


def test_a_missing_phd_is_unmet_and_a_bachelor_is_met(ontology, candidate):
    phd = assess_condition(one("PhD (required)", ontology, "degree"), candidate, ontology)
    assert phd.status == "unmatched" and "bachelor" in phd.subject
    bsc = assess_condition(one("A bachelor's degree", ontology, "degree"), candidate, ontology)
    assert bsc.status == "matched" and "Computer Science" in bsc.evidence[0]


def test_years_ranges_and_years_in_a_role_family(ontology, candidate):
    band = one("0-2 years of professional experience", ontology, "experience")
    assert (band.years, band.max_years) == (0, 2)
    over = assess_condition(band, candidate, ontology)
    assert over.status == "partial" and "overqualified" in over.subject
    devrel = one("3+ years in developer relations or a similar role", ontology, "experience")
    assert devrel.area == "developer relations"
    assert assess_condition(devrel, candidate, ontology).status == "unmatched"


@pytest.mark.parametrize(
    "sentence",
    [
        "This is an entry-level position: we cannot consider senior candidates for this role.",
        "Our graduate programme is for recent graduates who finished within the last two years.",
    ],
)
def test_a_seniority_cap_excludes_the_senior_profile(ontology, candidate, sentence):
    cap = one(sentence, ontology, "seniority_cap")
    assert cap.max_years is not None and cap.max_years < candidate.years
    judged = assess_condition(cap, candidate, ontology)
    assert judged.status == "unmatched" and judged.subject.startswith("Overqualified")


def test_mentoring_senior_engineers_is_not_a_cap(ontology):
    assert not [r for r in read("Eager to learn from senior engineers", ontology)]


def test_people_management_counts_reports_and_managers_of_managers(ontology, candidate):
    twelve = one("You will manage a team of 12 engineers.", ontology, "people_management")
    assert twelve.reports == 12 and twelve.weight > 1
    judged = assess_condition(twelve, candidate, ontology)
    assert judged.status == "partial" and "team of 4" in judged.subject
    assert "Led a team of four" in judged.evidence[0]
    five = one("Manage a team of five engineers", ontology, "people_management")
    assert assess_condition(five, candidate, ontology).status == "matched"
    managers = one("5+ years managing managers", ontology, "people_management")
    assert managers.of_managers and assess_condition(managers, candidate, ontology).confidence < 0.5


@pytest.mark.parametrize(
    "sentence, language, level",
    [
        ("German at C1 level or above", "German", 5),
        ("Native or fluent Spanish", "Spanish", 5),
        ("English at C1 level (our company language)", "English", 5),
        ("French (B2) is a plus", "French", 4),
    ],
)
def test_spoken_languages_are_read_with_their_level(ontology, sentence, language, level):
    found = one(sentence, ontology, "language")
    assert (found.language, found.level) == (language, level)


def test_a_language_named_without_asking_for_it_is_not_a_requirement(ontology):
    assert not read("We sell to German retailers.", ontology)


def test_languages_are_met_from_the_profiles_levels(ontology, candidate):
    german = assess_condition(one("German C1", ontology, "language"), candidate, ontology)
    assert german.status == "unmatched" and "German" in german.subject
    english = assess_condition(one("Fluent English", ontology, "language"), candidate, ontology)
    assert english.status == "matched" and "English (native)" in english.evidence[0]


def test_travel_is_a_requirement_the_profile_does_not_state(ontology, candidate):
    travel = one("Travel up to 30% to conferences", ontology, "travel")
    assert travel.travel_percent == 30
    judged = assess_condition(travel, candidate, ontology)
    assert judged.status == "partial" and "not stated" in judged.subject


def test_location_and_the_right_to_work(ontology, candidate):
    remote_uk = one("Remote (UK).", ontology, "location")
    assert (remote_uk.place, remote_uk.remote) == ("United Kingdom", True)
    assert assess_condition(remote_uk, candidate, ontology).status == "matched"
    text = (
        "On-site in San Francisco. Candidates must be authorized to work in the US; "
        "we do not offer visa sponsorship."
    )
    posting = read_posting(text, ontology.lexicon)
    assert (posting.sponsorship, posting.place) == (False, "United States")
    right = one(
        "Candidates must be authorized to work in the US",
        ontology,
        "work_authorization",
        posting=posting,
    )
    assert assess_condition(right, candidate, ontology).status == "unmatched"
    berlin = one("Based in Berlin", ontology, "location", posting=Posting(True, "Germany"))
    judged = assess_condition(berlin, candidate, ontology)
    assert judged.status == "partial" and "relocation" in judged.subject


def test_a_required_clearance_is_unmet_without_one(ontology, candidate):
    clearance = one("Active TS/SCI security clearance required", ontology, "clearance")
    assert not clearance.equivalent
    assert assess_condition(clearance, candidate, ontology).status == "unmatched"
    eligible = one("US citizenship and security clearance eligibility", ontology, "clearance")
    assert eligible.equivalent


WORDS = [
    "manage",
    "a",
    "team",
    "of",
    "12",
    "100000",
    "years",
    "experience",
    "PhD",
    "degree",
    "German",
    "C1",
    "fluent",
    "travel",
    "up",
    "to",
    "500%",
    "Remote",
    "(UK)",
    "Berlin",
    "authorized",
    "work",
    "in",
    "the",
    "US",
    "no",
    "visa",
    "sponsorship",
    "clearance",
    "cannot",
    "consider",
    "senior",
    "entry-level",
    "position",
    "0-2",
    "99+",
    "reports",
]


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(WORDS), max_size=25), st.booleans())
def test_any_sentence_reads_into_valid_requirements_and_judges_without_error(
    ontology, candidate, words, optional
):
    sentence = " ".join(words)
    posting = read_posting(sentence, ontology.lexicon)
    for requirement in conditions(sentence, 1.0, optional, "jd", posting, ontology):
        judged = assess_condition(requirement, candidate, ontology)
        assert 0.0 <= judged.confidence <= 1.0 and judged.status in (
            "matched",
            "partial",
            "unmatched",
        )
