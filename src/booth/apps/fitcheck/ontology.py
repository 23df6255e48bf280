"""The skills ontology: what a skill is called, what it is close to, and which domain it belongs to.

Matching a candidate to a job is mostly vocabulary: "k8s" is Kubernetes, three years of AWS say
something about GCP, and years of Python say nothing about firmware. This module turns the
bundled data/ontology.yaml into lookups the pipeline asks: canonical names, skills found in a
text, the best transfer from what a candidate has, and the domains of a text or a skill set.
Everything here is read-only after loading.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field

from booth.apps.fitcheck.datafile import DATA_DIR, Strict, load_model
from booth.apps.fitcheck.lexicon import DEFAULT_LEXICON, Lexicon, load_lexicon
from booth.apps.fitcheck.textmatch import alternation

SkillMatch = tuple[int, int, str]  # (start, end, canonical name), as skill_matches finds them

DEFAULT_ONTOLOGY = DATA_DIR / "ontology.yaml"
# What may separate the skills of one list: "Go, Python", "C/C++", "Swift and SwiftUI".
LIST_SEPARATOR = re.compile(r"\s*(?:,|/|&|\band\b|\bor\b|and/or|,\s*(?:and|or))\s*", re.I)
# What a role's core work is: a developer-relations or management role is judged on that work,
# not on the code it happens to mention.
RoleFamilyKey = Literal[
    "software",
    "data science",
    "developer relations",
    "engineering management",
    "product",
    "sre",
    "security",
    "mobile",
    "embedded",
    "design",
]


@dataclass(frozen=True)
class Skill:
    name: str
    category: str
    ambiguous: bool = False  # an ordinary word or another name too ("Go", "Unity", "Swift")


@dataclass(frozen=True)
class Family:
    """Skills whose knowledge carries over to one another."""

    name: str
    members: frozenset[str]
    transfer: float
    ramp_up: str
    bridge: str


@dataclass(frozen=True)
class Domain:
    key: str
    label: str
    fundamental: bool
    skills: frozenset[str]
    markers: tuple[str, ...]
    company_domains: frozenset[str]
    ramp_up: str
    bridge: str


@dataclass(frozen=True)
class Competency:
    key: str
    label: str
    asks: tuple[str, ...]
    shows: tuple[str, ...]
    degree_counts: bool
    ramp_up: str
    bridge: str


@dataclass(frozen=True)
class RoleFamily:
    key: str
    family: RoleFamilyKey
    titles: tuple[str, ...]
    categories: tuple[str, ...]
    domains: tuple[str, ...]
    languages: tuple[str, ...] = ()
    depth: str | None = None  # the domain the role needs depth in ("frontend" for frontend roles)
    activities: tuple[str, ...] = ()  # competencies that make up the role's core work


@dataclass(frozen=True)
class Transfer:
    """How a skill the candidate has carries over to one they lack."""

    target: str
    source: str
    family: str
    confidence: float
    ramp_up: str
    bridge: str


class _PhraseIndex:
    """Which keys' phrases a text contains, in one scan: each phrase maps to its keys.

    With `plural`, a phrase matches as a whole word, plural "s" allowed ("data pipelines");
    without, it matches as a word prefix ("collaborat" matches "collaborate").
    """

    def __init__(self, phrases: Mapping[str, Iterable[str]], *, plural: bool) -> None:
        self._keys: dict[str, list[str]] = {}
        for key, items in phrases.items():
            for phrase in items:
                if phrase:
                    self._keys.setdefault(phrase.lower(), []).append(key)
        tail = r"s?(?!\w)" if plural else ""
        body = alternation(self._keys)
        # a lookahead, so phrases that overlap ("on-call", "call rotation") are all found
        self._pattern = re.compile(rf"(?<!\w)(?=({body}){tail})", re.IGNORECASE)

    def find(self, text: str) -> dict[str, set[str]]:
        """key -> the distinct phrases of it that the text contains."""
        found: dict[str, set[str]] = {}
        for match in self._pattern.finditer(text):
            phrase = match.group(1).lower()
            for key in self._keys.get(phrase, ()):
                found.setdefault(key, set()).add(phrase)
        return found


class Ontology:
    """Read-only lookups over the skills ontology."""

    def __init__(
        self,
        skills: Mapping[str, Skill],
        aliases: Mapping[str, str],
        exact: Mapping[str, str],
        categories: Mapping[str, CategorySpec],
        families: list[Family],
        domains: Mapping[str, Domain],
        competencies: Mapping[str, Competency],
        roles: Mapping[str, RoleFamily],
        lexicon: Lexicon,
    ) -> None:
        self.lexicon = lexicon
        self.skills = dict(skills)
        self.categories = dict(categories)
        self.families = list(families)
        self.domains = dict(domains)
        self.competencies = dict(competencies)
        self.roles = dict(roles)
        self._aliases = dict(aliases)  # lower-case alias -> canonical
        self._exact = dict(exact)  # exact spelling -> canonical
        self._exact_lower = {form.lower() for form in self._exact}
        self._families_of: dict[str, list[Family]] = {}
        for family in self.families:
            for member in family.members:
                self._families_of.setdefault(member, []).append(family)
        # one trie per case rule: aliases in any case, `exact` forms only as written
        insensitive = alternation(self._aliases)
        exact_forms = alternation(self._exact)
        self._skill_pattern = re.compile(
            rf"(?<![\w+#])(?:(?i:{insensitive})|{exact_forms})(?![\w+#])"
        )
        self._domain_markers = _PhraseIndex(
            {key: domain.markers for key, domain in self.domains.items()}, plural=True
        )
        self._company_domain = {
            word: key for key, domain in self.domains.items() for word in domain.company_domains
        }
        self._title_roles = {t: role for role in self.roles.values() for t in role.titles}
        self._title_pattern = re.compile(rf"(?<!\w)(?:{alternation(self._title_roles)})(?!\w)")
        self._competency_asks = _PhraseIndex(
            {key: c.asks for key, c in self.competencies.items()}, plural=False
        )

    # -- skills -------------------------------------------------------------------------------
    def canonical(self, name: str) -> str | None:
        """The canonical name of a skill ("k8s" -> "Kubernetes"), or None if unknown."""
        name = name.strip()
        return self._exact.get(name) or self._aliases.get(name.lower())

    def canonical_or_self(self, name: str) -> str:
        return self.canonical(name) or name.strip()

    def category(self, skill: str) -> str | None:
        found = self.skills.get(skill)
        return found.category if found else None

    def is_skill_name(self, word: str) -> bool:
        """Whether `word`, in any case, names a skill ("snowflake", "docker")."""
        lowered = word.strip().lower()
        return lowered in self._aliases or lowered in self._exact_lower

    def skill_spans(self, text: str) -> list[tuple[int, int]]:
        """Where skills are named in a text (start, end)."""
        return spans_of(self.skill_matches(text))

    def find_skills(self, text: str) -> list[str]:
        """Canonical skills named in a text, in order of first mention, each once."""
        return names_of(self.skill_matches(text))

    def skill_matches(self, text: str) -> list[SkillMatch]:
        """(start, end, canonical) of each skill a text names.

        A skill whose name is also an ordinary word or another name ("Go", "C", "Unity",
        "Swift", "Rust") counts only in a skill context: in a list with another skill ("Swift
        and SwiftUI"), after a word that introduces a skill ("experience in Go"), or before one
        that follows a skill ("Rust services"); never as part of a proper name ("Series C",
        "Unity Catalog", "Taylor Swift").
        """
        found = []
        for match in self._skill_pattern.finditer(text):
            if match.end() - match.start() == 1 and text[match.end() : match.end() + 1] in "&'-":
                continue  # "C", "R": not "C-level", "R&D"
            name = self._exact.get(match.group(0)) or self._aliases.get(match.group(0).lower())
            if name:
                found.append((match.start(), match.end(), name))
        if not any(self.skills[name].ambiguous for _, _, name in found):
            return found
        listed = self._listed(text, found)
        return [
            item
            for index, item in enumerate(found)
            if not self.skills[item[2]].ambiguous
            or index in listed
            or self._skill_context(text, item[0], item[1])
        ]

    def _listed(self, text: str, found: list[SkillMatch]) -> set[int]:
        """Indexes of matches in a list of skills that holds at least one unambiguous name."""
        listed: set[int] = set()
        run = [0] if found else []
        for index in range(1, len(found) + 1):
            joined = index < len(found) and LIST_SEPARATOR.fullmatch(
                text[found[index - 1][1] : found[index][0]]
            )
            if joined:
                run.append(index)
                continue
            if len(run) >= 2 and any(not self.skills[found[i][2]].ambiguous for i in run):
                listed.update(run)
            run = [index]
        return listed

    def _skill_context(self, text: str, start: int, end: int) -> bool:
        words = self.lexicon.skill_context
        before = text[max(0, start - 60) : start]
        after = text[end : end + 40]
        previous = re.findall(r"\w[\w.'&-]*|[.:;!?\n(•*-]", before)
        following = re.match(r"\s+([A-Za-z][\w-]*)", after)
        if previous and previous[-1][:1].isupper() and len(previous) >= 2:
            if previous[-2] not in ".:;!?\n(•*-" and not self.is_skill_name(previous[-1]):
                return False  # "Series C", "Taylor Swift": part of a name
        if following:
            word = following.group(1)
            if word.lower() in words.after:
                return True
            if word[:1].isupper() and not self.is_skill_name(word):
                return False  # "Unity Catalog", "Rust Belt"
        if not text[:start].strip() and not text[end:].strip(" .!?"):
            return True  # the text is just the skill's name
        recent = [w.lower().strip(".,") for w in previous[-3:] if w not in ".:;!?\n("]
        return any(w in words.before for w in recent)

    def default_ramp_up(self, skill: str) -> str:
        category = self.category(skill)
        spec = self.categories.get(category or "")
        return spec.ramp_up if spec else "1-3 months"

    def category_label(self, skill: str) -> str:
        category = self.category(skill)
        spec = self.categories.get(category or "")
        return spec.label if spec else "skill"

    def best_transfer(self, target: str, levels: Mapping[str, int]) -> Transfer | None:
        """The strongest way a skill the candidate has (with its level 1-5) reaches `target`."""
        best: Transfer | None = None
        for family in self._families_of.get(target, []):
            for source in sorted(family.members):
                level = levels.get(source)
                if source == target or level is None:
                    continue
                confidence = round(family.transfer * level_weight(level), 2)
                if best is None or confidence > best.confidence:
                    best = Transfer(
                        target, source, family.name, confidence, family.ramp_up, family.bridge
                    )
        return best

    # -- domains ------------------------------------------------------------------------------
    def domains_in_text(self, text: str) -> set[str]:
        """Domains whose markers appear in a text."""
        return set(self._domain_markers.find(text))

    def domains_of_skills(self, skills: Iterable[str]) -> set[str]:
        have = set(skills)
        return {key for key, domain in self.domains.items() if domain.skills & have}

    def domain_for_company_domain(self, word: str) -> str | None:
        """The ontology domain a knowledge-base domain word belongs to ("rtos" -> "embedded")."""
        word = word.lower()
        if word in self.domains:
            return word
        return self._company_domain.get(word)

    def fundamental(self, key: str) -> bool:
        domain = self.domains.get(key)
        return bool(domain and domain.fundamental)

    def domain_markers(self, text: str) -> dict[str, set[str]]:
        """Domain -> the distinct markers of it that a text contains."""
        return self._domain_markers.find(text)

    # -- competencies and roles ---------------------------------------------------------------
    def competencies_asked(self, text: str) -> list[str]:
        """Competencies a requirement text asks for, in ontology order."""
        found = self._competency_asks.find(text)
        return [key for key in self.competencies if key in found]

    def role_family(self, title: str | None) -> RoleFamily | None:
        """The role family a job title names ("Senior iOS Engineer" -> mobile), if any."""
        if not title:
            return None
        best: str | None = None
        for found in self._title_pattern.finditer(title.lower()):
            if best is None or len(found.group(0)) > len(best):
                best = found.group(0)
        return self._title_roles[best] if best else None


def spans_of(matches: list[SkillMatch]) -> list[tuple[int, int]]:
    """Where the matched skills are named (start, end)."""
    return [(start, end) for start, end, _ in matches]


def names_of(matches: list[SkillMatch]) -> list[str]:
    """The matched skills' canonical names, in order of first mention, each once."""
    return list(dict.fromkeys(name for _, _, name in matches))


def level_weight(level: int) -> float:
    """How much a skill at level 1-5 counts: 0.48 for a beginner, 0.74 for a solid working
    level, 1.0 for an expert. Steep on purpose: a role built on a skill wants depth in it."""
    return round(0.35 + 0.13 * max(1, min(5, level)), 2)


class CategorySpec(Strict):
    ramp_up: str
    label: str


class SkillSpec(Strict):
    category: str = "tool"
    aliases: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()  # spellings that match only as written ("Go", "C")
    ambiguous: bool = False  # also an ordinary word or another name: counts only in context


class FamilySpec(Strict):
    name: str
    members: tuple[str, ...] = Field(min_length=2)
    transfer: float = Field(gt=0, le=1)
    ramp_up: str
    bridge: str


class DomainSpec(Strict):
    label: str
    fundamental: bool = False
    skills: tuple[str, ...] = ()
    markers: tuple[str, ...] = ()
    company_domains: tuple[str, ...] = ()
    ramp_up: str = "2-4 months"
    bridge: str = ""


class CompetencySpec(Strict):
    label: str
    asks: tuple[str, ...]
    shows: tuple[str, ...] = ()
    degree_counts: bool = False
    ramp_up: str = "1-3 months"
    bridge: str = ""


class RoleSpec(Strict):
    titles: tuple[str, ...] = Field(min_length=1)
    family: RoleFamilyKey = "software"
    categories: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    depth: str | None = None
    activities: tuple[str, ...] = ()  # competencies that make up the role's core work


class OntologyFile(Strict):
    """data/ontology.yaml: every section required, every key known."""

    categories: dict[str, CategorySpec]
    skills: dict[str, SkillSpec | None]
    families: tuple[FamilySpec, ...]
    domains: dict[str, DomainSpec]
    competencies: dict[str, CompetencySpec]
    roles: dict[str, RoleSpec]


def _skills(
    raw: Mapping[str, SkillSpec | None],
) -> tuple[dict[str, Skill], dict[str, str], dict[str, str]]:
    skills: dict[str, Skill] = {}
    aliases: dict[str, str] = {}
    exact: dict[str, str] = {}
    for name, given in raw.items():
        spec = given or SkillSpec()
        skills[name] = Skill(name, spec.category, spec.ambiguous)
        for form in spec.exact:
            exact[form] = name
        names = list(spec.aliases)
        if name not in spec.exact:
            names.append(name)
        for alias in names:
            key = alias.lower()
            if aliases.get(key, name) != name:
                raise ValueError(f"ontology: alias {alias!r} names both {aliases[key]} and {name}")
            aliases[key] = name
    return skills, aliases, exact


def parse_ontology(raw: OntologyFile, lexicon: Lexicon) -> Ontology:
    skills, aliases, exact = _skills(raw.skills)
    known = set(skills)
    strays = sorted(s.name for s in skills.values() if s.category not in raw.categories)
    if strays:
        raise ValueError(f"ontology: skills with an unknown category: {strays}")

    def check(names: Iterable[str], where: str) -> frozenset[str]:
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ValueError(f"ontology: {where} names unknown skills {unknown}")
        return frozenset(names)

    families = [
        Family(f.name, check(f.members, f"family {f.name!r}"), f.transfer, f.ramp_up, f.bridge)
        for f in raw.families
    ]
    domains = {
        key: Domain(
            key=key,
            label=spec.label,
            fundamental=spec.fundamental,
            skills=check(spec.skills, f"domain {key!r}"),
            markers=spec.markers,
            company_domains=frozenset(w.lower() for w in spec.company_domains),
            ramp_up=spec.ramp_up,
            bridge=spec.bridge,
        )
        for key, spec in raw.domains.items()
    }
    competencies = {
        key: Competency(
            key=key,
            label=spec.label,
            asks=spec.asks,
            shows=tuple(s.lower() for s in spec.shows),
            degree_counts=spec.degree_counts,
            ramp_up=spec.ramp_up,
            bridge=spec.bridge,
        )
        for key, spec in raw.competencies.items()
    }
    roles = {}
    for key, role in raw.roles.items():
        check(role.languages, f"role {key!r}")
        unknown = [a for a in role.activities if a not in competencies]
        if unknown:
            raise ValueError(f"ontology: role {key!r} names unknown competencies {unknown}")
        roles[key] = RoleFamily(
            key=key,
            family=role.family,
            titles=tuple(t.lower() for t in role.titles),
            categories=role.categories,
            domains=role.domains,
            languages=role.languages,
            depth=role.depth,
            activities=role.activities,
        )
    return Ontology(
        skills, aliases, exact, raw.categories, families, domains, competencies, roles, lexicon
    )


@lru_cache(maxsize=4)
def load_ontology(path: Path = DEFAULT_ONTOLOGY, lexicon: Path = DEFAULT_LEXICON) -> Ontology:
    """The ontology at `path` with the lexicon, validated once per process (read-only)."""
    return parse_ontology(load_model(path, OntologyFile), load_lexicon(lexicon))
