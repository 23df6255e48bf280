"""The answer: the markdown the user reads and the `result` event a client renders.

The markdown keeps the seed's shape - `### <Role/Company> Fit Analysis`, a summary with
`NN% (TIER)`, Key Strengths, Growth Opportunities - so clients that parse it keep working.
`config_type: standard` gives the concise form; `reasoning` (the default) adds the requirement
audit, transferable skills, confidence notes and sources.
"""

from __future__ import annotations

from booth.apps.fitcheck.models import Analysis
from booth.apps.fitcheck.profile import Candidate

REJECTION_TEXT = {
    "injection": "That message reads like an attempt to change how I work, so I have not run an "
    "analysis.",
    "harmful": "I can't help with that request.",
    "off_topic": "That doesn't look like a question about an employer or a job.",
}
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
    if company and role:
        return f"{role} at {company}"
    return company or role or "Role"


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
        f"**Fit score: 0% (INSUFFICIENT_DATA)** — I found too little about {who} to compare "
        f"with the profile, so I am not giving a score rather than guessing one.",
        "",
        f"I searched the bundled company knowledge base and your notes in {state.attempt} "
        "attempts, each broader than the last.",
        "",
        "#### What would help",
        "- Paste the job description: the requirements it lists are the best source.",
        "- Or add a markdown note about the employer (stack, requirements, culture) to your "
        "notes folder (`BOOTH_FITCHECK_KNOWLEDGE`).",
    ]
    if c and c.company_name and c.query_type == "company":
        lines.append("- Check the spelling of the company name.")
    return "\n".join(lines) + "\n"


def render_analysis(state: Analysis, candidate: Candidate) -> str:
    assert state.verdict and state.comparison and state.context
    verdict, comparison, context = state.verdict, state.comparison, state.context
    matched = sum(1 for a in state.assessments if a.status == "matched")
    partial = sum(1 for a in state.assessments if a.status == "partial")
    total = len(state.assessments)
    target = heading(state)
    lines = [
        f"### {target} Fit Analysis",
        "",
        f"**Fit score: {verdict.score}% ({verdict.tier})** — {candidate.profile.name} "
        f"({candidate.seniority}, {candidate.years:g} years) meets {matched} of {total} "
        f"requirements{f' and partly meets {partial} more' if partial else ''}; risk is "
        f"{comparison.risk}.",
    ]
    if comparison.domain_mismatches:
        lines += [
            "",
            f"The main concern is a fundamental mismatch: "
            f"{', '.join(comparison.domain_mismatches)} is not in the profile.",
        ]
    lines += ["", "#### Key Strengths"]
    lines += [f"- {s}" for s in comparison.strengths] or ["- No requirement is clearly met yet."]
    lines += ["", "#### Growth Opportunities"]
    lines += [f"- **{g.gap}** — {g.bridge} *(ramp-up: {g.ramp_up})*" for g in comparison.gaps]
    if state.detailed:
        if comparison.transferable:
            lines += ["", "#### Transferable Skills"]
            lines += [f"- {t}" for t in comparison.transferable]
        lines += ["", "#### Requirement Match"]
        mark = {"matched": "✅", "partial": "🟡", "unmatched": "❌"}
        for a in state.assessments:
            detail = a.via or (a.evidence[0] if a.evidence else "no evidence in the profile")
            lines.append(
                f"- {mark[a.status]} {a.requirement.label} — "
                f"{round(a.confidence * 100)}% ({detail})"
            )
        lines += ["", "#### Confidence Notes"]
        lines += [f"- {r}" for r in verdict.rationale]
        if comparison.seniority_note:
            lines.append(f"- {comparison.seniority_note}")
        if context.culture:
            lines.append(f"- Culture signals: {', '.join(context.culture)}.")
        lines += ["", "#### Sources"]
        lines += [
            f"{i}. {s.title} (quality {s.quality:.2f})"
            for i, s in enumerate(state.sources, start=1)
        ]
    return "\n".join(lines) + "\n"


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
        "engine": "deterministic",
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
    if state.rejected:
        return {
            **unscored,
            "sources": [],
            "flags": ["rejected", f"rejected:{state.classified.rejection}"],
            "rejected": True,
            "reason": state.classified.reason,
            **base,
        }
    if state.insufficient or state.verdict is None:
        return {
            **unscored,
            "sources": [s.cite() for s in state.sources],
            "flags": ["insufficient_data", *state.flags],
            "data_quality": state.data_quality,
            "research_attempts": state.attempt,
            **base,
        }
    verdict, comparison = state.verdict, state.compared
    return {
        "score": verdict.score,
        "tier": verdict.tier,
        "strengths": list(comparison.strengths),
        "gaps": [g.to_dict() for g in comparison.gaps],
        "matched": [
            {
                "requirement": a.requirement.label,
                "status": a.status,
                "confidence": a.confidence,
                "evidence": list(a.evidence),
                **({"via": a.via} if a.via else {}),
            }
            for a in state.assessments
            if a.status != "unmatched"
        ],
        "unmatched": [
            {
                "requirement": a.requirement.label,
                "confidence": a.confidence,
                "ramp_up": a.ramp_up,
                "bridge": a.bridge,
            }
            for a in state.assessments
            if a.status == "unmatched"
        ],
        "sources": [s.cite() for s in state.sources],
        "flags": list(verdict.flags),
        "raw_score": verdict.raw_score,
        "risk": comparison.risk,
        "transferable": list(comparison.transferable),
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
