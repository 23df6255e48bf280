"""Logs that say whose request they belong to, and Prometheus metrics.

`session_id` and `run_id` live in contextvars, so every log line written while a run executes
carries them without being passed around. User text reaches a log only as its length and a
hash unless the operator opts in, and tokens are never logged.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import logging
import time
from collections.abc import Iterable
from typing import TextIO

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from booth.core.errors import ErrorCode
from booth.core.events import EventType

# The label values a series can take, created at 0 up front.
RUN_OUTCOMES = ("complete", *(code.value.lower() for code in ErrorCode))
EVENT_TYPES = tuple(t.value for t in EventType)
REJECTION_REASONS = ("rate_limited", "busy", "shutting_down")

session_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("session_id", default="-")
run_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("run_id", default="-")

USER_TEXT_LIMIT = 40
TEXT_HASH_CHARS = 12


def describe_text(
    text: str | None, include_text: bool = False, limit: int = USER_TEXT_LIMIT
) -> str:
    """User text as it may appear in a log.

    By default only its length and a short hash (enough to tell two requests apart, or match a
    user's report, without the text: a short query or a pasted secret would show in full).
    With `include_text` (BOOTH_LOG_USER_TEXT=true), one line cut to `limit` characters as well.
    """
    if not text:
        return "(empty)"
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:TEXT_HASH_CHARS]
    facts = f"len={len(text)} sha256={digest}"
    if not include_text:
        return facts
    flat = " ".join(text.split())
    cut = flat if len(flat) <= limit else flat[:limit] + "…"
    return f"{json.dumps(cut, ensure_ascii=False)} ({facts})"


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.session_id = session_id_var.get()
        record.run_id = run_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": round(record.created, 3),
            "level": record.levelname,
            "logger": record.name,
            "session_id": getattr(record, "session_id", "-"),
            "run_id": getattr(record, "run_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


TEXT_FORMAT = (
    "%(asctime)s %(levelname)s %(name)s [session=%(session_id)s run=%(run_id)s] %(message)s"
)


def configure_logging(fmt: str = "text", level: str = "INFO", stream: TextIO | None = None) -> None:
    """Install one handler on the `booth` logger that stamps session and run ids."""
    logger = logging.getLogger("booth")
    logger.setLevel(level.upper())
    logger.propagate = False
    for old in list(logger.handlers):
        logger.removeHandler(old)
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    logger.addHandler(handler)


class Metrics:
    """booth's Prometheus metrics, in a registry of their own (one per server instance)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.active_sessions = Gauge(
            "booth_active_sessions", "Live sessions in the store", registry=r
        )
        self.active_runs = Gauge("booth_active_runs", "Runs executing now", ["app"], registry=r)
        self.runs = Counter("booth_runs", "Finished runs", ["app", "outcome"], registry=r)
        self.run_duration = Histogram(
            "booth_run_duration_seconds",
            "Run duration",
            ["app"],
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
            registry=r,
        )
        self.events = Counter("booth_events", "Events emitted", ["type"], registry=r)
        self._event_counters: dict[str, Counter] = {}
        self.rejections = Counter("booth_rejections", "Requests refused", ["reason"], registry=r)
        self.breaker_state = Gauge(
            "booth_breaker_open",
            "1 when an upstream's breaker is not closed",
            ["upstream"],
            registry=r,
        )
        self.evictions = Counter("booth_evictions", "Sessions removed by expiry or LRU", registry=r)
        self.dropped_streams = Counter(
            "booth_dropped_streams", "Streams dropped for reading too slowly", registry=r
        )
        self.llm_tokens = Counter(
            "booth_llm_tokens",
            "Model tokens by kind (prompt/completion)",
            ["model", "kind"],
            registry=r,
        )
        self.llm_latency = Histogram(
            "booth_llm_latency_seconds",
            "Model call latency (a stream: until its last chunk)",
            ["model", "kind"],
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=r,
        )
        for event_type in EVENT_TYPES:
            self.count_event_series(event_type)
        for reason in REJECTION_REASONS:
            self.rejections.labels(reason)

    def count_event_series(self, event_type: str) -> Counter:
        counter = self._event_counters.get(event_type)
        if counter is None:
            counter = self._event_counters[event_type] = self.events.labels(event_type)
        return counter

    def declare_app(self, app: str, outcomes: Iterable[str] = RUN_OUTCOMES) -> None:
        """Create an app's series at 0, so dashboards and alerts see them before its first run."""
        self.active_runs.labels(app)
        self.run_duration.labels(app)
        for outcome in outcomes:
            self.runs.labels(app, outcome)

    def count_event(self, event_type: str) -> None:
        """Count one emitted event (the labelled child is looked up once per type: hot path)."""
        self.count_event_series(event_type).inc()


class Stopwatch:
    def __init__(self) -> None:
        self.start = time.monotonic()

    @property
    def ms(self) -> int:
        return int((time.monotonic() - self.start) * 1000)
