"""One model provider over any OpenAI-compatible endpoint, on the official `openai` SDK.

The SDK client is shared by every run, so it holds only what is the same for everyone (base URL,
key, timeout). Everything a request decides - its model, its messages, its stream - is an
argument of the call, which is how the seed's bug (a request's callback kept on a shared client)
cannot come back. Every call goes through the upstream's circuit breaker.
"""

from __future__ import annotations

import email.utils
import logging
import math
import time
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any, TypeVar

import openai
from openai import AsyncOpenAI
from pydantic import BaseModel

from booth.core.errors import BoothError, ErrorCode
from booth.core.observability import Metrics
from booth.core.resilience import CircuitBreaker
from booth.llm.errors import LLMInvalidOutput, LLMUnavailable
from booth.llm.messages import Message
from booth.llm.schema import parse_answer, response_format

log = logging.getLogger("booth.llm")

M = TypeVar("M", bound=BaseModel)
UPSTREAM = "llm"
# An upstream's Retry-After on these statuses holds the breaker open that long (RFC 9110, 6585).
WAIT_STATUSES = frozenset({429, 503})
MAX_RETRY_AFTER = 600.0  # seconds: the longest one answer may keep booth off the upstream
REPAIR_INSTRUCTION = (
    "Your previous answer did not match the required JSON schema ({problems}). "
    "Answer again with only a JSON object that matches the schema."
)


@dataclass(frozen=True)
class LLMConfig:
    """What is the same for every call to one endpoint."""

    base_url: str
    api_key: str = field(repr=False)  # never in a log line
    default_model: str
    models: tuple[str, ...]
    timeout: float = 30.0
    max_retries: int = 0

    def resolve_model(self, model_id: str | None) -> str:
        """The model a request asked for, if it may pick it; None means the default."""
        if model_id is None or model_id == self.default_model:
            return self.default_model
        if model_id in self.models:
            return model_id
        allowed = ", ".join(sorted({self.default_model, *self.models}))
        raise BoothError(
            ErrorCode.INVALID_QUERY,
            f"model_id {model_id!r} is not available; choose one of: {allowed}",
        )


