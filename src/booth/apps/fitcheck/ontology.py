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

import yaml

# libyaml's loader when installed: the bundled files parse ten times faster
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DATA_DIR = Path(__file__).parent / "data"
DEFAULT_ONTOLOGY = DATA_DIR / "ontology.yaml"


@dataclass(frozen=True)
class Skill:
    name: str
    category: str


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
    titles: tuple[str, ...]
    categories: tuple[str, ...]
    domains: tuple[str, ...]
    languages: tuple[str, ...] = ()
    depth: str | None = None  # the domain the role needs depth in ("frontend" for frontend roles)


@dataclass(frozen=True)
class Transfer:
    """How a skill the candidate has carries over to one they lack."""

    target: str
    source: str
    family: str
    confidence: float
    ramp_up: str
    bridge: str


def _phrase_pattern(phrases: Iterable[str], *, prefix: bool = False) -> re.Pattern[str] | None:
    """One case-insensitive regex for whole phrases (or phrase prefixes), longest first."""
    alternatives = sorted({p.lower() for p in phrases if p}, key=len, reverse=True)
    if not alternatives:
        return None
    tail = "" if prefix else r"s?(?!\w)"
    body = "|".join(re.escape(p) for p in alternatives)
    return re.compile(rf"(?<!\w)(?:{body}){tail}", re.IGNORECASE)


class Ontology:
    """Read-only lookups over the skills ontology."""

    def __init__(
        self,
        skills: Mapping[str, Skill],
        aliases: Mapping[str, str],
        exact: Mapping[str, str],
        categories: Mapping[str, dict],
        families: list[Family],
        domains: Mapping[str, Domain],
        competencies: Mapping[str, Competency],
        roles: Mapping[str, RoleFamily],
    ) -> None:
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
        alternatives = [(a, True) for a in self._aliases] + [(a, False) for a in self._exact]
        alternatives.sort(key=lambda item: len(item[0]), reverse=True)
        parts = []
        for alias, insensitive in alternatives:
            escaped = re.escape(alias)
            if len(alias) == 1:  # "C", "R": not "C-level", "R&D"
                escaped += r"(?![&'\-])"
            parts.append(f"(?i:{escaped})" if insensitive else escaped)
        self._skill_pattern = re.compile(r"(?<![\w+#])(?:" + "|".join(parts) + r")(?![\w+#])")
        self._domain_patterns = {
            key: _phrase_pattern(domain.markers) for key, domain in self.domains.items()
        }
        self._company_domain = {
            word: key for key, domain in self.domains.items() for word in domain.company_domains
        }
        self._competency_patterns = {
            key: _phrase_pattern(c.asks, prefix=True) for key, c in self.competencies.items()
        }

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
        return [match.span() for match in self._skill_pattern.finditer(text)]

    def find_skills(self, text: str) -> list[str]:
        """Canonical skills named in a text, in order of first mention, each once."""
        seen: dict[str, None] = {}
        for match in self._skill_pattern.finditer(text):
            found = match.group(0)
            canonical = self._exact.get(found) or self._aliases.get(found.lower())
            if canonical:
                seen.setdefault(canonical, None)
        return list(seen)

    def default_ramp_up(self, skill: str) -> str:
        category = self.category(skill)
        return self.categories.get(category or "", {}).get("ramp_up", "1-3 months")

    def category_label(self, skill: str) -> str:
        category = self.category(skill)
        return self.categories.get(category or "", {}).get("label", "skill")

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
        found = set()
        for key, pattern in self._domain_patterns.items():
            if pattern is not None and pattern.search(text):
                found.add(key)
        return found

    def domain_hits(self, text: str) -> dict[str, int]:
        """For each domain a text touches, how many distinct markers and skills of it appear."""
        skills = set(self.find_skills(text))
        hits = {}
        for key, pattern in self._domain_patterns.items():
            markers = {m.lower() for m in pattern.findall(text)} if pattern is not None else set()
            count = len(markers) + len(skills & self.domains[key].skills)
            if count:
                hits[key] = count
        return hits

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

    # -- competencies and roles ---------------------------------------------------------------
    def competencies_asked(self, text: str) -> list[str]:
        """Competencies a requirement text asks for, in ontology order."""
        return [
            key
            for key, pattern in self._competency_patterns.items()
            if pattern is not None and pattern.search(text)
        ]

    def role_family(self, title: str | None) -> RoleFamily | None:
        """The role family a job title names ("Senior iOS Engineer" -> mobile), if any."""
        if not title:
            return None
        lowered = title.lower()
        best: tuple[int, RoleFamily] | None = None
        for role in self.roles.values():
            for marker in role.titles:
                if re.search(rf"(?<!\w){re.escape(marker)}(?!\w)", lowered):
                    if best is None or len(marker) > best[0]:
                        best = (len(marker), role)
        return best[1] if best else None


