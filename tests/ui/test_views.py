"""The UI's pure parts, without a browser: escaping, the run view, error notices, wiring.

The browser tests prove these work on a real page; these pin down the cases a page would only
show by chance (a loop back in research, every error code, hostile links in catalog data).
"""

from __future__ import annotations

import asyncio
import html
from concurrent.futures import ThreadPoolExecutor

import markdown_it
import pytest

from booth.config import Settings
from booth.core.errors import ErrorCode
from booth.core.events import Event, EventType
from booth.server import build_host
from booth.ui.fitcheck_phases import ACTIVE_TEXT, PHASE_LABELS, finding
from booth.ui.fitcheck_view import (
    PHASE_ORDER,
    RunView,
    phases_html,
    result_html,
    thoughts_html,
)
from booth.ui.music_view import (
    Shelf,
    Track,
    answer_message,
    degraded_html,
    new_turn,
    read_answer,
    track_card,
    tracks_html,
)
from booth.ui.render import NEXT_STEP, answer_markdown, error_notice, literal_md, safe_url

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
    card = track_card(Track.model_validate(track))
    for raw in ("<img", "<b>A", "<script", "<i>why", "<u>g", "javascript:"):
        assert raw not in card
    assert "&lt;img src=x onerror=alert(1)&gt;" in card
    assert 'data-track-id="a&quot;b||&lt;c&gt;"' in card
    assert 'href="https://open.example/x"' in card


def test_a_chat_answer_escapes_catalog_text():
    answer = read_answer(
        {
            "recommendations": [{"title": "<img src=x>", "artist": "**A**"}],
            "reasoning": ["New request: <b>x</b>."],
            "strategy_used": {"intent": "by_artist", "decision": "new_query"},
            "metadata": {"query_understanding": {"unknown_artist": "<b>Zed</b>"}},
        }
    )
    rendered = markdown_it.MarkdownIt("commonmark").render(
        answer_message(answer, new_session=False)["content"]
    )
    assert "<img" not in rendered and "<b>" not in rendered
    assert "&lt;b&gt;Zed&lt;/b&gt;" in rendered and "**A**" in rendered
    assert "New request" not in rendered  # the app's log line is not echoed
    assert "img src" not in rendered  # the cards list the tracks; the chat does not


def test_the_chat_says_an_unknown_artist_first_and_a_new_session_has_nothing_to_follow():
    answer = read_answer(
        {
            "recommendations": [{"track_id": "t", "title": "T", "artist": "X"}],
            "strategy_used": {"intent": "discovering_serendipity", "decision": "fresh_start"},
            "metadata": {
                "query_understanding": {"unknown_artist": "Zed", "did_you_mean": ["Zedd"]},
                "context_decision": {"stale_context": False},
            },
        }
    )
    fresh = answer_message(answer, new_session=True)["content"].replace("\\", "")
    assert fresh.startswith("I don’t know an artist called “Zed”. Did you mean Zedd?")
    assert "new session" in fresh and "idle" not in fresh
    fixed = read_answer({"metadata": {"query_understanding": {"corrections": {"radiohed": "X"}}}})
    assert "I read “radiohed” as X." in answer_message(fixed, False)["content"].replace("\\", "")
    later = answer_message(answer, new_session=False)["content"]
    assert "new session" not in later and "nothing earlier to follow up" in later


def test_earlier_turns_fold_away_and_a_thumbed_down_card_dims_with_undo():
    first = read_answer({"recommendations": [{"track_id": "a", "title": "A", "artist": "X"}]})
    second = read_answer({"recommendations": [{"track_id": "b", "title": "B", "artist": "Y"}]})
    shelf = Shelf(turns=[new_turn("one", first), new_turn("two", second)]).voted("a", -1)
    page = tracks_html(shelf)
    assert page.count("<details") == 1 and "“one”" in page.split("<details")[1]
    assert 'data-reveal="2"' in page  # the newest turn is the one scrolled to
    assert "track-disliked" in page and 'data-feedback="undo"' in page
    assert "track-disliked" not in tracks_html(shelf.voted("a", None))


