"""res_web's Fit Check frontend as it behaves, rewritten in Python for the tests.

bassnp/res_web's React hook (`hooks/use-fit-check.js`) posts `{query, include_thoughts,
model_id, config_type, session_id}` with an `X-Session-ID` header (a fresh uuid4 per submit),
reads the stream with its own SSE line parser, and folds events into page state; the page reads
`phase_complete.summary` through regular expressions (`lib/phaseInsights.js`), renders `data`
fields directly, and splits the streamed markdown into title, strengths and growth areas
(`lib/parseAIResponse.js`). This module does the same, step for step, so a test fails where the
real page would break. None of their code is copied; the behaviour is.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

STREAM = "/api/fit-check/stream"
PAGE_ORIGIN = "http://localhost:3003"  # res_web's dev setup: the page on :3003, the API on :8000
PHASE_ORDER = (
    "connecting",
    "deep_research",
    "research_reranker",
    "content_enrich",
    "skeptical_comparison",
    "skills_matching",
    "confidence_reranker",
    "generate_results",
)
DATA_QUALITY_BADGES = {"CLEAN", "PARTIAL", "SPARSE", "UNRELIABLE", "GARBAGE"}


# -- the stream -------------------------------------------------------------------------------
@dataclass
class PhaseEntry:
    phase: str
    message: str
    summary: str | None = None
    data: dict[str, Any] | None = None
    status: str = "active"


@dataclass
class PageState:
    """The hook's state after a stream, plus the raw events it saw (for the tests)."""

    session_id: str
    http_status: int = 0
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    status: str = "connecting"
    status_message: str = ""
    statuses: list[str] = field(default_factory=list)
    thoughts: list[dict[str, Any]] = field(default_factory=list)
    response: str = ""
    error: dict[str, Any] | None = None
    duration_ms: int | None = None
    current_phase: str | None = None
    phase_history: list[PhaseEntry] = field(default_factory=list)
    unknown_events: list[str] = field(default_factory=list)
    raw: str = ""  # the bytes the page received, as text

    def completed(self, phase: str) -> PhaseEntry:
        return next(e for e in self.phase_history if e.phase == phase and e.status == "complete")


def map_status(backend_status: str) -> str:
    """The hook's mapStatusToState: anything unknown counts as 'thinking'."""
    return {
        "connecting": "connecting",
        "researching": "thinking",
        "analyzing": "thinking",
        "generating": "responding",
    }.get(backend_status, "thinking")


def parse_sse_buffer(buffer: str) -> tuple[list[tuple[str, Any]], str]:
    """The hook's line parser: `event:` and `data:` lines, a blank line ends an event; an
    unfinished event is kept from its last `event:` line for the next chunk."""
    events: list[tuple[str, Any]] = []
    kind: str | None = None
    data: str | None = None
    for line in buffer.split("\n"):
        if line == "":
            if kind and data:
                try:
                    events.append((kind, json.loads(data)))
                except json.JSONDecodeError:
                    pass  # the hook logs a warning and drops the event
            kind, data = None, None
        elif line.startswith("event:"):
            kind = line[6:].strip()
        elif line.startswith("data:"):
            data = line[5:].strip()
    remaining = ""
    if kind or data:
        start = buffer.rfind("event:")
        if start != -1:
            remaining = buffer[start:]
    return events, remaining


def process_event(state: PageState, kind: str, data: dict[str, Any]) -> None:
    if kind == "phase":
        state.current_phase = data["phase"]
        state.status_message = data["message"]
        state.phase_history.append(PhaseEntry(data["phase"], data["message"]))
    elif kind == "phase_complete":
        for entry in state.phase_history:
            if entry.phase == data["phase"] and entry.status == "active":
                entry.summary = data["summary"]
                entry.data = data.get("data") or None
                entry.status = "complete"
    elif kind == "status":
        state.statuses.append(data["status"])
        state.status = map_status(data["status"])
        state.status_message = data["message"]
    elif kind == "thought":
        state.status = "thinking"
        state.thoughts.append({**data, "phase": data.get("phase") or state.current_phase})
    elif kind == "response":
        state.status = "responding"
        state.response += data["chunk"]
    elif kind == "complete":
        state.status = "complete"
        state.duration_ms = data.get("duration_ms")
    elif kind == "error":
        state.status = "error"
        state.error = {"code": data["code"], "message": data["message"]}
    else:
        state.unknown_events.append(kind)  # the hook warns and ignores it (e.g. `result`)


