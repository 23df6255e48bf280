"""The UI's pure parts, without a browser: escaping, the run view, error notices, wiring.

The browser tests prove these work on a real page; these pin down the cases a page would only
show by chance (a loop back in research, every error code, hostile links in catalog data).
"""

from __future__ import annotations

import html

import markdown_it
import pytest

from booth.config import Settings
from booth.core.errors import ErrorCode
from booth.core.events import Event, EventType
from booth.server import build_host
from booth.ui.fitcheck_view import (
    PHASE_LABELS,
    PHASE_ORDER,
    RunView,
    phases_html,
    result_html,
    thoughts_html,
)
from booth.ui.music_view import answer_message, track_card
from booth.ui.render import NEXT_STEP, error_notice, literal_md, safe_url

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(2)</script> **bold** `code <b>`",
    "[link](javascript:alert(3)) $$x$$ a & b &amp; 5 < 6 > 4",
    "# heading\n1. list\n- item \\ backslash",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_literal_markdown_renders_as_exactly_the_text(text):
    rendered = markdown_it.MarkdownIt("commonmark").renderInline(literal_md(text))
    assert rendered == html.escape(text, quote=False)


def test_only_http_links_survive():
    assert safe_url("https://www.last.fm/music/x") == "https://www.last.fm/music/x"
    for bad in ("javascript:alert(1)", "data:text/html,<b>", "//evil.example", "", None, 3):
        assert safe_url(bad) is None


def test_a_track_card_escapes_every_field_and_drops_bad_links():
    track = {
        "track_id": 'a"b||<c>',
        "title": "<img src=x onerror=alert(1)>",
        "artist": "<b>A</b>",
        "album": "<script>x</script>",
        "year": 2001,
        "confidence": 0.5,
        "explanation": "<i>why</i>",
        "genres": ["<u>g</u>"],
        "moods": [],
        "tags": [],
        "external_urls": {"lastfm": "javascript:alert(1)", "spotify": "https://open.example/x"},
    }
    card = track_card(track)
    for raw in ("<img", "<b>A", "<script", "<i>why", "<u>g", "javascript:"):
        assert raw not in card
    assert "&lt;img src=x onerror=alert(1)&gt;" in card
    assert 'data-track-id="a&quot;b||&lt;c&gt;"' in card
    assert 'href="https://open.example/x"' in card


def test_a_chat_answer_escapes_catalog_text():
    message = answer_message(
        {
            "recommendations": [{"title": "<img src=x>", "artist": "**A**"}],
            "reasoning": ["New request: <b>x</b>."],
            "strategy_used": {"intent": "by_artist", "decision": "new_query"},
        }
    )
    rendered = markdown_it.MarkdownIt("commonmark").render(message["content"])
    assert "<img" not in rendered and "<b>" not in rendered
    assert "&lt;img src=x&gt;" in rendered and "**A**" in rendered


def events(*pairs):
    return [Event(seq, EventType(kind), data) for seq, (kind, data) in enumerate(pairs, 1)]


def test_the_run_view_follows_phases_and_a_research_loop():
    view = RunView()
    for event in events(
        ("phase", {"phase": "connecting", "message": "reading"}),
        ("phase_complete", {"phase": "connecting", "summary": "company", "duration_ms": 3}),
        ("phase", {"phase": "deep_research", "message": "searching"}),
        ("phase_complete", {"phase": "deep_research", "summary": "1 source"}),
        ("phase", {"phase": "research_reranker", "message": "judging"}),
        ("phase_complete", {"phase": "research_reranker", "summary": "retry"}),
        ("phase", {"phase": "deep_research", "message": "searching wider"}),
    ):
        view.apply(event)
    assert view.phases["connecting"].status == "done"
    assert view.phases["deep_research"].status == "active"
    assert view.phases["deep_research"].attempts == 2
    assert view.phases["research_reranker"].status == "pending"  # to be redone after the loop
    assert view.done_count == 1
    page = phases_html(view)
    assert 'data-done="1"' in page and 'data-active="deep_research"' in page
    assert "attempt 2" in page and "searching wider" in page


def test_thoughts_are_newest_first():
    view = RunView()
    for event in events(
        *[
            (
                "thought",
                {"step": n, "type": "reasoning", "phase": "connecting", "content": f"step {n}"},
            )
            for n in (1, 2, 3)
        ]
    ):
        view.apply(event)
    page = thoughts_html(view)
    assert page.index("step 3") < page.index("step 2") < page.index("step 1")


def test_a_tool_calls_text_input_is_shown_as_written():
    view = RunView()
    thought = {"step": 1, "type": "tool_call", "phase": "connecting", "tool": "classify_query"}
    for event in events(("thought", {**thought, "input": "query: Stripe"})):
        view.apply(event)
    page = thoughts_html(view)
    assert "query: Stripe" in page and "&quot;query: Stripe&quot;" not in page


