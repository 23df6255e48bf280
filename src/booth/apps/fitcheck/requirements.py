"""From research sources to a list of requirements the candidate can be measured against.

A job description is read line by line: skills, "A or B" alternatives, competencies ("system
design"), years of experience, and the domains it belongs to, weighted by the section they sit
in ("nice to have" counts half). A knowledge-base company gives its main languages, its typical
requirements, the parts of its stack that matter for the role, and - only when they define the
employer - fundamental domains such as embedded or game engines. When the user pasted a job
description, the company entry only adds context: the posting is the better source.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from booth.apps.fitcheck.conditions import Posting, conditions
from booth.apps.fitcheck.knowledge import Company
from booth.apps.fitcheck.lexicon import Lexicon
from booth.apps.fitcheck.models import (
    Classification,
    EmployerContext,
    Requirement,
    RequirementKind,
    Source,
)
from booth.apps.fitcheck.ontology import Ontology, RoleFamily
from booth.apps.fitcheck.reading import TextReading, read

OPTIONAL = re.compile(
    r"\b(nice[\s-]to[\s-]have|preferred|bonus|a\s+plus|is\s+a\s+plus|good\s+to\s+have|ideally|"
    r"desirable|optional)\b",
    re.IGNORECASE,
)
REQUIRED_HEADING = re.compile(
    r"\b(requirements|qualifications|must[\s-]haves?|what\s+you\s+bring|you\s+have|"
    r"you('ll|\s+will)\s+need|minimum|who\s+you\s+are|skills)\b",
    re.IGNORECASE,
)
DUTIES_HEADING = re.compile(
    r"\b(responsibilities|what\s+you('ll|\s+will)\s+do|the\s+role|your\s+impact|day\s+to\s+day)\b",
    re.IGNORECASE,
)
ABOUT_HEADING = re.compile(
    r"\b(about\s+us|about\s+the\s+company|benefits|perks|we\s+offer|compensation)\b", re.IGNORECASE
)
ANY_OF = re.compile(
    r"\b(one\s+of|any\s+of|such\s+as|e\.g\.|for\s+example|at\s+least\s+one|similar)\b",
    re.IGNORECASE,
)
ALTERNATIVE = re.compile(r"^(?:[\w-]+\s+){0,2},?\s*(?:or|/|and/or)(?:\s+[\w-]+){0,2}$|^/$")
CONDITIONAL = re.compile(r"\bfor\b[^.]*\b(roles?|positions?|teams?)\b", re.IGNORECASE)
# Where a line's sentences part: after ".;!?" before a capital, or at ";".
SENTENCE_BREAK = re.compile(r"(?<=[.;!?])\s+(?=[A-Z])|;\s*")

# Industries where a fundamental domain listed second still defines the employer.
DOMAIN_DEFINED_INDUSTRIES = frozenset(
    {
        "defense and aerospace",
        "gaming",
        "crypto and web3",
        "semiconductors and hardware",
        "automotive and robotics",
        "finance",
    }
)
GENERIC_STACK_CATEGORIES = ("backend", "cloud", "devops", "data_store", "messaging")
STACK_SKILLS_PER_ROLE = 4  # parts of a company's stack asked of a role without a posting
STACK_SKILL_WEIGHT = 0.4
DOMAIN_WEIGHT = 2.0  # a fundamental domain: years of work
ALIGNED_DOMAINS_WEIGHT = 0.6
NAMED_SKILL_WEIGHT = 2.0  # a skill the role is named after
DEPTH_WEIGHT = 1.5
TITLE_YEARS_WEIGHT = 1.0
ROLE_FAMILY_WEIGHT = 3.0  # the role's core work when it is not software engineering
NOTE_SCALE = 0.7  # a user's note counts less than a posting
STATEMENT_SCALE = 0.6  # a requirement line no other kind covers
COMPANY_ASKS_CACHED = 4096  # employer x role-family readings kept (533 employers, ~20 families)
OPTIONAL_WEIGHT = 0.5
DUTIES_WEIGHT = 0.8
ABOUT_WEIGHT = 0.4


@dataclass
class RequirementList:
    """Requirements keyed by what they ask, so a repeat keeps the larger weight."""

    items: dict[tuple, Requirement] = field(default_factory=dict)

    def add(self, requirement: Requirement) -> None:
        key = (
            requirement.kind,
            requirement.skills,
            requirement.competencies,
            requirement.domains,
            requirement.years,
            requirement.degree,
            requirement.language,
            requirement.place,
            requirement.family,
            requirement.label if requirement.kind == "statement" else "",
        )
        kept = self.items.get(key)
        if kept is None or requirement.weight > kept.weight:
            self.items[key] = requirement

    def has_skill(self, skill: str) -> bool:
        return any(skill in r.skills for r in self.items.values() if r.kind == "skill")

    def build(self) -> list[Requirement]:
        """Every requirement, heaviest first, numbered r1, r2 … (none is dropped)."""
        kept = sorted(self.items.values(), key=lambda r: (-r.weight, r.kind, r.label))
        return [r.model_copy(update={"id": f"r{i}"}) for i, r in enumerate(kept, start=1)]


def _skill_groups(sentence: str, ontology: Ontology) -> list[tuple[str, ...]]:
    """A sentence's skills as alternatives: "Go or Java, Kafka" -> (Go, Java), (Kafka,)."""
    spans: list[tuple[int, int, str]] = []
    for start, end in ontology.skill_spans(sentence):
        name = ontology.canonical(sentence[start:end])
        if name and all(name != s[2] for s in spans):
            spans.append((start, end, name))
    if not spans:
        return []
    names = [s[2] for s in spans]
    anchor = ANY_OF.search(sentence)
    if anchor and len(spans) >= 2:
        after = [s[2] for s in spans if s[0] >= anchor.start()]
        before = [(s[2],) for s in spans if s[0] < anchor.start()]
        return before + ([tuple(after)] if after else [])
    separators = [
        sentence[spans[i][1] : spans[i + 1][0]].strip().lower() for i in range(len(spans) - 1)
    ]
    # "C#, C++, Java or TypeScript": a list that ends in "or" is one set of alternatives
    if (
        separators
        and all(sep == "," for sep in separators[:-1])
        and separators[-1] in {"or", ", or", "/", "and/or"}
    ):
        return [tuple(names)]
    groups: list[list[str]] = [[names[0]]]
    for sep, name in zip(separators, names[1:], strict=True):
        if ALTERNATIVE.match(sep):  # "Go or Java", "Java/Kotlin backend or React"
            groups[-1].append(name)
        else:
            groups.append([name])
    return [tuple(g) for g in groups]