async def submit_query(
    client: httpx.AsyncClient,
    query: str,
    *,
    model_id: str = "gemini-2.0-flash",
    config_type: str = "reasoning",
) -> PageState:
    """One submit, as the hook makes it: a new uuid4, the same id in body and header."""
    session_id = str(uuid.uuid4())
    state = PageState(session_id)
    headers = {
        "Content-Type": "application/json",
        "Accept": "text/event-stream",
        "X-Session-ID": session_id,
        "Origin": PAGE_ORIGIN,
    }
    body = {
        "query": query,
        "include_thoughts": True,
        "model_id": model_id,
        "config_type": config_type,
        "session_id": session_id,
    }
    async with client.stream("POST", STREAM, headers=headers, json=body) as response:
        state.http_status, state.headers = response.status_code, response.headers
        if response.status_code >= 400:
            await response.aread()
            try:
                detail = response.json().get("detail")
            except ValueError:
                detail = None
            message = detail or f"HTTP {response.status_code}: Request failed"
            state.status, state.error = "error", {"code": "CONNECTION_ERROR", "message": message}
            return state
        buffer = ""
        async for chunk in response.aiter_text():
            state.raw += chunk
            buffer += chunk
            events, buffer = parse_sse_buffer(buffer)
            for kind, data in events:
                process_event(state, kind, data)
    return state


def final_confidence(state: PageState) -> dict[str, Any] | None:
    """The hook's finalConfidence: read from confidence_reranker's data."""
    entry = next(
        (e for e in state.phase_history if e.phase == "confidence_reranker" and e.data), None
    )
    if entry is None or entry.data is None:
        return None
    return {
        "score": entry.data["calibrated_score"],
        "tier": entry.data["tier"],
        "flags": entry.data.get("quality_flags") or [],
        "adjustment": entry.data.get("adjustment_rationale"),
    }


# -- the badges: what the page reads out of each summary -------------------------------------
def _int(pattern: str, text: str) -> int | None:
    match = re.search(pattern, text, re.IGNORECASE)
    return int(match.group(1)) if match else None


def research_insights(summary: str) -> dict[str, int | None]:
    return {
        "tech_count": _int(r"(\d+)\s*technolog", summary),
        "requirements_count": _int(r"(\d+)\s*requirement", summary),
        "culture_count": _int(r"(\d+)\s*culture", summary),
    }


def reranker_insights(summary: str) -> dict[str, Any]:
    """Pipe-separated `Key: value` pairs."""
    insights: dict[str, Any] = {}
    for part in summary.split("|"):
        key, _, value = (p.strip() for p in part.partition(":"))
        if not key or not value:
            continue
        if key.lower() == "data":
            insights["data_level"] = value
        elif key.lower() == "quality":
            insights["quality_tier"] = value
        elif key.lower() == "confidence":
            insights["confidence"] = _int(r"(\d+)", value)
        elif key.lower() == "action":
            insights["action"] = value
    return insights


def enrich_insights(summary: str) -> dict[str, Any]:
    match = re.search(r"Enriched\s+(\d+)\s*/\s*(\d+)", summary, re.IGNORECASE)
    return {
        "skipped": "skipped" in summary.lower(),
        "enriched": (int(match.group(1)), int(match.group(2))) if match else None,
        "size": bool(re.search(r"\((\d+(?:\.\d+)?)\s*(?:KB|MB)\)", summary, re.IGNORECASE)),
    }


def skeptical_insights(summary: str) -> dict[str, Any]:
    lowered = summary.lower()
    risk = next((r for r in ("critical", "high", "medium", "low") if r in lowered), None)
    return {"gap_count": _int(r"(\d+)\s*gap", summary), "risk_level": risk}


