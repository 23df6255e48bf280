"""Example job descriptions that fit the candidate well or badly, built from the knowledge base.

A good example comes from an employer whose stack overlaps the profile's strongest skills and
whose defining domain the profile has; a bad one from an employer defined by a domain the
profile lacks (firmware, game engines, trading latency …). Both read like real postings, so
they also make good demo inputs.
"""

from __future__ import annotations

import random
from typing import Literal

from booth.apps.fitcheck.knowledge import Company
from booth.apps.fitcheck.phases import Resources
from booth.apps.fitcheck.requirements import core_domains

EXAMPLE_TYPES = {"good": "tech_position", "bad": "unrelated_position"}  # the seed's names
DOMAIN_ROLES = {
    "embedded": (
        "Embedded Software Engineer",
        "real-time firmware for flight and control hardware",
    ),
    "game engines": ("Senior Gameplay Engineer", "engine and gameplay systems for shipped titles"),
    "mobile native": ("Senior iOS Engineer", "native apps used by millions of people"),
    "low latency": ("Low-Latency C++ Developer", "trading systems measured in microseconds"),
    "smart contracts": ("Smart Contract Engineer", "on-chain protocols that hold real value"),
}
DOMAIN_LINES = {
    "embedded": [
        "Experience writing firmware in C or C++ for microcontrollers running an RTOS",
        "Comfort with hardware bring-up, device drivers and oscilloscopes",
    ],
    "game engines": [
        "Shipped at least one title with Unreal Engine or Unity",
        "Strong C++ and a feel for frame budgets and game engine architecture",
    ],
    "mobile native": [
        "Several years building native iOS apps with Swift and SwiftUI",
        "Experience releasing and monitoring apps through the App Store",
    ],
    "low latency": [
        "Expert modern C++ on Linux with a focus on low latency",
        "Experience with kernel bypass networking and lock-free data structures",
    ],
    "smart contracts": [
        "Production Solidity and a deep understanding of the EVM",
        "Experience auditing smart contracts and DeFi protocols",
    ],
}


def _stack(company: Company, resources: Resources) -> list[str]:
    return [resources.ontology.canonical_or_self(s) for s in company.tech_stack]


def _good_companies(resources: Resources) -> list[tuple[float, Company]]:
    candidate = resources.candidate
    ranked = []
    for company in resources.kb.companies:
        core = core_domains(company, resources.ontology)
        if core and not set(core) & candidate.domains:
            continue
        stack = _stack(company, resources)
        strong = [s for s in stack if s in candidate.skills and candidate.skills[s].level >= 3]
        if len(stack) >= 4 and len(strong) >= 4:
            ranked.append((len(strong) / len(stack), company))
    ranked.sort(key=lambda item: (-item[0], item[1].name))
    return ranked


def _bad_companies(resources: Resources) -> list[tuple[str, Company]]:
    candidate = resources.candidate
    found = []
    for company in resources.kb.companies:
        for key in core_domains(company, resources.ontology):
            if key in DOMAIN_ROLES and key not in candidate.domains:
                found.append((key, company))
                break
    return found


def _posting(
    company: Company,
    title: str,
    intro: str,
    duties: list[str],
    required: list[str],
    nice: list[str],
) -> str:
    lines = [
        f"{title} — {company.name}",
        "",
        f"About {company.name}: a {company.size} {company.industry} company headquartered in "
        f"{company.headquarters}. {intro}",
        "",
        "What you'll do:",
        *[f"- {d}" for d in duties],
        "",
        "Requirements:",
        *[f"- {r}" for r in required],
    ]
    if nice:
        lines += ["", "Nice to have:", *[f"- {n}" for n in nice]]
    if company.culture:
        lines += ["", f"How we work: {', '.join(company.culture[:4])}."]
    return "\n".join(lines)


def good_example(resources: Resources, rng: random.Random) -> dict:
    candidate = resources.candidate
    ranked = _good_companies(resources)
    _, company = rng.choice(ranked[:8])
    stack = _stack(company, resources)
    strong = sorted(
        (s for s in stack if s in candidate.skills), key=lambda s: -candidate.skills[s].level
    )
    languages = [s for s in strong if resources.ontology.category(s) == "language"][:2]
    tools = [s for s in strong if s not in languages][:4]
    lacking = [s for s in stack if s not in candidate.skills][:2]
    years = max(2, min(int(candidate.years) - 2, 6))
    title = "Senior Backend Engineer" if candidate.years >= 5 else "Backend Engineer"
    required = [
        f"{years}+ years of professional software engineering experience",
        f"Strong experience with {' or '.join(languages) or strong[0]} in production",
        *[f"Hands-on experience with {t}" for t in tools],
        "System design for scalable, reliable services and a habit of testing and code review",
        "Clear written communication and cross-functional collaboration",
    ]
    duties = [
        "Design, build and operate backend services and APIs",
        "Own features end to end, from design doc to on-call",
        "Mentor engineers and raise the bar for code quality",
    ]
    jd = _posting(
        company,
        title,
        "We build products used by millions.",
        duties,
        required,
        [f"Experience with {s}" for s in lacking],
    )
    return {"quality": "good", "company": company.name, "job_title": title, "job_description": jd}


def bad_example(resources: Resources, rng: random.Random) -> dict:
    domain, company = rng.choice(_bad_companies(resources))
    title, intro = DOMAIN_ROLES[domain]
    stack = [s for s in _stack(company, resources) if s not in resources.candidate.skills][:4]
    required = [
        "5+ years of professional experience",
        *DOMAIN_LINES[domain],
        *[f"Experience with {s}" for s in stack[:2]],
    ]
    duties = [
        f"Build {intro}",
        "Debug hard problems across software and its environment",
        "Work closely with the teams who depend on your code",
    ]
    jd = _posting(
        company,
        title,
        f"Our engineers build {intro}.",
        duties,
        required,
        [f"Familiarity with {s}" for s in stack[2:4]],
    )
    return {"quality": "bad", "company": company.name, "job_title": title, "job_description": jd}


def generate_example(
    quality: Literal["good", "bad"], resources: Resources, seed: int | None = None
) -> dict:
    """A realistic job description that fits the candidate well ("good") or badly ("bad").

    The seed's fields first (`success`, `example` - the text a client pastes into its input -,
    `example_type`, `quality`, `error`), then booth's (company, job title, the same text again).
    """
    rng = random.Random(seed)
    built = good_example(resources, rng) if quality == "good" else bad_example(resources, rng)
    return {
        "success": True,
        "example": built["job_description"],
        "example_type": EXAMPLE_TYPES[quality],
        "quality": quality,
        "error": None,
        **built,
    }