def test_a_final_result_shows_gauge_cards_sources_and_duration():
    view = RunView()
    for event in events(
        (
            "result",
            {
                "score": 81,
                "tier": "HIGH",
                "strengths": ["Python <5 years>"],
                "gaps": [{"gap": "Go", "bridge": "ship a service", "ramp_up": "4-8 weeks"}],
                "matched": [{}],
                "unmatched": [],
                "sources": [{"id": "s1", "type": "knowledge_base", "title": "Acme"}],
                "flags": [],
                "company": "Acme",
                "role": None,
            },
        ),
        ("complete", {"duration_ms": 1500}),
    ):
        view.apply(event)
    page = result_html(view)
    assert 'data-score="81"' in page and 'data-tier="HIGH"' in page
    assert "Key Strengths" in page and "Python &lt;5 years&gt;" in page
    assert "Growth Opportunities" in page and "Ramp-up: 4-8 weeks" in page
    assert "Acme" in page and "Finished in 1.5 s" in page


def test_insufficient_data_shows_no_number():
    view = RunView()
    view.apply(
        events(
            (
                "result",
                {
                    "score": 0,
                    "tier": "INSUFFICIENT_DATA",
                    "strengths": [],
                    "gaps": [],
                    "sources": [],
                    "flags": [],
                },
            )
        )[0]
    )
    page = result_html(view)
    assert 'data-score=""' in page and "0%" not in page
    assert "Not enough information" in page


def test_a_rejected_query_is_a_polite_refusal_not_a_score():
    view = RunView()
    for event in events(
        ("phase", {"phase": "connecting", "message": "reading"}),
        ("phase_complete", {"phase": "connecting", "summary": "Rejected (injection)"}),
        (
            "result",
            {
                "score": 0,
                "tier": "INSUFFICIENT_DATA",
                "rejected": True,
                "flags": ["rejected", "rejected:injection"],
            },
        ),
        ("complete", {"duration_ms": 5}),
    ):
        view.apply(event)
    page = result_html(view)
    assert "Fit analysis not run" in page and "gauge" not in page
    assert view.phases["deep_research"].status == "skipped"
    assert 'data-status="skipped"' in phases_html(view)


@pytest.mark.parametrize("code", list(ErrorCode))
def test_every_error_says_what_to_do_next(code):
    page = error_notice(code.value, "What happened.")
    assert f'data-code="{code.value}"' in page
    assert "What happened." in page and html.escape(NEXT_STEP[code]) in page


def test_rate_limited_says_when_to_retry():
    assert "Try again in 3 s" in error_notice("RATE_LIMITED", "Busy.", retry_after=2.6)


def test_an_error_event_ends_the_run_view():
    view = RunView()
    for event in events(
        ("phase", {"phase": "connecting", "message": "reading"}),
        ("error", {"code": "TIMEOUT", "message": "Too slow.", "retryable": True}),
    ):
        view.apply(event)
    assert view.phases["connecting"].status == "failed"
    assert 'data-code="TIMEOUT"' in result_html(view)


def test_every_phase_has_a_label_and_a_row():
    page = phases_html(RunView())
    for name in PHASE_ORDER:
        assert PHASE_LABELS[name] in page and f'data-phase="{name}"' in page


def test_a_degraded_upstream_is_shown():
    view = RunView()
    view.apply(events(("status", {"status": "degraded", "message": "search is down"}))[0])
    assert "search is down" in phases_html(view)


def test_example_chips_ask_for_the_intent_they_stand_for():
    from booth.apps.music.intents import INTENTS
    from booth.apps.music.service import default_engine
    from booth.ui.music_tab import EXAMPLES

    engine = default_engine(build_host(Settings(store="memory")))
    assert {intent for intent, _ in EXAMPLES} == set(INTENTS)
    for intent, text in EXAMPLES:
        assert engine.planner.understand(text).intent == intent, text


async def test_gradio_lets_as_many_calls_run_as_booth_admits():
    """Gradio's default is one call per event at a time: users would queue behind each other.

    (Built inside a running loop, as the server does: outside one, Gradio makes loops of its own
    for its locks and never closes them.)
    """
    from booth.ui.app import build_ui

    settings = Settings(store="memory", max_runs=37)
    blocks = build_ui(build_host(settings), settings)
    assert blocks._queue.default_concurrency_limit == 37
    assert all(fn.concurrency_limit == "default" for fn in blocks.fns.values())


def test_the_summary_shows_the_results_one_tally_not_a_recount():
    view = RunView()
    counts = {"requirements": 7, "met": 5, "partly_met": 1, "unmet": 1}
    result = {
        "score": 70,
        "tier": "MEDIUM",
        "strengths": [],
        "gaps": [],
        # partial matches sit in `matched`: counting that list would say "7 of 7"
        "matched": [{"status": "matched"}] * 5 + [{"status": "partial"}],
        "unmatched": [{}],
        "counts": counts,
        "sources": [],
        "flags": [],
        "company": "Acme",
        "role": None,
    }
    for event in events(("result", result), ("complete", {"duration_ms": 10})):
        view.apply(event)
    assert "Meets 5 of 7 requirements, partly meets 1, misses 1" in result_html(view)
