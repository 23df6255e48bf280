"""Offline research: finding sources about the employer, and judging whether they are enough.

Each attempt searches wider than the one before: the exact name first, then spelling variants
and partial names, then loose matches in the user's notes. The reranker scores what was found;
too little after the last attempt means INSUFFICIENT_DATA rather than a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from booth.apps.fitcheck.conditions import condition_signals
from booth.apps.fitcheck.knowledge import Company, KnowledgeBase, Note
from booth.apps.fitcheck.models import (
    MAX_RESEARCH_ATTEMPTS,
    Classification,
    ResearchDecision,
    Source,
)
from booth.apps.fitcheck.ontology import Ontology
from booth.apps.fitcheck.reading import TextReading, read

# Data quality from the best source's score and the signals of all sources together.
MIN_SIGNALS = 3  # fewer and the research is INSUFFICIENT
MIN_QUALITY = 0.35
HIGH_QUALITY = (0.8, 8)  # (best source score, total signals)
MEDIUM_QUALITY = (0.6, 5)
STRATEGIES = {1: "exact name", 2: "spelling variants and partial names", 3: "loose matches"}


@dataclass(frozen=True)
class Search:
    """One attempt's plan: which strategy and which queries."""

    attempt: int
    strategy: str
    queries: tuple[str, ...]


def plan_search(
    classification: Classification, attempt: int, generic_words: frozenset[str]
) -> Search:
    """The queries for an attempt, broader each time (`generic_words`: "Labs", "Group" …)."""
    name = classification.company_name or ""
    title = classification.job_title or ""
    if attempt == 1:
        queries = [q for q in (name,) if q]
    elif attempt == 2:
        core = " ".join(w for w in name.split() if w.lower() not in generic_words)
        queries = [q for q in dict.fromkeys([name, core]) if q]
    else:
        tokens = [w for w in re.findall(r"[A-Za-z0-9]+", name) if len(w) >= 4]
        queries = [t for t in tokens if t.lower() not in generic_words]
        queries += [title] if title else []
        queries += list(classification.extracted_skills[:3])
    if classification.query_type == "job_description":
        queries.append("job description text")
    return Search(attempt, STRATEGIES[min(attempt, 3)], tuple(dict.fromkeys(queries)))


def _kb_source(company: Company, found_by: str, ratio: float) -> Source:
    return Source(
        id=f"kb:{company.key}",
        kind="knowledge_base",
        title=f"{company.name} (booth company knowledge base)",
        found_by=found_by,
        company=company,
        match_ratio=ratio,
    )


def _note_source(note: Note, found_by: str) -> Source:
    return Source(
        id=f"note:{note.path}",
        kind="user_note",
        title=f"Your note: {note.title}",
        found_by=found_by,
        note=note,
        text=note.text,
    )


def gather(
    classification: Classification,
    search: Search,
    query: str,
    kb: KnowledgeBase,
    notes: list[Note],
) -> list[Source]:
    """The sources one attempt finds."""
    found: list[Source] = []
    name = classification.company_name
    if classification.query_type == "job_description":
        found.append(
            Source(
                id="jd:query",
                kind="job_description",
                title="The job description you provided",
                found_by="query",
                text=query,
            )
        )
    if name:
        if search.attempt == 1:
            company = classification.known_company or kb.get(name)
            if company:
                found.append(_kb_source(company, name, 1.0))
            found += [_note_source(n, name) for n in notes if n.mentions(name)]
        elif search.attempt == 2:
            for q in search.queries:
                exact = kb.get(q)
                if exact:
                    found.append(_kb_source(exact, q, 0.95))
                for company, ratio in kb.close_matches(q, cutoff=0.8):
                    found.append(_kb_source(company, q, ratio))
                found += [_kb_source(c, q, 0.7) for c in kb.containing(q)]
                found += [_note_source(n, q) for n in notes if n.mentions(q)]
        else:
            for q in search.queries:
                for company, ratio in kb.close_matches(q, cutoff=0.86):
                    found.append(_kb_source(company, q, ratio * 0.9))
                found += [_note_source(n, q) for n in notes if n.mentions(q)]
    elif search.attempt > 1:
        for q in search.queries:
            found += [_note_source(n, q) for n in notes if q and n.mentions(q)]
    return found


