"""Metrics series exist at 0 from start-up; user text reaches logs only as length and hash."""

from __future__ import annotations

import httpx
from prometheus_client import generate_latest

from booth.config import Settings
from booth.core.observability import Metrics, describe_text
from booth.server import create_app


def test_a_declared_apps_series_exist_at_zero_before_any_run():
    metrics = Metrics()
    metrics.declare_app("fitcheck")
    text = generate_latest(metrics.registry).decode()
    assert 'booth_active_runs{app="fitcheck"} 0.0' in text
    assert 'booth_runs_total{app="fitcheck",outcome="complete"} 0.0' in text
    assert 'booth_runs_total{app="fitcheck",outcome="upstream_unavailable"} 0.0' in text
    assert 'booth_run_duration_seconds_count{app="fitcheck"} 0.0' in text
    assert 'booth_rejections_total{reason="rate_limited"} 0.0' in text
    assert 'booth_events_total{type="error"} 0.0' in text


async def test_a_fresh_server_shows_every_bundled_apps_series_at_zero():
    app = create_app(Settings(store="memory", ui=False))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://booth") as http:
        text = (await http.get("/metrics")).text
    for name in ("fitcheck", "music"):
        assert f'booth_active_runs{{app="{name}"}} 0.0' in text
        assert f'booth_runs_total{{app="{name}",outcome="complete"}} 0.0' in text


def test_user_text_is_described_by_length_and_hash_unless_opted_in():
    secret = "sk-live-abcdef"
    quiet = describe_text(secret)
    assert secret not in quiet and "len=14" in quiet
    assert quiet == describe_text(secret)  # the same text, the same hash: reports can be matched
    assert describe_text(secret + "!") != quiet
    loud = describe_text("a long query " * 10, include_text=True)
    assert loud.startswith('"a long query a long query') and "len=130" in loud