def skills_insights(summary: str) -> dict[str, int | None]:
    return {
        "match_score": _int(r"(\d+)%", summary),
        "matched_count": _int(r"(\d+)\s*matched", summary),
        "gap_count": _int(r"(\d+)\s*gap", summary),
    }


def confidence_insights(summary: str) -> dict[str, Any]:
    tier = re.search(r"\((HIGH|MEDIUM|LOW|INSUFFICIENT_DATA)\)", summary, re.IGNORECASE)
    return {
        "calibrated_score": _int(r"(\d+)%", summary),
        "tier": tier.group(1).upper() if tier else None,
    }


# -- the result cards: the answer's markdown, split the way the page splits it ----------------
STRENGTH_WORDS = ("alignment", "strength", "bring", "value", "skill", "match", "fit")
GROWTH_WORDS = ("growth", "area", "develop", "opportunity", "learn", "improve", "curve")
GROWTH_WORDS += ("address", "gap")
PLAIN_HEADERS = re.compile(
    r"^(Key Strengths|Growth Opportunities|Growth Areas|What I Bring|Where I Align|"
    r"The Learning Curve)$",
    re.IGNORECASE,
)


@dataclass
class ParsedAnswer:
    title: str = ""
    value_proposition: str = ""
    strengths: list[str] = field(default_factory=list)
    growth_areas: list[str] = field(default_factory=list)
    calibrated_score: int | None = None
    confidence_tier: str | None = None
    has_fundamental_mismatch: bool = False


def section_type(name: str) -> str:
    """Strength words win, then growth words; anything else is filed under strengths."""
    if any(word in name for word in STRENGTH_WORDS):
        return "strengths"
    if any(word in name for word in GROWTH_WORDS):
        return "growth_areas"
    return "value_proposition" if "what i" in name else "strengths"


def parse_answer(raw: str) -> ParsedAnswer:
    parsed = ParsedAnswer()
    lowered = raw.lower()
    parsed.has_fundamental_mismatch = any(
        phrase in lowered
        for phrase in ("fundamental mismatch", "primarily requires", "significant misalignment")
    )
    score_tier = re.search(r"(\d+)%\s*(?:confidence)?\s*\((\w+)\)", raw, re.IGNORECASE)
    if score_tier:
        parsed.calibrated_score = int(score_tier.group(1))
        parsed.confidence_tier = score_tier.group(2).upper()
    section: str | None = None
    content: list[str] = []
    found_first = False

    def save() -> None:
        if section == "strengths":
            parsed.strengths.extend(content)
        elif section == "growth_areas":
            parsed.growth_areas.extend(content)
        elif section == "value_proposition" and content:
            parsed.value_proposition = " ".join(content)

    for line in (raw_line.strip() for raw_line in raw.split("\n")):
        if not line:
            continue
        if line.startswith("###"):  # any line starting so (#### too) replaces the title
            parsed.title = re.sub(r"^###\s*", "", line).strip()
            continue
        header = re.match(r"^##\s+(.+)$", line) or re.match(r"^\*\*(.+?)\*\*:?\s*$", line)
        with_text = re.match(r"^\*\*(.+?):\*\*\s*(.+)$", line)
        plain = PLAIN_HEADERS.match(line)
        if header or with_text or plain:
            save()
            match = header or with_text or plain
            assert match is not None
            section, content, found_first = section_type(match.group(1).lower()), [], True
            if with_text and not header:
                content.append(with_text.group(2).strip())
            continue
        if line.startswith(("- ", "• ", "* ")) or re.match(r"^\d+\.\s", line):
            content.append(re.sub(r"^\d+\.\s*", "", re.sub(r"^[-•*]\s*", "", line)).strip())
            continue
        if section:
            content.append(line)
        elif not found_first and len(line) > 20:
            parsed.value_proposition = f"{parsed.value_proposition} {line}".strip()
    save()
    parsed.strengths = [s for s in parsed.strengths if s][:6]
    parsed.growth_areas = [g for g in parsed.growth_areas if g][:4]
    return parsed
