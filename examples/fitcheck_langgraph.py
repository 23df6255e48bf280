"""The seed's eight-phase Fit Check, written as a LangGraph graph, served by booth:

    booth serve --app fitgraph=examples.fitcheck_langgraph:graph
    curl -N localhost:8000/api/agents/fitgraph/stream \\
         -H 'content-type: application/json' \\
         -d '{"input": {"query": "Senior Python engineer at Stripe"}}'

It is the graph the seed's Fit Check was - connecting → deep_research ⇄ research_reranker (up to
three research attempts) → content_enrich → skeptical_comparison → skills_matching →
confidence_reranker → generate_results, with early exits for rejected queries and too little
data - and each node runs booth's offline Fit Check phase of the same name (apps/fitcheck/
phases.py). Nodes talk to the stream the LangGraph way: `get_stream_writer()` for phases and
thoughts, an AI message for the answer; booth turns those into its events.

The working `Analysis` is per turn (an `UntrackedValue` channel, never checkpointed); what the
thread keeps is the conversation and one line per check, so a second query on the same session
sees the first (`checks`) and nobody else's.
"""

from __future__ import annotations

import asyncio
import operator
from functools import lru_cache
from typing import Annotated, Any

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langgraph.channels.untracked_value import UntrackedValue
from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph, add_messages
from langgraph.types import StreamWriter
from typing_extensions import TypedDict

from booth.apps.fitcheck import report
from booth.apps.fitcheck.models import MAX_RESEARCH_ATTEMPTS, Analysis
from booth.apps.fitcheck.phases import Phase, deterministic_phases
from booth.apps.fitcheck.service import load_resources
from booth.config import Settings


class FitState(TypedDict, total=False):
    query: str  # this turn's company name or job description
    analysis: Annotated[Analysis, UntrackedValue(Analysis)]  # this turn's working state
    messages: Annotated[list[AnyMessage], add_messages]  # the thread: queries and answers
    checks: Annotated[list[dict[str, Any]], operator.add]  # one line per finished check
    summary: str  # what the last node did (booth's phase_complete summary)
    details: dict[str, Any]  # the last node's findings
    result: dict[str, Any]  # the last check's structured result


@lru_cache(maxsize=1)
def phases() -> dict[str, Phase]:
    """booth's offline phases over the profile and notes the BOOTH_* settings name."""
    settings = Settings()
    return deterministic_phases(
        load_resources(settings.fitcheck_profile, settings.fitcheck_knowledge)
    )


class WriterRun:
    """What a booth phase reports through (the part of `RunContext` phases use), sent to the
    graph's stream.

    Thoughts go out as custom stream items; the answer's chunks are kept, for the AI message.
    """

    def __init__(self, write: StreamWriter) -> None:
        self.write = write
        self.answer: list[str] = []

    async def thought(
        self,
        type: str,
        phase: str,
        content: str | None = None,
        *,
        tool: str | None = None,
        input: Any = None,
    ) -> None:
        self.write({"type": type, "content": content, "tool": tool, "input": input})

    async def response(self, chunk: str) -> None:
        self.answer.append(chunk)

    async def checkpoint(self) -> None:
        await asyncio.sleep(0)


async def run_phase(name: str, analysis: Analysis) -> tuple[dict[str, Any], WriterRun]:
    """Run booth's phase `name` on this turn's analysis; its outcome as a state update."""
    write = get_stream_writer()
    phase = phases()[name]
    write({"phase": name, "message": phase.message(analysis)})
    run = WriterRun(write)
    outcome = await phase.run(run, analysis)  # type: ignore[arg-type]
    return {"summary": outcome.summary, "details": outcome.data}, run


async def connecting(state: FitState) -> FitState:
    analysis = Analysis(query=state["query"])
    update, _ = await run_phase("connecting", analysis)
    return {"analysis": analysis, "messages": [HumanMessage(state["query"])], **update}


async def deep_research(state: FitState) -> FitState:
    state["analysis"].attempt += 1
    return (await run_phase("deep_research", state["analysis"]))[0]


def node(name: str):
    """A node that runs booth's phase `name` on the turn's analysis."""

    async def run(state: FitState) -> FitState:
        return (await run_phase(name, state["analysis"]))[0]

    run.__name__ = name
    return run


async def generate_results(state: FitState) -> FitState:
    analysis = state["analysis"]
    update, run = await run_phase("generate_results", analysis)
    payload = report.result_payload(analysis)
    check = {"query": analysis.query, "score": payload["score"], "tier": payload["tier"]}
    answer = AIMessage("".join(run.answer))
    return {**update, "messages": [answer], "result": payload, "checks": [check]}


def after_connecting(state: FitState) -> str:
    return "generate_results" if state["analysis"].rejected else "deep_research"


def after_reranking(state: FitState) -> str:
    analysis = state["analysis"]
    if analysis.decision == "retry" and analysis.attempt < MAX_RESEARCH_ATTEMPTS:
        return "deep_research"
    return "generate_results" if analysis.insufficient else "content_enrich"


def build_graph():
    builder = StateGraph(FitState)
    builder.add_node("connecting", connecting)
    builder.add_node("deep_research", deep_research)
    for name in ("research_reranker", "content_enrich", "skeptical_comparison"):
        builder.add_node(name, node(name))
    for name in ("skills_matching", "confidence_reranker"):
        builder.add_node(name, node(name))
    builder.add_node("generate_results", generate_results)
    builder.add_edge(START, "connecting")
    builder.add_conditional_edges("connecting", after_connecting)
    builder.add_edge("deep_research", "research_reranker")
    builder.add_conditional_edges("research_reranker", after_reranking)
    builder.add_edge("content_enrich", "skeptical_comparison")
    builder.add_edge("skeptical_comparison", "skills_matching")
    builder.add_edge("skills_matching", "confidence_reranker")
    builder.add_edge("confidence_reranker", "generate_results")
    builder.add_edge("generate_results", END)
    return builder.compile(name="fitcheck")


graph = build_graph()
