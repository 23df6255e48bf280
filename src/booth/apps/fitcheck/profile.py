"""The candidate: a YAML profile, its schema, and the facts a fit analysis asks of it.

The schema is strict (unknown fields are errors) so that a typo in a user's own profile fails
loudly at start-up with the field's path, instead of silently scoring a different person.
Years of experience and seniority come from the dated experience, never from what the profile
claims about itself.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from booth.apps.fitcheck.lexicon import Lexicon
from booth.apps.fitcheck.ontology import Ontology, Transfer

# libyaml's loader when installed: the bundled files parse ten times faster
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DEFAULT_PROFILE = Path(__file__).parent / "data" / "sample_profile.yaml"
PROFILE_ENV = "BOOTH_FITCHECK_PROFILE"

_YEAR_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def _year_month(value: Any) -> str:
    if not isinstance(value, str) or not _YEAR_MONTH.match(value.strip()):
        raise ValueError(f"must be a YYYY-MM string such as 2021-04 (got {value!r})")
    return value.strip()


YearMonth = Annotated[str, BeforeValidator(_year_month)]


def month_index(value: str) -> int:
    year, month = value.split("-")
    return int(year) * 12 + int(month) - 1


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Education(Strict):
    degree: str = Field(min_length=1)
    field: str = Field(min_length=1)
    institution: str = Field(min_length=1)
    graduated: YearMonth


class Experience(Strict):
    title: str = Field(min_length=1)
    company: str = Field(min_length=1)
    start: YearMonth
    end: YearMonth | None = None
    highlights: tuple[str, ...] = ()
    technologies: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _ordered(self) -> Experience:
        if self.end is not None and month_index(self.end) < month_index(self.start):
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        return self


class LeveledSkill(Strict):
    name: str = Field(min_length=1)
    level: int = Field(ge=1, le=5)


class Project(Strict):
    name: str = Field(min_length=1)
    description: str = Field(min_length=1)
    technologies: tuple[str, ...] = ()


class SpokenLanguage(Strict):
    name: str = Field(min_length=1)
    level: str = Field(min_length=1, description="CEFR level (A1 … C2) or native / fluent")


class Profile(Strict):
    name: str = Field(min_length=1)
    title: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    location: str | None = None
    languages: tuple[SpokenLanguage, ...] = ()
    # countries the candidate may work in without a visa; defaults to the location's country
    work_authorization: tuple[str, ...] = ()
    education: tuple[Education, ...] = ()
    experience: tuple[Experience, ...] = Field(min_length=1)
    skills: dict[str, tuple[str | LeveledSkill, ...]] = Field(min_length=1)
    projects: tuple[Project, ...] = ()
    strengths: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()


class ProfileError(ValueError):
    """A profile file that cannot be used; the message names the file and the bad field."""


def _describe(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "(top level)"
        message = item["msg"].removeprefix("Value error, ")
        lines.append(f"{where}: {message}")
    return "; ".join(lines)


def parse_profile(raw: Any, source: str = "profile") -> Profile:
    if not isinstance(raw, dict):
        raise ProfileError(f"{source}: expected a mapping of profile fields at the top level")
    try:
        return Profile.model_validate(raw)
    except ValidationError as error:
        raise ProfileError(f"{source}: {_describe(error)}") from None


def load_profile(path: Path | str | None = None) -> Profile:
    """The profile at `path`, else $BOOTH_FITCHECK_PROFILE, else the bundled sample."""
    chosen = Path(path or os.environ.get(PROFILE_ENV) or DEFAULT_PROFILE)
    try:
        text = chosen.read_text(encoding="utf-8")
    except OSError as error:
        raise ProfileError(f"{chosen}: cannot read the profile ({error.strerror})") from None
    try:
        raw = yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as error:
        raise ProfileError(f"{chosen}: not valid YAML ({error})") from None
    return parse_profile(raw, str(chosen))


# -- derived facts ----------------------------------------------------------------------------
def years_of_experience(profile: Profile, today: date) -> float:
    """Years worked, counting overlapping jobs once."""
    now = today.year * 12 + today.month - 1
    spans = sorted(
        (month_index(job.start), month_index(job.end) if job.end else now)
        for job in profile.experience
    )
    months = 0
    current_start, current_end = spans[0]
    for start, end in spans[1:]:
        if start <= current_end:
            current_end = max(current_end, end)
        else:
            months += current_end - current_start
            current_start, current_end = start, end
    months += current_end - current_start
    return round(max(0, months) / 12, 1)


SENIORITY = (
    ("junior", 0.0),
    ("mid-level", 2.0),
    ("senior", 5.0),
    ("staff", 10.0),
    ("principal", 14.0),
)


def seniority(years: float) -> str:
    """A seniority band from years of experience."""
    band = SENIORITY[0][0]
    for name, threshold in SENIORITY:
        if years >= threshold:
            band = name
    return band


def _period(job: Experience) -> str:
    return f"{job.start} – {job.end or 'present'}"


@dataclass
class SkillFacts:
    """What the profile shows about one skill."""

    name: str
    level: int
    years: float = 0.0
    evidence: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Candidate:
    """A profile with its facts indexed for matching: skills by canonical name, sentences,
    domains, and what matching asks of it on every run (the transfer to each skill, the
    sentences that show each competency), worked out with the ontology it was built with.

    Built once per profile and only read afterwards.
    """

    profile: Profile
    years: float
    seniority: str
    skills: dict[str, SkillFacts]
    sentences: tuple[tuple[str, str], ...]  # (lower-cased text, "where: text") for evidence
    domains: frozenset[str]
    transfers: dict[str, Transfer]  # skill -> the strongest transfer to it from one it has
    shown: dict[str, tuple[str, ...]]  # competency -> the sentences that show it
    side_domains: frozenset[str] = frozenset()  # shown only by projects or self-description
    degree: str | None = None  # highest degree level: bachelor | master | phd
    languages: dict[str, int] = field(default_factory=dict)  # language -> level (C2 = 6)
    country: str | None = None
    authorized: frozenset[str] = frozenset()  # countries the candidate may work in
    family_years: dict[str, float] = field(default_factory=dict)  # role family -> years
    team_size: int = 0  # the largest team the profile says the candidate led or managed
    team_evidence: str | None = None

    def has(self, skill: str) -> SkillFacts | None:
        return self.skills.get(skill)

    def evidence_for(self, needles: tuple[str, ...]) -> list[str]:
        """Profile sentences containing any of `needles` (lower-case substrings)."""
        return _containing(self.sentences, needles)

    def has_degree(self) -> tuple[bool, str | None]:
        for edu in self.profile.education:
            return True, f"{edu.degree} in {edu.field}, {edu.institution} ({edu.graduated[:4]})"
        return False, None


def _containing(sentences: tuple[tuple[str, str], ...], needles: tuple[str, ...]) -> list[str]:
    return [line for lowered, line in sentences if any(n in lowered for n in needles)]


DEGREE_RANK = {"bachelor": 1, "master": 2, "phd": 3}
TEAM = re.compile(
    r"\b(?:led|lead|leading|managed|managing|manage|ran|running|built and led)\b[^.;]{0,40}?"
    r"\bteam of (\w+)|\b(\w+) (?:direct )?reports\b",
    re.IGNORECASE,
)


def _degree_level(profile: Profile, lexicon: Lexicon) -> str | None:
    """The highest degree level the education section shows."""
    best = None
    for edu in profile.education:
        words = edu.degree.lower().replace("'", "'")
        for level in ("phd", "master", "bachelor"):
            spellings = getattr(lexicon.degrees, level)
            if any(re.search(rf"(?<!\w){re.escape(s)}(?!\w)", words) for s in spellings):
                if best is None or DEGREE_RANK[level] > DEGREE_RANK[best]:
                    best = level
                break
    return best


def _team(profile: Profile, lexicon: Lexicon) -> tuple[int, str | None]:
    best, proof = 0, None
    for job in profile.experience:
        for line in job.highlights:
            for found in TEAM.finditer(line):
                size = lexicon.number(found.group(1) or found.group(2) or "")
                if size and size > best:
                    best, proof = size, f"{job.company} ({job.title}): {line}"
    return best, proof


def _years_of(job: Experience, today: date) -> float:
    now = today.year * 12 + today.month - 1
    end = month_index(job.end) if job.end else now
    return max(0, end - month_index(job.start)) / 12


def build_candidate(profile: Profile, ontology: Ontology, today: date | None = None) -> Candidate:
    """Index a profile for the matcher."""
    today = today or date.today()
    skills: dict[str, SkillFacts] = {}
    listed: dict[str, int | None] = {}
    for category, entries in profile.skills.items():
        for entry in entries:
            name, level = (entry, None) if isinstance(entry, str) else (entry.name, entry.level)
            canonical = ontology.canonical_or_self(name)
            previous = listed.get(canonical)
            listed[canonical] = max(level or 0, previous or 0) or None
            facts = skills.setdefault(canonical, SkillFacts(canonical, level or 3))
            label = f"level {level}/5" if level else "listed"
            facts.evidence.append(f"Skills ({category.replace('_', ' ')}): {name}, {label}")
    for job in profile.experience:
        span = _years_of(job, today)
        for tech in job.technologies:
            canonical = ontology.canonical_or_self(tech)
            facts = skills.setdefault(canonical, SkillFacts(canonical, 0))
            facts.years += span
            facts.evidence.append(f"Used at {job.company} as {job.title} ({_period(job)})")
    for project in profile.projects:
        for tech in project.technologies:
            canonical = ontology.canonical_or_self(tech)
            facts = skills.setdefault(canonical, SkillFacts(canonical, 0))
            facts.evidence.append(f"Project {project.name}: {project.description}")
    # Skills named only in a highlight ("built the REST API in Django") count as used at work.
    for job in profile.experience:
        for highlight in job.highlights:
            for canonical in ontology.find_skills(highlight):
                facts = skills.setdefault(canonical, SkillFacts(canonical, 0))
                facts.evidence.append(f"{job.company} ({job.title}): {highlight}")
    for name, facts in skills.items():
        facts.years = round(facts.years, 1)
        from_years = 4 if facts.years >= 5 else 3 if facts.years >= 2 else 2
        explicit = listed.get(name)
        if explicit:
            facts.level = explicit
        elif name in listed:  # listed without a level
            facts.level = max(3, from_years)
        elif facts.years:
            facts.level = from_years
        else:  # named in a highlight or a project only
            at_work = any(not e.startswith("Project ") for e in facts.evidence)
            facts.level = 3 if at_work else 2

    # Highlights first: a dated achievement is better evidence than a self-description.
    texts: list[tuple[str, str]] = []
    for job in profile.experience:
        texts += [(f"{job.company} ({job.title})", h) for h in job.highlights]
    texts += [(f"Project {p.name}", p.description) for p in profile.projects]
    texts += [("Strength", s) for s in profile.strengths]
    texts.append(("Summary", profile.summary))
    sentences = tuple((text.lower(), f"{where}: {text}") for where, text in texts)
    skill_levels = {name: facts.level for name, facts in skills.items()}

    # A fundamental domain (embedded, mobile native …) needs a skill or a job title to count;
    # a passing word in a highlight is not years of firmware work.
    all_text = " ".join(text for _, text in texts)
    titles = " ".join(job.title for job in profile.experience)
    domains = ontology.domains_of_skills(skills) | ontology.domains_in_text(titles)
    domains |= {d for d in ontology.domains_in_text(all_text) if not ontology.fundamental(d)}
    # Domains only a side project or a self-description shows are weaker evidence than work.
    work_text = " ".join(h for job in profile.experience for h in job.highlights)
    work_domains = ontology.domains_of_skills(
        name
        for name, facts in skills.items()
        if any(not e.startswith("Project ") for e in facts.evidence)
    )
    work_domains |= ontology.domains_in_text(titles) | ontology.domains_in_text(work_text)
    side_domains = frozenset(domains - work_domains)
    years = years_of_experience(profile, today)
    lexicon = ontology.lexicon
    levels = lexicon.languages.levels
    languages = {
        lang.name.strip().title(): levels.get(lang.level.strip().lower(), 0)
        for lang in profile.languages
    }
    country = lexicon.country_of(profile.location.split(",")[-1]) if profile.location else None
    country = country or (
        lexicon.country_of(profile.location.split(",")[0]) if profile.location else None
    )
    authorized = {lexicon.country_of(c) or c for c in profile.work_authorization}
    family_years: dict[str, float] = {}
    for job in profile.experience:
        role = ontology.role_family(job.title)
        family = role.family if role else "software"
        family_years[family] = round(family_years.get(family, 0.0) + _years_of(job, today), 1)
    team_size, team_evidence = _team(profile, lexicon)
    return Candidate(
        profile=profile,
        years=years,
        seniority=seniority(years),
        skills=skills,
        sentences=sentences,
        domains=frozenset(domains),
        transfers={
            skill: transfer
            for skill in ontology.skills
            if (transfer := ontology.best_transfer(skill, skill_levels)) is not None
        },
        shown={
            key: tuple(_containing(sentences, competency.shows))
            for key, competency in ontology.competencies.items()
        },
        side_domains=side_domains,
        degree=_degree_level(profile, lexicon),
        languages=languages,
        country=country,
        authorized=frozenset(authorized or ({country} if country else set())),
        family_years=family_years,
        team_size=team_size,
        team_evidence=team_evidence,
    )