def level_weight(level: int) -> float:
    """How much a skill at level 1-5 counts: 0.48 for a beginner, 0.74 for a solid working
    level, 1.0 for an expert. Steep on purpose: a role built on a skill wants depth in it."""
    return round(0.35 + 0.13 * max(1, min(5, level)), 2)


def _skills(raw: Mapping[str, dict]) -> tuple[dict[str, Skill], dict[str, str], dict[str, str]]:
    skills: dict[str, Skill] = {}
    aliases: dict[str, str] = {}
    exact: dict[str, str] = {}
    for name, spec in raw.items():
        spec = spec or {}
        skills[name] = Skill(name, spec.get("category", "tool"))
        exact_forms = [str(e) for e in spec.get("exact", [])]
        for form in exact_forms:
            exact[form] = name
        names = [str(a) for a in spec.get("aliases", [])]
        if name not in exact_forms:
            names.append(name)
        for alias in names:
            key = alias.lower()
            if aliases.get(key, name) != name:
                raise ValueError(f"ontology: alias {alias!r} names both {aliases[key]} and {name}")
            aliases[key] = name
    return skills, aliases, exact


def parse_ontology(raw: Mapping) -> Ontology:
    skills, aliases, exact = _skills(raw.get("skills", {}))
    known = set(skills)

    def check(names: Iterable[str], where: str) -> frozenset[str]:
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ValueError(f"ontology: {where} names unknown skills {unknown}")
        return frozenset(names)

    families = [
        Family(
            f["name"],
            check(f["members"], f"family {f['name']!r}"),
            float(f["transfer"]),
            str(f["ramp_up"]),
            str(f["bridge"]),
        )
        for f in raw.get("families", [])
    ]
    domains = {
        key: Domain(
            key=key,
            label=spec.get("label", key),
            fundamental=bool(spec.get("fundamental", False)),
            skills=check(spec.get("skills", []), f"domain {key!r}"),
            markers=tuple(spec.get("markers", [])),
            company_domains=frozenset(w.lower() for w in spec.get("company_domains", [])),
            ramp_up=str(spec.get("ramp_up", "2-4 months")),
            bridge=str(spec.get("bridge", "")),
        )
        for key, spec in raw.get("domains", {}).items()
    }
    competencies = {
        key: Competency(
            key=key,
            label=spec.get("label", key),
            asks=tuple(spec.get("asks", [])),
            shows=tuple(s.lower() for s in spec.get("shows", [])),
            degree_counts=bool(spec.get("degree_counts", False)),
            ramp_up=str(spec.get("ramp_up", "1-3 months")),
            bridge=str(spec.get("bridge", "")),
        )
        for key, spec in raw.get("competencies", {}).items()
    }
    roles = {
        key: RoleFamily(
            key=key,
            titles=tuple(t.lower() for t in spec.get("titles", [])),
            categories=tuple(spec.get("categories", [])),
            domains=tuple(spec.get("domains", [])),
            languages=tuple(
                sorted(
                    check(spec.get("languages", []), f"role {key!r}"),
                    key=spec.get("languages", []).index,
                )
            ),
            depth=spec.get("depth"),
        )
        for key, spec in raw.get("roles", {}).items()
    }
    return Ontology(
        skills, aliases, exact, raw.get("categories", {}), families, domains, competencies, roles
    )


@lru_cache(maxsize=4)
def load_ontology(path: Path = DEFAULT_ONTOLOGY) -> Ontology:
    """The ontology at `path`, parsed once per process (it is read-only)."""
    with open(path, encoding="utf-8") as handle:
        return parse_ontology(yaml.load(handle, Loader=SAFE_LOADER))
