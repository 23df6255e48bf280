"""A run reads each source text once: the reading agrees with the ontology asked directly."""

from booth.apps.fitcheck.reading import TextReading, read

POSTING = """Senior Backend Engineer at Northwind Logistics

Requirements:
- 5+ years building backend services in Python and Go
- PostgreSQL and Kafka in production; experience with payments and fraud detection
- Lead a team of three engineers; a degree in Computer Science or equivalent experience
"""


def test_a_reading_finds_what_the_ontology_finds(ontology):
    reading = TextReading(POSTING, ontology)
    assert list(reading.skills) == ontology.find_skills(POSTING)
    assert list(reading.competencies) == ontology.competencies_asked(POSTING)
    assert reading.domains == ontology.domains_in_text(POSTING)
    assert {"Python", "Go", "PostgreSQL", "Kafka"} <= set(reading.skills)


def test_domain_hits_count_markers_and_skills_of_each_domain(ontology):
    hits = TextReading(POSTING, ontology).domain_hits()
    assert hits and all(count > 0 for count in hits.values())
    assert set(hits) >= TextReading(POSTING, ontology).domains


def test_a_run_keeps_one_reading_per_text_and_a_caller_outside_a_run_gets_its_own(ontology):
    readings: dict[str, TextReading] = {}
    first = read(POSTING, ontology, readings)
    assert read(POSTING, ontology, readings) is first
    assert read("Python developer", ontology, readings) is not first
    assert len(readings) == 2
    assert read(POSTING, ontology, None) is not first