@dataclass(frozen=True)
class Line:
    """One sentence of a posting with the section it sits in."""

    text: str
    weight: float
    section: str  # required | optional | duties | about | body
    bullet: bool  # a list item: a requirement stated on its own

    @property
    def optional(self) -> bool:
        return self.section == "optional" or self.weight <= OPTIONAL_WEIGHT


SECTION_WEIGHTS = {"required": 1.0, "optional": OPTIONAL_WEIGHT, "duties": DUTIES_WEIGHT}


def _sentences(text: str) -> list[Line]:
    """Sentences with the section they sit in and that section's weight."""
    section, weight = "body", DUTIES_WEIGHT
    out = []
    for raw_line in text.splitlines():
        line = raw_line.strip().lstrip("-*•·>#").strip()
        if not line:
            continue
        bullet = raw_line.lstrip()[:1] in {"-", "*", "•", "·"}
        is_heading = len(line) < 60 and (line.endswith(":") or raw_line.lstrip().startswith("#"))
        if is_heading or (len(line.split()) <= 5 and not line.endswith(".") and not bullet):
            for name, pattern in (
                ("optional", OPTIONAL),
                ("required", REQUIRED_HEADING),
                ("duties", DUTIES_HEADING),
                ("about", ABOUT_HEADING),
            ):
                if pattern.search(line):
                    section = name
                    weight = SECTION_WEIGHTS.get(name, ABOUT_WEIGHT)
                    break
            if is_heading:
                continue
        for sentence in SENTENCE_BREAK.split(line):
            sentence = sentence.strip()
            if sentence:
                # "Nice to have: Kubernetes" inside a sentence counts half too
                optional = bool(OPTIONAL.search(sentence))
                out.append(
                    Line(
                        sentence,
                        OPTIONAL_WEIGHT if optional else weight,
                        "optional" if optional else section,
                        bullet,
                    )
                )
    return out


