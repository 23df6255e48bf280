"""From research sources to a list of requirements the candidate can be measured against.

A job description is read line by line: skills, "A or B" alternatives, competencies ("system
design"), years of experience, and the domains it belongs to, weighted by the section they sit
in ("nice to have" counts half). A knowledge-base company gives its main languages, its typical
requirements, the parts of its stack that matter for the role, and - only when they define the
employer - fundamental domains such as embedded or game engines. When the user pasted a job
description, the company entry only adds context: the posting is the better source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from booth.apps.fitcheck.knowledge import Company
from booth.apps.fitcheck.models import Classification, EmployerContext, Requirement, Source
from booth.apps.fitcheck.ontology import Ontology, RoleFamily

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
YEARS = re.compile(
    r"\b(\d{1,2})\s*\+?\s*(?:-|–|to)?\s*(?:\d{1,2})?\s*\+?\s*years?\b", re.IGNORECASE
)
ALTERNATIVE = re.compile(r"^(?:[\w-]+\s+){0,2},?\s*(?:or|/|and/or)(?:\s+[\w-]+){0,2}$|^/$")
CONDITIONAL = re.compile(r"\bfor\b[^.]*\b(roles?|positions?|teams?)\b", re.IGNORECASE)

SENIORITY_YEARS = {
    "intern": 0,
    "graduate": 0,
    "junior": 0,
    "jr": 0,
    "mid-level": 3,
    "senior": 5,
    "sr": 5,
    "lead": 6,
    "staff": 8,
    "principal": 10,
    "distinguished": 12,
}
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
MAX_SKILL_REQUIREMENTS = 14


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
        )
        kept = self.items.get(key)
        if kept is None or requirement.weight > kept.weight:
            self.items[key] = requirement

    def has_skill(self, skill: str) -> bool:
        return any(skill in r.skills for r in self.items.values() if r.kind == "skill")

    def build(self) -> list[Requirement]:
        ordered = sorted(self.items.values(), key=lambda r: -r.weight)
        skills = [r for r in ordered if r.kind == "skill"][:MAX_SKILL_REQUIREMENTS]
        kept = [r for r in ordered if r.kind != "skill"] + skills
        kept.sort(key=lambda r: (-r.weight, r.kind, r.label))
        return [replace(r, id=f"r{i}") for i, r in enumerate(kept, start=1)]


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


def _sentences(text: str) -> list[tuple[str, float]]:
    """Sentences with the weight of the section they sit in."""
    weight = 0.8
    out = []
    for raw_line in text.splitlines():
        line = raw_line.strip().lstrip("-*•·>#").strip()
        if not line:
            continue
        is_heading = len(line) < 60 and (line.endswith(":") or raw_line.lstrip().startswith("#"))
        if is_heading or (len(line.split()) <= 5 and not line.endswith(".")):
            if OPTIONAL.search(line):
                weight = 0.5
            elif REQUIRED_HEADING.search(line):
                weight = 1.0
            elif DUTIES_HEADING.search(line):
                weight = 0.8
            elif ABOUT_HEADING.search(line):
                weight = 0.4
            if is_heading:
                continue
        for sentence in re.split(r"(?<=[.;!?])\s+(?=[A-Z])|;\s*", line):
            sentence = sentence.strip()
            if sentence:
                # "Nice to have: Kubernetes" inside a sentence counts half too
                out.append((sentence, 0.5 if OPTIONAL.search(sentence) else weight))
    return out


def text_requirements(
    text: str, source_id: str, ontology: Ontology, scale: float, reqs: RequirementList
) -> list[str]:
    """Add the requirements a free text (job description, note) states; returns unused lines."""
    unused = []
    for sentence, weight in _sentences(text):
        weight = round(weight * scale, 2)
        used = False
        for group in _skill_groups(sentence, ontology):
            used = True
            if len(group) == 1:
                reqs.add(Requirement("", group[0], "skill", weight, skills=group, source=source_id))
            else:
                label = "One of " + ", ".join(group)
                reqs.add(Requirement("", label, "any_of", weight, skills=group, source=source_id))
        for key in ontology.competencies_asked(sentence):
            used = True
            label = ontology.competencies[key].label
            reqs.add(
                Requirement("", label, "competency", weight, competencies=(key,), source=source_id)
            )
        years = YEARS.search(sentence)
        if years and re.search(r"experience|years\s+of|professional|industry", sentence, re.I):
            used = True
            value = float(years.group(1))
            if 0 < value <= 25:
                reqs.add(
                    Requirement(
                        "",
                        f"{value:g}+ years of experience",
                        "experience",
                        max(weight, 0.8),
                        years=value,
                        source=source_id,
                    )
                )
        if not used:
            unused.append(sentence)
    # One passing "mobile app" does not make a backend posting a mobile role: a fundamental
    # domain needs two signals (markers or skills), e.g. "firmware" and FreeRTOS.
    for key, hits in sorted(ontology.domain_hits(text).items()):
        domain = ontology.domains[key]
        if domain.fundamental and hits >= 2:
            reqs.add(
                Requirement(
                    "",
                    f"Experience in {domain.label}",
                    "domain",
                    round(2.0 * scale, 2),
                    domains=(key,),
                    source=source_id,
                )
            )
    return unused


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
                "",
                "One of the main languages: " + ", ".join(languages),
                "any_of",
                1.0,
                skills=tuple(dict.fromkeys(languages)),
                source=source_id,
                ranked=True,
            )
        )

    context = []
    role_domains = set(role.domains) if role else set()
    for line in company.requirements:
        conditional = CONDITIONAL.search(line)
        line_domains = {d for d in ontology.domains_in_text(line) if ontology.fundamental(d)}
        if conditional and (not role or not (line_domains & role_domains)):
            context.append(line)
            continue
        weight = 0.5 if OPTIONAL.search(line) else 1.0
        before = len(reqs.items)
        for group in _skill_groups(line, ontology):
            if len(group) == 1:
                reqs.add(Requirement("", line, "skill", weight, skills=group, source=source_id))
            else:
                reqs.add(Requirement("", line, "any_of", weight, skills=group, source=source_id))
        competencies = tuple(ontology.competencies_asked(line))
        if competencies and not _skill_groups(line, ontology):
            reqs.add(
                Requirement(
                    "", line, "competency", weight, competencies=competencies, source=source_id
                )
            )
        for key in sorted(line_domains):
            # "Low-latency data systems" at a data company is not a low-latency role
            if key in role_domains or (role is None and key in core_domains(company, ontology)):
                label = f"Experience in {ontology.domains[key].label}"
                reqs.add(Requirement("", label, "domain", 2.0, domains=(key,), source=source_id))
        if len(reqs.items) == before:
            context.append(line)

    categories = role.categories if role else GENERIC_STACK_CATEGORIES
    relevant = [
        s
        for s in dict.fromkeys(stack)
        if ontology.category(s) in categories and ontology.category(s) != "language"
    ]
    for skill in relevant[:4]:
        if not reqs.has_skill(skill):
            reqs.add(
                Requirement(
                    "",
                    f"Familiarity with {skill} (in {company.name}'s stack)",
                    "skill",
                    0.4,
                    skills=(skill,),
                    source=source_id,
                )
            )

    # A role in its own area (a backend role at a games studio) is not asked for the
    # employer's defining domain; no role, or a role in that domain, is.
    for key in core_domains(company, ontology):
        if role is None or key in role_domains:
            label = f"Experience in {ontology.domains[key].label}"
            reqs.add(Requirement("", label, "domain", 2.0, domains=(key,), source=source_id))

    aligned: list[str] = []
    for word in company.domains[:3]:
        domain = ontology.domain_for_company_domain(word)
        if domain and not ontology.fundamental(domain) and domain not in aligned:
            aligned.append(domain)
    if aligned:
        labels = ", ".join(ontology.domains[k].label for k in aligned)
        reqs.add(
            Requirement(
                "",
                f"Background in {company.name}'s core domains: {labels}",
                "domains",
                0.6,
                domains=tuple(aligned),
                source=source_id,
            )
        )
    return context


def seniority_years(title: str | None) -> float | None:
    if not title:
        return None
    for word in re.findall(r"[a-z-]+", title.lower()):
        if word in SENIORITY_YEARS:
            return float(SENIORITY_YEARS[word])
    return None


def enrich(
    classification: Classification, sources: list[Source], ontology: Ontology
) -> tuple[EmployerContext, list[Requirement]]:
    """The employer context and the requirements, from every accepted source."""
    reqs = RequirementList()
    role = ontology.role_family(classification.job_title)
    jd = next((s for s in sources if s.kind == "job_description"), None)
    kb = next((s for s in sources if s.kind == "knowledge_base"), None)
    company = kb.company if kb else None
    context_lines: list[str] = []

    if jd is not None and jd.text:
        text_requirements(jd.text, jd.id, ontology, 1.0, reqs)
    if kb is not None and company is not None and jd is None:
        context_lines += company_requirements(company, kb.id, role, ontology, reqs)
    for note in (s for s in sources if s.kind == "user_note"):
        text_requirements(note.text or "", note.id, ontology, 0.7, reqs)

    # A skill the query or the job title names ("Azure developer", "Senior Java Backend
    # Engineer") is what the role is about: it weighs double.
    named = list(classification.extracted_skills) if classification.query_type == "company" else []
    named += ontology.find_skills(classification.job_title or "")
    for skill in dict.fromkeys(named):
        reqs.add(
            Requirement(
                "",
                f"{skill} (named in the role)",
                "skill",
                2.0,
                skills=(skill,),
                source="query",
                core=True,
            )
        )
    for key in role.domains if role else ():
        label = f"Experience in {ontology.domains[key].label}"
        reqs.add(Requirement("", label, "domain", 2.0, domains=(key,), source="query"))
    if role and role.depth:
        label = f"Depth in {ontology.domains[role.depth].label} (a {role.key} role)"
        reqs.add(Requirement("", label, "depth", 1.5, domains=(role.depth,), source="query"))
    years = seniority_years(classification.job_title)
    stated = any(r.kind == "experience" for r in reqs.items.values())
    if years and not stated:  # years a posting states beat years read from a title
        reqs.add(
            Requirement(
                "",
                f"{classification.job_title}: about {years:g}+ years of experience",
                "experience",
                1.0,
                years=years,
                source="query",
            )
        )

    if company is not None:
        domains = company.domains
    else:
        text = " ".join(s.text or "" for s in sources)
        domains = tuple(ontology.domains[k].label for k in sorted(ontology.domains_in_text(text)))
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
    )
    return context, reqs.build()
