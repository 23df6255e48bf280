"""deep_research on the live web: the offline sources, plus pages a search engine finds.

The offline phase runs first (knowledge base, the user's notes, a pasted job description).
When a search provider is configured and the query names an employer, booth builds a search
query from what it understood (employer, role) - never the user's raw text - and adds the pages
it fetched as `web_page` sources, cited in the answer. With a model, it also summarises them.
A failed search leaves the offline sources and says `status: degraded` naming the upstream.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from booth.apps.fitcheck.llm_phases import degrade, flag_run, system_prompt
from booth.apps.fitcheck.models import Analysis, Classification, Source
from booth.apps.fitcheck.phases import DeepResearch, PhaseOutcome, Resources
from booth.apps.fitcheck.research import merge
from booth.core.runs import RunContext
from booth.llm import LLMError, LLMProvider, conversation
from booth.providers.pages import Page
from booth.providers.search import SearchUnavailable
from booth.providers.web import WebResearcher

SUMMARY_CHARS = 4_000  # of each page, shown to the model for the summary


class ResearchSummary(BaseModel):
    """What the pages say about the employer (the model's research summary)."""

    summary: str = Field(max_length=1200)
    industry: str | None = Field(max_length=80)
    tech_stack: list[str] = Field(max_length=20)


def web_query(classification: Classification) -> str | None:
    """The search booth runs: employer and role it understood, or None (nothing to search)."""
    if not classification.company_name:
        return None
    role = classification.job_title or "software engineer"
    return f"{classification.company_name} {role} jobs engineering tech stack"


def page_source(page: Page, index: int, query: str) -> Source:
    return Source(
        id=f"web:{index}",
        kind="web_page",
        title=page.title,
        found_by=query,
        text=page.text,
        url=page.url,
    )


class WebDeepResearch:
    name = "deep_research"

    def __init__(
        self, resources: Resources, web: WebResearcher, llm: LLMProvider | None = None
    ) -> None:
        self.offline = DeepResearch(resources)
        self.web = web
        self.llm = llm

    def message(self, state: Analysis) -> str:
        return self.offline.message(state)

    async def run(self, ctx: RunContext, state: Analysis) -> PhaseOutcome:
        outcome = await self.offline.run(ctx, state)
        assert state.classification is not None
        query = web_query(state.classification)
        if query is None or any(s.kind == "web_page" for s in state.sources):
            return outcome
        await ctx.thought("tool_call", self.name, tool="web.search", input={"query": query})
        try:
            pages = await self.web.research(query)
        except SearchUnavailable as error:
            flag_run(state, "web_search_unavailable")
            message = f"Web search is unavailable ({error.reason}); using offline sources."
            await degrade(ctx, state, error.upstream, message)
            await ctx.thought("observation", self.name, message)
            return outcome
        found = [page_source(p, i, query) for i, p in enumerate(pages, start=1)]
        state.sources = merge(state.sources, found)
        if found:
            flag_run(state, "web_research")
        for source in found:
            await ctx.thought("observation", self.name, f"Read {source.title} ({source.url}).")
        outcome.data["sources"] = [s.title for s in state.sources]
        outcome.data["web_pages"] = [s.url for s in found]
        if found and self.llm is not None:
            summary = await self._summarise(ctx, state, found)
            if summary is not None:
                outcome.data["web_summary"] = summary.summary
        return outcome

    async def _summarise(
        self, ctx: RunContext, state: Analysis, sources: list[Source]
    ) -> ResearchSummary | None:
        assert self.llm is not None
        blocks = {f"web_page {s.id}": (s.text or "")[:SUMMARY_CHARS] for s in sources}
        task = (
            "Summarise what these pages say about the employer: industry, the technologies "
            "its engineers use, and what it looks for. Use only the pages."
        )
        try:
            summary = await self.llm.structured(
                ResearchSummary,
                conversation(system_prompt(self.name), task, blocks),
                model=state.model_id,
            )
        except LLMError as error:
            flag_run(state, f"llm_fallback:{self.name}")
            await degrade(ctx, state, error.upstream, f"The model is unavailable ({error.reason}).")
            return None
        await ctx.thought("reasoning", self.name, f"From the web: {summary.summary}")
        return summary