def _skill_requirements(
    line: str, weight: float, source_id: str, ontology: Ontology, reqs: RequirementList
) -> bool:
    """Skills and competencies a line asks for; whether it asked for any."""
    used = False
    for group in _skill_groups(line, ontology):
        used = True
        kind: RequirementKind = "skill" if len(group) == 1 else "any_of"
        label = group[0] if len(group) == 1 else "One of " + ", ".join(group)
        reqs.add(
            Requirement(
                label=label, kind=kind, weight=weight, skills=group, source=source_id, quote=line
            )
        )
    for key in ontology.competencies_asked(line):
        used = True
        reqs.add(
            Requirement(
                label=ontology.competencies[key].label,
                kind="competency",
                weight=weight,
                competencies=(key,),
                source=source_id,
                quote=line,
            )
        )
    return used


def text_requirements(
    text: str,
    source_id: str,
    ontology: Ontology,
    scale: float,
    reqs: RequirementList,
    readings: dict[str, TextReading] | None = None,
) -> list[str]:
    """Add the requirements a free text (job description, note) states; returns unused lines.

    No requirement line disappears: a bullet of a requirements section that names no skill,
    competency, domain or condition becomes a `statement` judged on the profile's words.
    `readings`: the run's (Analysis.readings), so research's reading of the text is reused.
    """
    unused = []
    reading = read(text, ontology, readings)
    posting = reading.posting
    for line in _sentences(text):
        weight = round(line.weight * scale, 2)
        used = _skill_requirements(line.text, weight, source_id, ontology, reqs)
        for req in conditions(line.text, weight, line.optional, source_id, posting, ontology):
            used = True
            reqs.add(req.model_copy(update={"weight": round(req.weight * scale, 2)}))
        asked = line.section in ("required", "optional") or line.bullet
        # a line whose only content is a domain ("Payments or billing systems") asks for it
        if asked and not used and line.section != "about":
            for key in sorted(ontology.domains_in_text(line.text)):
                if ontology.fundamental(key):
                    continue
                used = True
                reqs.add(
                    Requirement(
                        label=f"Experience in {ontology.domains[key].label}",
                        kind="domains",
                        weight=weight,
                        domains=(key,),
                        source=source_id,
                        quote=line.text,
                    )
                )
        if not used and asked and line.section in ("required", "optional"):
            used = True
            reqs.add(
                Requirement(
                    label=_shorten(line.text),
                    kind="statement",
                    weight=round(weight * STATEMENT_SCALE, 2),
                    required=not line.optional,
                    source=source_id,
                    quote=line.text,
                )
            )
        if not used:
            unused.append(line.text)
    # One passing "mobile app" does not make a backend posting a mobile role: a fundamental
    # domain needs two signals (markers or skills), e.g. "firmware" and FreeRTOS.
    for key, hits in sorted(reading.domain_hits().items()):
        domain = ontology.domains[key]
        if domain.fundamental and hits >= 2:
            reqs.add(
                Requirement(
                    label=f"Experience in {domain.label}",
                    kind="domain",
                    weight=round(DOMAIN_WEIGHT * scale, 2),
                    domains=(key,),
                    source=source_id,
                )
            )
    return unused


def _shorten(text: str, limit: int = 90) -> str:
    flat = " ".join(text.split()).rstrip(".")
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def core_domains(company: Company, ontology: Ontology) -> list[str]:
    """Fundamental domains that define an employer (its first domain, or its second in a
    domain-defined industry such as games or aerospace)."""
    keys = []
    for position, word in enumerate(company.domains[:2]):
        key = ontology.domain_for_company_domain(word)
        if key is None or not ontology.fundamental(key):
            continue
        if position == 0 or company.industry in DOMAIN_DEFINED_INDUSTRIES:
            keys.append(key)
    return list(dict.fromkeys(keys))


def company_requirements(
    company: Company,
    source_id: str,
    role: RoleFamily | None,
    ontology: Ontology,
    reqs: RequirementList,
) -> list[str]:
    """Requirements a knowledge-base entry implies for a role; returns context-only lines."""
    asks, context = _company_asks(company, source_id, role, ontology)
    for requirement in asks:
        reqs.add(requirement)
    return list(context)