def merge(existing: list[Source], new: list[Source]) -> list[Source]:
    """Sources of all attempts so far, each once (the best match kept)."""
    by_id = {s.id: s for s in existing}
    for source in new:
        kept = by_id.get(source.id)
        if kept is None or source.match_ratio > kept.match_ratio:
            by_id[source.id] = source
    return list(by_id.values())


# -- reranking ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Judgement:
    sources: list[Source]  # scored, best first
    data_quality: str  # HIGH | MEDIUM | LOW | INSUFFICIENT
    signals: int
    decision: ResearchDecision
    reasons: tuple[str, ...]


def signals_of(
    source: Source, ontology: Ontology, readings: dict[str, TextReading] | None = None
) -> int:
    """How many usable requirement signals a source carries (skills, requirements, domains)."""
    if source.company is not None:
        c = source.company
        return len(c.tech_stack) + len(c.requirements) + min(2, len(c.domains))
    text = source.text or ""
    reading = read(text, ontology, readings)
    role = 1 if ontology.role_family(text) else 0
    found = len(reading.skills) + len(reading.competencies) + len(reading.domains) + role
    return found + condition_signals(reading.posting)


def score_source(source: Source, signals: int) -> float:
    """A 0-1 quality score: how trustworthy and how specific a source is."""
    if source.kind == "knowledge_base":
        base = 0.85 * source.match_ratio
    elif source.kind == "job_description":
        base = 0.55 + 0.05 * min(signals, 7)
    else:
        base = 0.45 + 0.05 * min(signals, 7)
    if signals < 2:
        base *= 0.5
    return round(min(base, 0.95), 2)


def judge(
    sources: list[Source],
    attempt: int,
    ontology: Ontology,
    readings: dict[str, TextReading] | None = None,
) -> Judgement:
    """Score sources, judge data quality, and decide: accept, retry broader, or give up.

    `readings`: the run's (Analysis.readings), so each text is read once per run."""
    scored = []
    total = 0
    reasons: list[str] = []
    for source in sources:
        signals = signals_of(source, ontology, readings)
        total += signals
        scored.append(replace(source, quality=score_source(source, signals)))
        reasons.append(f"{source.title}: {signals} requirement signals")
    # Fuzzy knowledge-base hits for different companies conflict: keep the closest one.
    kb_hits = sorted((s for s in scored if s.kind == "knowledge_base"), key=lambda s: -s.quality)
    if len(kb_hits) > 1:
        dropped = {s.id for s in kb_hits[1:]}
        scored = [s for s in scored if s.id not in dropped]
        kept = kb_hits[0].company
        reasons.append(
            f"kept the closest employer match, {kept.name if kept else kb_hits[0].title}"
        )
        total = sum(signals_of(s, ontology, readings) for s in scored)
    scored.sort(key=lambda s: -s.quality)
    best = scored[0].quality if scored else 0.0
    if not scored or total < MIN_SIGNALS or best < MIN_QUALITY:
        quality = "INSUFFICIENT"
    elif best >= HIGH_QUALITY[0] and total >= HIGH_QUALITY[1]:
        quality = "HIGH"
    elif best >= MEDIUM_QUALITY[0] and total >= MEDIUM_QUALITY[1]:
        quality = "MEDIUM"
    else:
        quality = "LOW"
    decision: ResearchDecision
    if quality != "INSUFFICIENT":
        decision = "accept"
    elif attempt < MAX_RESEARCH_ATTEMPTS:
        decision = "retry"
    else:
        decision = "insufficient"
    return Judgement(scored, quality, total, decision, tuple(reasons))
