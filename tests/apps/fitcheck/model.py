"""A scripted stand-in for a model that reads job descriptions, for Fit Check's model tests.

It answers booth's three kinds of model call the way a model would, from what the call shows:
a `JobReading` of the posting (the reading a test scripts), a `SkepticalView` built from the
matches booth put in the data block, and a streamed write-up of the analysis block. Every
`CANARY-…` word a call contains is echoed back (as an unknown skill, in the wording, in the
write-up), so isolation tests can see where a user's words went.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import Any

from tests.support.openai_server import ChatCall

CANARY = re.compile(r"CANARY-[A-Za-z0-9]+")
DATA_BLOCK = re.compile(r'<data kind="(?P<kind>[^"]+)">\n(?P<body>.*?)\n</data>', re.S)


def blocks(call: ChatCall) -> dict[str, str]:
    """The data blocks of the call's last user message, unescaped."""
    return {m["kind"]: html.unescape(m["body"]) for m in DATA_BLOCK.finditer(call.last_user_text)}


def reading(**overrides: Any) -> dict[str, Any]:
    """A complete JobReading (every key, as strict mode requires)."""
    base: dict[str, Any] = {
        "employer": None,
        "job_title": None,
        "seniority": None,
        "min_years": None,
        "degree": None,
        "people_management": False,
        "languages": [],
        "travel_percent": None,
        "skills": [],
        "competencies": [],
        "domains": [],
    }
    return {**base, **overrides}


@dataclass
class FitCheckModel:
    """Call it as a responder: `OpenAIServer(FitCheckModel(job_reading=reading(...)))`."""

    job_reading: dict[str, Any] = field(default_factory=reading)

    def __call__(self, call: ChatCall) -> str:
        canaries = sorted(set(CANARY.findall(call.text)))
        if call.schema_name == "JobReading":
            answer = dict(self.job_reading)
            echoed = [{"names": [c], "importance": "required"} for c in canaries]
            answer["skills"] = list(answer["skills"]) + echoed
            return json.dumps(answer)
        if call.schema_name == "SkepticalView":
            return json.dumps(self.view(json.loads(blocks(call)["matches"]), canaries))
        return self.write_up(json.loads(blocks(call).get("analysis", "{}")), canaries)

    def view(self, matches: list[dict[str, Any]], canaries: list[str]) -> dict[str, Any]:
        met = [m for m in matches if m["status"] != "unmatched"]
        unmet = [m for m in matches if m["status"] != "matched"]
        suffix = f" ({' '.join(canaries)})" if canaries else ""
        return {
            "strengths": [
                {
                    "requirement_id": m["requirement_id"],
                    "text": f"Proven: {m['requirement']}{suffix}",
                }
                for m in met[:4]
            ],
            "gaps": [
                {
                    "requirement_id": m["requirement_id"],
                    "gap": f"Missing {m['requirement']}",
                    "bridge": "Build a small project with it",
                    "ramp_up": "2-3 months",
                }
                for m in unmet[:3]
            ],
        }

    def write_up(self, analysis: dict[str, Any], canaries: list[str]) -> str:
        lines = ["#### Key Strengths"]
        lines += [f"- {s}" for s in analysis.get("strengths", [])]
        lines += ["", "#### Growth Opportunities"]
        lines += [f"- {g['gap']} (ramp-up: {g['ramp_up']})" for g in analysis.get("gaps", [])]
        if canaries:
            lines += ["", "Seen: " + " ".join(canaries)]
        return "\n".join(lines) + "\n"