@functools.lru_cache(maxsize=COMPANY_ASKS_CACHED)
def _company_asks(
    company: Company, source_id: str, role: RoleFamily | None, ontology: Ontology
) -> tuple[tuple[Requirement, ...], tuple[str, ...]]:
    """What an employer's entry asks of a role, and its context-only lines.

    A pure function of read-only data (the entry, the role family, the ontology), read once
    per process for each employer and role: its regular expressions are most of an offline
    run's reading time.
    """
    reqs = RequirementList()
    stack = [ontology.canonical_or_self(item) for item in company.tech_stack]
    languages = [s for s in stack if ontology.category(s) == "language"]
    if role and role.languages:
        preferred = [s for s in languages if s in role.languages] or list(role.languages)
        languages = preferred
    # The employer's own line about languages ("Go, Java or Python backend experience") says
    # it better than the stack does; the stack's languages are the fallback.
    line_languages = any(
        len(
            [
                s
                for group in _skill_groups(line, ontology)
                for s in group
                if ontology.category(s) == "language"
            ]
        )
        >= 2
        for line in company.requirements
        if not CONDITIONAL.search(line)
    )
    if languages and not (line_languages and not (role and role.languages)):
        reqs.add(
            Requirement(
                label="One of the main languages: " + ", ".join(languages),
                kind="any_of",
                skills=tuple(dict.fromkeys(languages)),
                source=source_id,
                ranked=True,
            )
        )

    context = []
    role_domains = set(role.domains) if role else set()
    posting = Posting(sponsorship=None, place=None)
    for line in company.requirements:
        conditional = CONDITIONAL.search(line)
        line_domains = {d for d in ontology.domains_in_text(line) if ontology.fundamental(d)}
        if conditional and (not role or not (line_domains & role_domains)):
            context.append(line)
            continue
        optional = bool(OPTIONAL.search(line))
        weight = OPTIONAL_WEIGHT if optional else 1.0
        before = len(reqs.items)
        groups = _skill_groups(line, ontology)
        for group in groups:
            kind: RequirementKind = "skill" if len(group) == 1 else "any_of"
            reqs.add(
                Requirement(
                    label=line, kind=kind, weight=weight, skills=group, source=source_id, quote=line
                )
            )
        competencies = tuple(ontology.competencies_asked(line))
        if competencies and not groups:
            reqs.add(
                Requirement(
                    label=line,
                    kind="competency",
                    weight=weight,
                    competencies=competencies,
                    source=source_id,
                    quote=line,
                )
            )
        for req in conditions(line, weight, optional, source_id, posting, ontology):
            reqs.add(req)
        for key in sorted(line_domains):
            # "Low-latency data systems" at a data company is not a low-latency role
            if key in role_domains or (role is None and key in core_domains(company, ontology)):
                reqs.add(_domain_requirement(key, source_id, ontology))
        if len(reqs.items) == before:
            context.append(line)

    categories = role.categories if role else GENERIC_STACK_CATEGORIES
    relevant = [
        s
        for s in dict.fromkeys(stack)
        if ontology.category(s) in categories and ontology.category(s) != "language"
    ]
    for skill in relevant[:STACK_SKILLS_PER_ROLE]:
        if not reqs.has_skill(skill):
            reqs.add(
                Requirement(
                    label=f"Familiarity with {skill} (in {company.name}'s stack)",
                    kind="skill",
                    weight=STACK_SKILL_WEIGHT,
                    skills=(skill,),
                    source=source_id,
                )
            )

    # A role in its own area (a backend role at a games studio) is not asked for the
    # employer's defining domain; no role, or a role in that domain, is.
    for key in core_domains(company, ontology):
        if role is None or key in role_domains:
            reqs.add(_domain_requirement(key, source_id, ontology))

    aligned: list[str] = []
    for word in company.domains[:3]:
        found = ontology.domain_for_company_domain(word)
        if found and not ontology.fundamental(found) and found not in aligned:
            aligned.append(found)
    if aligned:
        labels = ", ".join(ontology.domains[k].label for k in aligned)
        reqs.add(
            Requirement(
                label=f"Background in {company.name}'s core domains: {labels}",
                kind="domains",
                weight=ALIGNED_DOMAINS_WEIGHT,
                domains=tuple(aligned),
                source=source_id,
            )
        )
    return tuple(reqs.items.values()), tuple(context)


def _domain_requirement(key: str, source: str, ontology: Ontology) -> Requirement:
    return Requirement(
        label=f"Experience in {ontology.domains[key].label}",
        kind="domain",
        weight=DOMAIN_WEIGHT,
        domains=(key,),
        source=source,
    )


