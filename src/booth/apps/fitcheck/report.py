"""The answer: the markdown the user reads and the `result` event a client renders.

The markdown is the seed's - `### <Role/Company> Fit Analysis`, a summary with `NN% (TIER)`,
then `**Key Strengths**` and `**Growth Opportunities**` with `-` items - so clients that parse it
(res_web's frontend) keep working. `config_type: standard` gives the concise form; `reasoning`
(the default) adds the confidence notes and the sources it cites. The requirement audit and
transferable skills are structured data in the `result` event.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

from booth.apps.fitcheck.models import Analysis, Gap, Source, Tally
from booth.apps.fitcheck.profile import Candidate
from booth.apps.fitcheck.research import HIGH_QUALITY, MEDIUM_QUALITY, MIN_QUALITY
from booth.apps.fitcheck.wording import band, span

# The seed's bold section headers: res_web files a section under strengths or growth areas by
# the words in its header ("strength"; "growth", "gap", "address" ...).
STRENGTHS_SECTION = "Key Strengths"
GAPS_SECTION = "Growth Opportunities"
INSUFFICIENT_SECTION = "Data Gaps to Address"

REJECTION_TEXT = {
    "injection": "That message reads like an attempt to change how I work, so I have not run an "
    "analysis.",
    "harmful": "I can't help with that request.",
    "off_topic": "That doesn't look like a question about an employer or a job.",
}
# A source's 0-1 quality in words, at the research judge's own thresholds.
SOURCE_TRUST = (
    (HIGH_QUALITY[0], "strong source"),
    (MEDIUM_QUALITY[0], "good source"),
    (MIN_QUALITY, "usable source"),
)
WEAK_SOURCE = "weak source"
HOW_TO_ASK = (
    "I compare a candidate profile with an employer. Ask me about a company "
    '(for example *"Stripe"* or *"What does Cloudflare look for in engineers?"*), '
    "or paste a job description."
)


def heading(state: Analysis) -> str:
    """`<Role> at <Company>`, or whichever of the two is known."""
    c = state.classification
    company = (state.context.company if state.context else None) or (c.company_name if c else None)
    role = c.job_title if c else None
    text = f"{role} at {company}" if company and role else company or role or "Role"
    return " ".join(text.split())  # one line: the title is the answer's only `###` line


def render_rejection(state: Analysis) -> str:
    reason = state.classification.rejection if state.classification else "off_topic"
    text = REJECTION_TEXT.get(reason or "", REJECTION_TEXT["off_topic"])
    return f"### Fit Analysis Not Run\n\n{text}\n\n{HOW_TO_ASK}\n"


def render_insufficient(state: Analysis) -> str:
    c = state.classification
    who = (c.company_name if c else None) or "this role"
    lines = [
        f"### {heading(state)} Fit Analysis",
        "",
        f"Fit score: 0% (INSUFFICIENT_DATA) - I found too little about {who} to compare with "
        "the profile, so I am not giving a score rather than guessing one.",
        "",
        f"I searched the bundled company knowledge base and your notes in {state.attempt} "
        "attempts, each broader than the last.",
        "",
        f"**{INSUFFICIENT_SECTION}**",
        "- **Job description**: paste it; the requirements it lists are the best source.",
        "- **Employer notes**: add a markdown note about the employer (stack, requirements, "
        "culture) to your notes folder (`BOOTH_FITCHECK_KNOWLEDGE`).",
    ]
    if c and c.company_name and c.query_type == "company":
        lines.append("- **Spelling**: check the spelling of the company name.")
    return "\n".join(lines) + "\n"


def trust(source: Source) -> str:
    """How far a source can be trusted, in words ("strong source"), not its score."""
    return next((words for floor, words in SOURCE_TRUST if source.quality >= floor), WEAK_SOURCE)


def _gap_line(gap: Gap) -> str:
    bridge = gap.bridge.strip().rstrip(".")
    return f"- **{gap.gap}**: {bridge}. Ramp-up: {gap.ramp_up}."


def render_analysis(state: Analysis, candidate: Candidate) -> str:
    """The seed's answer: one `###` title, a summary with `NN% (TIER)`, then bold sections.

    res_web's frontend parses exactly this shape (bold headers, `-` list items) and the answer
    ends after Growth Opportunities, as the seed's prompt requires; the requirement audit and
    the sources are in the `result` event. `reasoning` adds the confidence notes and the sources to
    the summary, before the first section.
    """
    assert state.verdict and state.comparison and state.context
    verdict, comparison = state.verdict, state.comparison
    tally = tally_of(state)
    growth = (
        " Every requirement is met; the growth opportunities are areas to deepen, not gaps."
        if tally.growth_areas and not tally.requirement_gaps
        else ""
    )
    lines = [
        f"### {heading(state)} Fit Analysis",
        "",
        f"Fit score: {verdict.score}% ({verdict.tier}) - {candidate.profile.name} "
        f"({band(candidate.seniority)}, {span(candidate.years)} of experience) "
        f"{tally.sentence()}; risk is "
        f"{comparison.risk}.{growth}",
    ]
    if comparison.domain_mismatches:
        lines += [
            "",
            f"The main concern is a fundamental mismatch: "
            f"{', '.join(comparison.domain_mismatches)} is not in the profile.",
        ]
    if state.detailed:
        notes = [*verdict.rationale]
        if comparison.seniority_note:
            notes.append(comparison.seniority_note)
        lines += ["", "Confidence: " + " ".join(notes)]
        cited = "; ".join(f"{s.title} ({trust(s)})" for s in state.sources)
        lines += ["", f"Sources: {cited}."]
    lines += ["", f"**{STRENGTHS_SECTION}**"]
    lines += [f"- {s}" for s in comparison.strengths] or ["- No requirement is clearly met yet."]
    lines += ["", f"**{GAPS_SECTION}**"]
    lines += [_gap_line(g) for g in comparison.gaps]
    return "\n".join(lines) + "\n"


def tally_of(state: Analysis) -> Tally:
    """The run's one set of numbers (computed by the phases; derived here if a replaced
    phase left it unset)."""
    if state.tally is not None:
        return state.tally
    return Tally.of(state.assessments, state.comparison.gaps if state.comparison else None)


HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?P<title>.+?)\s*#*\s*$")


def seed_line(line: str) -> str:
    """A heading line as the seed's bold section header (`#### Key Strengths` -> bold).

    The answer has exactly one `###` line, its title; res_web's page takes every line that
    starts with `###` as the title, so a model's own headings are rewritten.
    """
    match = HEADING.match(line)
    if match is None:
        return line
    ending = "\n" if line.endswith("\n") else ""
    return f"**{match.group('title').strip('*').strip()}**{ending}"


class SeedMarkdown:
    """Rewrites headings in streamed text as it passes; everything else flows through at once.

    Only a line that starts with `#` is held back until its end, so words still stream.
    """

    def __init__(self) -> None:
        self.at_line_start = True
        self.held = ""

    def feed(self, chunk: str) -> str:
        text, self.held, out = self.held + chunk, "", []
        while text:
            if self.at_line_start:
                if not text.lstrip(" "):  # only indentation so far: undecided
                    self.held = text
                    break
                if text.lstrip(" ").startswith("#"):
                    end = text.find("\n")
                    if end < 0:
                        self.held = text
                        break
                    out.append(seed_line(text[: end + 1]))
                    text = text[end + 1 :]
                    continue
                self.at_line_start = False
            end = text.find("\n")
            if end < 0:
                out.append(text)
                break
            out.append(text[: end + 1])
            text = text[end + 1 :]
            self.at_line_start = True
        return "".join(out)

    def close(self) -> str:
        held, self.held = self.held, ""
        return seed_line(held) if held else ""


async def seed_markdown(chunks: AsyncIterator[str]) -> AsyncIterator[str]:
    """Stream text (a model's write-up) with its headings in the seed's form."""
    rewriter = SeedMarkdown()
    async for chunk in chunks:
        if out := rewriter.feed(chunk):
            yield out
    if rest := rewriter.close():
        yield rest


def chunks(markdown: str, size: int = 400) -> list[str]:
    """The answer cut into stream chunks at line ends, each at most about `size` characters."""
    out: list[str] = []
    current = ""
    for line in markdown.splitlines(keepends=True):
        if current and len(current) + len(line) > size:
            out.append(current)
            current = ""
        current += line
    if current:
        out.append(current)
    return out


def result_payload(state: Analysis) -> dict:
    """The `result` event: the contract's fields first, then context a client may show."""
    c = state.classification
    base = {
        "query_type": c.query_type if c else None,
        "company": (state.context.company if state.context else None)
        or (c.company_name if c else None),
        "role": c.job_title if c else None,
        "config_type": state.config_type,
        "model_id": state.model_id,
        "engine": state.engine,
    }
    # No analysis: no score, nothing matched, and the flags say why.
    unscored = {
        "score": 0,
        "tier": "INSUFFICIENT_DATA",
        "strengths": [],
        "gaps": [],
        "matched": [],
        "unmatched": [],
    }
    if c is not None and c.rejection:
        return {
            **unscored,
            "sources": [],
            "flags": ["rejected", f"rejected:{c.rejection}"],
            "rejected": True,
            "reason": c.reason,
            **base,
        }
    if state.insufficient or state.verdict is None or state.comparison is None:
        return {
            **unscored,
            "sources": [s.cite() for s in state.sources],
            "flags": ["insufficient_data", *state.flags],
            "data_quality": state.data_quality,
            "research_attempts": state.attempt,
            **base,
        }
    verdict, comparison = state.verdict, state.comparison
    return {
        "score": verdict.score,
        "tier": verdict.tier,
        "strengths": list(comparison.strengths),
        "gaps": [{**g.to_dict(), "requirement": g.requirement} for g in comparison.gaps],
        "counts": tally_of(state).model_dump(),
        "matched": [
            {
                "id": a.requirement.id,
                "kind": a.requirement.kind,
                "requirement": a.requirement.label,
                "status": a.status,
                "confidence": a.confidence,
                "evidence": list(a.evidence),
                **({"via": a.via} if a.via else {}),
                **({"quote": a.requirement.quote} if a.requirement.quote else {}),
            }
            for a in state.assessments
            if a.status != "unmatched"
        ],
        "unmatched": [
            {
                "id": a.requirement.id,
                "kind": a.requirement.kind,
                "requirement": a.requirement.label,
                "confidence": a.confidence,
                "ramp_up": a.ramp_up,
                "bridge": a.bridge,
                **({"quote": a.requirement.quote} if a.requirement.quote else {}),
            }
            for a in state.assessments
            if a.status == "unmatched"
        ],
        "sources": [s.cite() for s in state.sources],
        "flags": list(verdict.flags),
        "raw_score": verdict.raw_score,
        "risk": comparison.risk,
        "transferable": list(comparison.transferable),
        "confidence_notes": [*verdict.rationale, *filter(None, [comparison.seniority_note])],
        "culture": list(state.context.culture) if state.context else [],
        "data_quality": state.data_quality,
        "research_attempts": state.attempt,
        **base,
    }


def turn_summary(state: Analysis) -> str:
    """A short, redacted description of the query for the session's history (no raw text)."""
    c = state.classification
    if c is None or state.rejected:
        return f"rejected query ({c.rejection if c else 'unknown'})"
    if c.query_type == "job_description":
        what = c.job_title or "a role"
        return f"job description: {what}" + (f" at {c.company_name}" if c.company_name else "")
    return " — ".join(x for x in (c.company_name, c.job_title) if x) or "company query"