class LLMProvider:
    """Structured steps and text streams against one endpoint, behind one breaker."""

    def __init__(
        self,
        config: LLMConfig,
        breaker: CircuitBreaker,
        metrics: Metrics | None = None,
        client: AsyncOpenAI | None = None,
    ) -> None:
        self.config = config
        self.breaker = breaker
        self.metrics = metrics
        self.client = client or AsyncOpenAI(
            base_url=config.base_url,
            api_key=config.api_key or "not-needed",
            timeout=config.timeout,
            max_retries=config.max_retries,
        )

    @property
    def upstream(self) -> str:
        return self.breaker.name

    async def close(self) -> None:
        await self.client.close()

    async def list_models(self) -> list[str]:
        page = await self._guarded(self.client.models.list)
        return [m.id for m in page.data]

    async def structured(
        self, schema: type[M], messages: Sequence[Message], *, model: str | None = None
    ) -> M:
        """The model's answer as a validated `schema` instance; one repair attempt if invalid.

        Raises LLMUnavailable when the upstream fails, LLMInvalidOutput when the answer is still
        not valid after the repair attempt.
        """
        chosen = model or self.config.default_model
        history = [m.model_dump() for m in messages]
        problems = ""
        for attempt in range(2):
            content = await self._complete(chosen, history, response_format(schema))
            try:
                return parse_answer(schema, content)
            except ValueError as exc:
                problems = str(exc)
                log.info(
                    "model answer failed %s (attempt %d): %s",
                    schema.__name__,
                    attempt + 1,
                    problems,
                )
            history += [
                {"role": "assistant", "content": content or ""},
                {"role": "user", "content": REPAIR_INSTRUCTION.format(problems=problems)},
            ]
        raise LLMInvalidOutput(self.upstream, f"{schema.__name__} invalid after repair: {problems}")

    async def stream_text(
        self, messages: Sequence[Message], *, model: str | None = None
    ) -> AsyncGenerator[str, None]:
        """The answer's text as it arrives. Use under `contextlib.aclosing`: closing the
        iterator (or cancelling its task) closes the HTTP stream, so the upstream sees it."""
        chosen = model or self.config.default_model
        started = time.monotonic()

        async def open_stream() -> Any:
            return await self.client.chat.completions.create(  # type: ignore[call-overload]
                model=chosen,
                messages=[m.model_dump() for m in messages],
                stream=True,
                stream_options={"include_usage": True},
            )

        stream = await self._guarded(open_stream)
        try:
            async for chunk in stream:
                if chunk.usage is not None:
                    self._count_tokens(chosen, chunk.usage)
                for choice in chunk.choices:
                    if choice.delta.content:
                        yield choice.delta.content
        except (openai.OpenAIError, ValueError) as exc:  # cut mid-way, malformed chunk
            self.breaker.record_failure()
            raise LLMUnavailable(self.upstream, f"stream broke: {type(exc).__name__}") from None
        finally:
            await stream.close()
        self._observe(chosen, "stream", started)

    async def _complete(
        self, model: str, messages: list[dict[str, Any]], fmt: dict[str, Any]
    ) -> str | None:
        started = time.monotonic()

        async def call() -> Any:
            return await self.client.chat.completions.create(  # type: ignore[call-overload]
                model=model,
                messages=messages,
                response_format=fmt,
            )

        completion = await self._guarded(call)
        self._observe(model, "structured", started)
        if completion.usage is not None:
            self._count_tokens(model, completion.usage)
        if not completion.choices:
            return None
        message = completion.choices[0].message
        return message.content if not message.refusal else None

    async def _guarded(self, call: Any) -> Any:
        """`call()` under the breaker; every way the upstream can fail becomes LLMUnavailable."""
        try:
            return await self.breaker.call(call)
        except BoothError as exc:  # the breaker is open
            raise LLMUnavailable(self.upstream, exc.message) from None
        except openai.APIStatusError as exc:
            reason = f"HTTP {exc.status_code}"
            wait = retry_after(exc)
            if wait is not None:  # the upstream said when to come back: no call before then
                self.breaker.hold_open(wait)
                reason += f", retry after {wait:.3g} s"
            raise LLMUnavailable(self.upstream, reason) from None
        except (openai.OpenAIError, ValueError) as exc:  # connection, timeout, JSON
            raise LLMUnavailable(self.upstream, _describe(exc)) from None

    def _count_tokens(self, model: str, usage: Any) -> None:
        if self.metrics is None:
            return
        self.metrics.llm_tokens.labels(model, "prompt").inc(usage.prompt_tokens or 0)
        self.metrics.llm_tokens.labels(model, "completion").inc(usage.completion_tokens or 0)

    def _observe(self, model: str, kind: str, started: float) -> None:
        if self.metrics is not None:
            self.metrics.llm_latency.labels(model, kind).observe(time.monotonic() - started)


def retry_after(exc: openai.APIStatusError) -> float | None:
    """The seconds a 429/503 asks booth to wait (Retry-After: seconds or an HTTP date), capped."""
    value = exc.response.headers.get("retry-after")
    if exc.status_code not in WAIT_STATUSES or not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.replace(tzinfo=when.tzinfo or UTC).timestamp() - time.time()
    if not math.isfinite(seconds) or seconds <= 0:
        return None
    return min(seconds, MAX_RETRY_AFTER)


def _describe(exc: Exception) -> str:
    """A short, secret-free reason for a failed call."""
    if isinstance(exc, openai.APITimeoutError):
        return "timed out"
    if isinstance(exc, openai.APIConnectionError):
        return "connection failed"
    return type(exc).__name__