def seniority_years(title: str | None, lexicon: Lexicon) -> float | None:
    """The years a seniority word in a title implies ("Senior" -> 5), or None."""
    if not title:
        return None
    for word in re.findall(r"[a-z-]+", title.lower()):
        if word in lexicon.seniority_years:
            return float(lexicon.seniority_years[word])
    return None


def role_of(
    classification: Classification, sources: list[Source], ontology: Ontology
) -> RoleFamily | None:
    """The role family: from the job title, else from the posting's first line."""
    role = ontology.role_family(classification.job_title)
    if role is None:
        jd = next((s for s in sources if s.kind == "job_description" and s.text), None)
        if jd is not None and jd.text:
            role = ontology.role_family(jd.text.strip().splitlines()[0])
    return role


def _role_family_requirement(role: RoleFamily, ontology: Ontology) -> Requirement:
    """A role whose core is not coding (devrel, management, research …) is judged on that work."""
    work = ", ".join(ontology.competencies[a].label for a in role.activities)
    return Requirement(
        label=f"The role's core work: {role.family} ({work})",
        kind="role_family",
        weight=ROLE_FAMILY_WEIGHT,
        family=role.family,
        competencies=role.activities,
        source="query",
    )


def enrich(
    classification: Classification,
    sources: list[Source],
    ontology: Ontology,
    readings: dict[str, TextReading] | None = None,
) -> tuple[EmployerContext, list[Requirement]]:
    """The employer context and the requirements, from every accepted source.

    `readings`: the run's (Analysis.readings), so research's reading of each text is reused."""
    reqs = RequirementList()
    role = role_of(classification, sources, ontology)
    jd = next((s for s in sources if s.kind == "job_description"), None)
    kb = next((s for s in sources if s.kind == "knowledge_base"), None)
    company = kb.company if kb else None
    context_lines: list[str] = []

    if jd is not None and jd.text:
        text_requirements(jd.text, jd.id, ontology, 1.0, reqs, readings)
    if company is not None and kb is not None and jd is None:
        context_lines += company_requirements(company, kb.id, role, ontology, reqs)
    for note in (s for s in sources if s.kind == "user_note"):
        text_requirements(note.text or "", note.id, ontology, NOTE_SCALE, reqs, readings)

    # A skill the query or the job title names ("Azure developer", "Senior Java Backend
    # Engineer") is what the role is about: it weighs double.
    named = list(classification.extracted_skills) if classification.query_type == "company" else []
    named += ontology.find_skills(classification.job_title or "")
    for skill in dict.fromkeys(named):
        reqs.add(
            Requirement(
                label=f"{skill} (named in the role)",
                kind="skill",
                weight=NAMED_SKILL_WEIGHT,
                skills=(skill,),
                source="query",
                core=True,
            )
        )
    for key in role.domains if role else ():
        reqs.add(_domain_requirement(key, "query", ontology))
    if role and role.depth:
        reqs.add(
            Requirement(
                label=f"Depth in {ontology.domains[role.depth].label} (a {role.key} role)",
                kind="depth",
                weight=DEPTH_WEIGHT,
                domains=(role.depth,),
                source="query",
            )
        )
    if role and role.activities:
        reqs.add(_role_family_requirement(role, ontology))
    years = seniority_years(classification.job_title, ontology.lexicon)
    stated = any(r.kind == "experience" for r in reqs.items.values())
    if years and not stated:  # years a posting states beat years read from a title
        reqs.add(
            Requirement(
                label=f"{classification.job_title}: about {years:g}+ years of experience",
                kind="experience",
                weight=TITLE_YEARS_WEIGHT,
                years=years,
                source="query",
            )
        )

    if company is not None:
        domains = company.domains
    else:
        text = " ".join(s.text or "" for s in sources)
        found = read(text, ontology, readings).domains
        domains = tuple(ontology.domains[k].label for k in sorted(found))
    context = EmployerContext(
        company=company.name if company else classification.company_name,
        role=classification.job_title,
        role_family=role.key if role else None,
        industry=company.industry if company else None,
        size=company.size if company else None,
        culture=company.culture if company else (),
        domains=tuple(domains),
        stack=company.tech_stack if company else (),
        notes=tuple(context_lines),
        named_in_passing=classification.named_in_passing,
    )
    return context, reqs.build()
