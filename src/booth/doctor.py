"""`booth doctor`: try each configured upstream once and say what works, and how to fix what not.

Each check makes the smallest real call its upstream allows: the model endpoint's model list and
one tiny structured call (booth needs JSON-schema outputs), one web search, one Last.fm lookup.
An upstream that is not configured is reported as offline, which is not a failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import httpx
from pydantic import BaseModel

from booth.config import Settings
from booth.core.resilience import CircuitBreaker
from booth.llm import LLMError, LLMInvalidOutput, LLMProvider, config_from_settings, conversation
from booth.providers.search import SearchUnavailable
from booth.providers.web import build_provider

Outcome = Literal["ok", "failed", "offline"]


@dataclass(frozen=True)
class Check:
    upstream: str
    outcome: Outcome
    detail: str
    fix: str = ""


class Ping(BaseModel):
    """The tiny structured answer the model check asks for."""

    ok: bool


def _model_fix(reason: str, settings: Settings, models: list[str]) -> str:
    if "connection" in reason or "timed out" in reason:
        return f"Is the server running at {settings.llm_base_url}? Check BOOTH_LLM_BASE_URL."
    if "401" in reason or "403" in reason:
        return "The endpoint refused the key: check BOOTH_LLM_API_KEY."
    if "404" in reason and models:
        return f"Set BOOTH_LLM_MODEL to one of: {', '.join(models[:8])}."
    if "circuit open" in reason:
        return "Too many failures in a row; retry in a moment."
    return "Check the endpoint's logs; booth needs chat completions with JSON-schema outputs."


async def check_model(settings: Settings) -> list[Check]:
    try:
        config = config_from_settings(settings)
    except ValueError as error:
        return [Check("model", "failed", "incomplete settings", str(error))]
    if config is None:
        return [Check("model", "offline", "BOOTH_LLM_BASE_URL is not set: offline engine")]
    provider = LLMProvider(config, CircuitBreaker("llm", failure_threshold=10))
    checks: list[Check] = []
    models: list[str] = []
    try:
        try:
            models = await provider.list_models()
            listed = config.default_model in models
            checks.append(
                Check(
                    "model list",
                    "ok",
                    f"{len(models)} model(s); {config.default_model} "
                    + ("listed" if listed else "not listed (some servers list only a few)"),
                )
            )
        except LLMError as error:
            fix = _model_fix(error.reason, settings, [])
            checks.append(Check("model list", "failed", error.reason, fix))
        try:
            ask = conversation("Answer the health check.", "Reply with ok = true.", {})
            await provider.structured(Ping, ask, model=config.default_model)
            checks.append(Check("model call", "ok", f"{config.default_model} answered in schema"))
        except LLMInvalidOutput:
            fix = "Use a model (or server) that supports response_format json_schema."
            checks.append(Check("model call", "failed", "the answer did not match the schema", fix))
        except LLMError as error:
            fix = _model_fix(error.reason, settings, models)
            checks.append(Check("model call", "failed", error.reason, fix))
    finally:
        await provider.close()
    return checks


async def check_search(settings: Settings) -> Check:
    if settings.search_provider is None:
        return Check("web search", "offline", "BOOTH_SEARCH_PROVIDER is not set: no web research")
    async with httpx.AsyncClient(timeout=settings.search_timeout) as http:
        try:
            provider = build_provider(settings, http, CircuitBreaker("search"))
        except ValueError as error:
            return Check("web search", "failed", "incomplete settings", str(error))
        assert provider is not None
        try:
            hits = await provider.search("booth doctor python", 3)
        except SearchUnavailable as error:
            if settings.search_provider == "google":
                fix = "Check BOOTH_GOOGLE_CSE_KEY / BOOTH_GOOGLE_CSE_ID (and the API is enabled)."
            else:
                fix = (
                    f"Is SearXNG at {settings.searxng_url} up, with `json` in search.formats "
                    "of its settings.yml?"
                )
            return Check("web search", "failed", error.reason, fix)
    return Check("web search", "ok", f"{settings.search_provider}: {len(hits)} result(s)")


async def check_lastfm(settings: Settings) -> Check:
    if settings.lastfm_api_key is None:
        return Check("Last.fm", "offline", "BOOTH_LASTFM_API_KEY is not set: bundled catalog")
    key = settings.lastfm_api_key.get_secret_value()
    url = settings.lastfm_url
    params = {"method": "artist.getInfo", "artist": "Cher", "api_key": key, "format": "json"}
    try:
        async with httpx.AsyncClient(timeout=settings.lastfm_timeout) as http:
            response = await http.get(url, params=params)
        body = response.json()
    except (httpx.HTTPError, ValueError) as error:
        return Check("Last.fm", "failed", type(error).__name__, f"Can booth reach {url}?")
    if isinstance(body, dict) and "error" in body:
        message = str(body.get("message", "error"))
        fix = "Check BOOTH_LASTFM_API_KEY." if body.get("error") in (10, 26) else ""
        return Check("Last.fm", "failed", f"error {body['error']}: {message}", fix)
    name = body.get("artist", {}).get("name") if isinstance(body, dict) else None
    if not name:
        return Check("Last.fm", "failed", f"HTTP {response.status_code}, no artist in the answer")
    return Check("Last.fm", "ok", f"artist.getInfo answered ({name})")


async def run_checks(settings: Settings) -> list[Check]:
    return [
        *await check_model(settings),
        await check_search(settings),
        await check_lastfm(settings),
    ]
