"""Logs that say whose request they belong to, and Prometheus metrics.

`session_id` and `run_id` live in contextvars, so every log line written while a run executes
carries them without being passed around. User text is truncated before it reaches a log, and
tokens are never logged.
"""

from __future__ import annotations

import contextvars
import json
import logging
import time
from typing import TextIO

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

session_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("session_id", default="-")
run_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("run_id", default="-")

USER_TEXT_LIMIT = 40


def redact(text: str | None, limit: int = USER_TEXT_LIMIT) -> str:
    """User text as it may appear in a log: one line, cut to `limit` characters."""
    if not text:
        return ""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + f"…(+{len(flat) - limit} chars)"


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

    def count_event(self, event_type: str) -> None:
        """Count one emitted event (the labelled child is looked up once per type: hot path)."""
        counter = self._event_counters.get(event_type)
        if counter is None:
            counter = self._event_counters[event_type] = self.events.labels(event_type)
        counter.inc()


class Stopwatch:
    def __init__(self) -> None:
        self.start = time.monotonic()

    @property
    def ms(self) -> int:
        return int((time.monotonic() - self.start) * 1000)
