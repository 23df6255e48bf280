from datetime import date
from pathlib import Path

import pytest
import yaml

from booth.apps.fitcheck.profile import (
    DEFAULT_PROFILE,
    ProfileError,
    build_candidate,
    load_profile,
    parse_profile,
    seniority,
    years_of_experience,
)
from tests.apps.fitcheck.profiles import EMBEDDED_ENGINEER


def sample_raw() -> dict:
    return yaml.safe_load(DEFAULT_PROFILE.read_text())


def test_sample_profile_loads_with_every_section():
    profile = load_profile()
    assert profile.name and profile.title and profile.summary
    assert profile.education and profile.experience and profile.projects
    assert {"languages", "frameworks", "cloud_devops", "ai_ml", "tools"} <= set(profile.skills)


def test_env_variable_selects_another_profile(tmp_path: Path, monkeypatch):
    path = tmp_path / "me.yaml"
    path.write_text(EMBEDDED_ENGINEER)
    monkeypatch.setenv("BOOTH_FITCHECK_PROFILE", str(path))
    assert load_profile().name == "Sam Okoro"
    assert load_profile(DEFAULT_PROFILE).name != "Sam Okoro"  # an explicit path wins


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda p: p["experience"][0].update(start="2021/04"), "experience.0.start"),
        (lambda p: p["education"][0].update(graduated="June 2016"), "education.0.graduated"),
        (
            lambda p: p["skills"]["languages"].append({"name": "Zig", "level": 7}),
            "skills.languages",
        ),
        (lambda p: p.update(nickname="JA"), "nickname"),
        (lambda p: p["experience"][1].update(end="2018-01"), "experience.1"),
        (lambda p: p.pop("name"), "name"),
    ],
)
def test_a_bad_field_is_named_in_the_error(change, field):
    raw = sample_raw()
    change(raw)
    with pytest.raises(ProfileError) as error:
        parse_profile(raw, "me.yaml")
    assert field in str(error.value)
    assert "me.yaml" in str(error.value)


def test_unreadable_and_non_yaml_files_are_clear_errors(tmp_path: Path):
    with pytest.raises(ProfileError, match="cannot read"):
        load_profile(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed")
    with pytest.raises(ProfileError, match="not valid YAML"):
        load_profile(bad)


def test_years_count_overlapping_jobs_once():
    raw = sample_raw()
    raw["experience"] = [
        {"title": "A", "company": "X", "start": "2020-01", "end": "2022-01"},
        {"title": "B", "company": "Y", "start": "2021-01", "end": "2023-01"},
        {"title": "C", "company": "Z", "start": "2024-01", "end": None},
    ]
    profile = parse_profile(raw)
    assert years_of_experience(profile, date(2025, 1, 1)) == 4.0


@pytest.mark.parametrize(
    "years, band",
    [(0.5, "junior"), (3, "mid-level"), (6, "senior"), (11, "staff"), (15, "principal")],
)
def test_seniority_comes_from_years(years, band):
    assert seniority(years) == band


def test_candidate_index_canonicalises_and_levels_skills(ontology):
    raw = sample_raw()
    raw["skills"]["cloud_devops"] = ["k8s", {"name": "AWS", "level": 2}]
    candidate = build_candidate(parse_profile(raw), ontology, today=date(2026, 1, 1))
    assert "Kubernetes" in candidate.skills and "k8s" not in candidate.skills
    assert candidate.skills["AWS"].level == 2  # the stated level wins over years of use
    # listed without a level, used for years in the jobs: at least level 3
    assert candidate.skills["Kubernetes"].level >= 3
    assert any("Used at" in e for e in candidate.skills["Python"].evidence)
    assert "embedded" not in candidate.domains and "distributed systems" in candidate.domains


def test_fundamental_domains_need_skills_not_a_passing_word(ontology):
    raw = sample_raw()
    raw["experience"][0]["highlights"] = ["Kept latency low for the mobile app's API"]
    candidate = build_candidate(parse_profile(raw), ontology)
    assert "mobile native" not in candidate.domains
    embedded = build_candidate(parse_profile(yaml.safe_load(EMBEDDED_ENGINEER)), ontology)
    assert "embedded" in embedded.domains