def test_a_pressed_thumb_says_pressing_it_again_takes_the_vote_back():
    answer = read_answer({"recommendations": [{"track_id": "a", "title": "A", "artist": "X"}]})
    shelf = Shelf(turns=[new_turn("one", answer)])
    liked, disliked = tracks_html(shelf.voted("a", 1)), tracks_html(shelf.voted("a", -1))
    assert 'aria-pressed="true" title="Take back your thumbs-up"' in liked
    assert 'aria-pressed="true" title="Take back your thumbs-down"' in disliked
    assert "Take back" not in tracks_html(shelf)


def test_a_provider_that_is_down_gets_a_banner_in_words():
    banner = degraded_html(["lastfm"])
    assert (
        "Last.fm is not answering right now" in banner and "lastfm" not in banner.split(">", 1)[1]
    )
    assert degraded_html([]) == ""


def test_emoji_marks_become_words_and_html_stays_text():
    shown = answer_markdown("- ✅ Python\n- 🟡 React\n- ❌️ Rust <b>x</b>")
    assert "✅" not in shown and "🟡" not in shown and "❌" not in shown and "\ufe0f" not in shown
    assert "**[met]** Python" in shown and "**[partly]** React" in shown
    assert "**[missing]** Rust &lt;b&gt;x&lt;/b&gt;" in shown


@pytest.mark.parametrize(
    "phase, data, expected",
    [
        ("connecting", {"query_type": "company", "company_name": "Stripe"}, "A company: Stripe."),
        (
            "research_reranker",
            {"passing_count": 1, "total_count": 2, "decision": "retry"},
            "1 of 2 sources good enough to use: searching again with other words.",
        ),
        (
            "skills_matching",
            {"counts": {"requirements": 7, "met": 5, "partly_met": 1, "unmet": 1}},
            "Meets 5 of 7 requirements, partly meets 1, misses 1.",
        ),
        (
            "confidence_reranker",
            {"calibrated_score": 70, "tier": "MEDIUM"},
            "Score 70%: medium fit.",
        ),
        ("skills_matching", {"counts": "garbage"}, "Done."),
    ],
)
def test_each_phase_says_what_it_found_in_words(phase, data, expected):
    assert finding(phase, data) == expected


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
    assert "tried 2 times" in page and ACTIVE_TEXT["deep_research"] in page


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
    assert "Key strengths" in page and "Python &lt;5 years&gt;" in page
    assert "Growth opportunities" in page and "Time to learn: 4-8 weeks" in page
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
    status = {"status": "degraded", "message": "search: connection refused", "upstream": "search"}
    view.apply(events(("status", status))[0])
    page = phases_html(view)
    assert "Web search is not answering right now" in page and "refused" not in page


def test_example_chips_ask_for_the_intent_they_stand_for():
    from booth.apps.music.intents import INTENTS
    from booth.apps.music.service import default_engine
    from booth.ui.music_tab import EXAMPLES

    engine = default_engine(build_host(Settings(store="memory")))
    assert {intent for intent, _ in EXAMPLES} == set(INTENTS)
    for intent, text in EXAMPLES:
        assert engine.planner.understand(text).intent == intent, text


def test_gradio_holds_nothing_back_booth_admits_every_run():
    """Gradio caps each listener on its own: Fit Check queued in Gradio while Music reached
    booth's admission control. With no Gradio cap, both meet the one limit, booth's.

    (Built inside a running loop, as the server does: outside one, Gradio makes loops of its own
    for its locks and never closes them. The loop runs in a thread of its own, since the browser
    tests' Playwright keeps a loop running in this one.)
    """
    from booth.ui.app import build_ui

    settings = Settings(store="memory", max_runs=37)

    async def build():
        return build_ui(build_host(settings), settings)

    with ThreadPoolExecutor(max_workers=1) as thread:
        blocks = thread.submit(asyncio.run, build()).result()
    assert blocks._queue.default_concurrency_limit is None
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
