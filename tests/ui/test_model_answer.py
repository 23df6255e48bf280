"""The model-written answer in the page: it streams in as it is written, its emoji marks read as
words, and when the model is gone the page says so and the offline answer arrives.

The model is the loopback OpenAI-compatible server (tests/support/openai_server.py), streaming
word by word; booth is a real server pointed at it with BOOTH_LLM_BASE_URL's setting.
"""

from __future__ import annotations

from typing import Any

import pytest

from booth.config import Settings
from tests.apps.fitcheck.model import FitCheckModel, reading
from tests.support.openai_server import OpenAIServer
from tests.support.servers import ThreadServer
from tests.ui.conftest import LAPTOP, PHONE, Users, ui_server
from tests.ui.pages import run_fit_check, screenshot, wait_result

pytestmark = pytest.mark.timeout(150)

JOB = """Senior Backend Engineer at Northwind Logistics

Requirements:
- 5+ years building backend services in Python
- PostgreSQL and Kafka in production
- Nice to have: Kubernetes
"""
READING = reading(
    job_title="Senior Backend Engineer",
    seniority="senior",
    min_years=5,
    skills=[
        {"names": ["Python"], "importance": "required"},
        {"names": ["PostgreSQL"], "importance": "required"},
        {"names": ["Kafka"], "importance": "required"},
        {"names": ["Kubernetes"], "importance": "nice_to_have"},
    ],
)
MARKS = ("✅", "🟡", "❌")


class MarkingModel(FitCheckModel):
    """Writes the answer the way models like to: requirement lines marked with emoji."""

    def write_up(self, analysis: dict[str, Any], canaries: list[str]) -> str:
        lines = ["#### Requirements"]
        lines += [f"- ✅ {s}" for s in analysis.get("strengths", [])]
        lines += [f"- 🟡 {g['gap']}" for g in analysis.get("gaps", [])[:1]]
        lines += [f"- ❌️ {g['gap']}" for g in analysis.get("gaps", [])[1:]]
        return "\n".join(lines) + "\n\nThat is the whole picture, written one word at a time.\n"


def booth_on(model: OpenAIServer) -> ThreadServer:
    settings = Settings(
        store="memory",
        max_runs=50,
        max_runs_per_client=50,
        llm_base_url=model.base_url,
        llm_model="test-model",
        llm_models=["test-model"],
        llm_timeout=5.0,
        breaker_failures=1000,
    )
    return ui_server(settings)


@pytest.fixture
def model_users(browser):
    with OpenAIServer(MarkingModel(READING), models=["test-model"], chunk_delay=0.03) as model:
        booth = booth_on(model)
        users = Users(browser, booth.url)
        try:
            yield users
        finally:
            users.close()
            booth.stop()
        assert users.offsite == [] and users.dialogs == []


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_the_answer_streams_in_and_marks_read_as_words(model_users, viewport):
    page = model_users.new_page(model_users.new_context(viewport=viewport))
    page.wait_for_selector("#fitcheck-answer-box", state="attached")
    page.evaluate(
        """() => { window.answerLengths = [];
            const box = document.querySelector('#fitcheck-answer-box');
            new MutationObserver(() => {
                if (document.querySelector('#fitcheck-result .fit-result')) return;
                const n = box.innerText.length;
                const seen = window.answerLengths;
                if (n && seen[seen.length - 1] !== n) seen.push(n);
            }).observe(box, {subtree: true, childList: true, characterData: true}); }"""
    )
    run_fit_check(page, JOB)
    wait_result(page)
    page.wait_for_selector("#fitcheck-status .run-status[data-state=done]")
    lengths = page.evaluate("window.answerLengths")
    assert len(lengths) >= 5 and max(lengths) == lengths[-1], lengths  # it grew as written
    answer = page.inner_text("#fitcheck-answer")
    assert "written one word at a time" in answer
    assert not any(mark in answer for mark in MARKS)
    assert "[met]" in answer and "[partly]" in answer
    screenshot(page, f"model-answer-streamed-{viewport['width']}")


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_a_model_that_is_gone_gets_a_banner_and_the_offline_answer(browser, viewport):
    gone = OpenAIServer().start()
    gone.stop()
    booth = booth_on(gone)
    users = Users(browser, booth.url)
    try:
        page = users.new_page(users.new_context(viewport=viewport))
        run_fit_check(page, JOB)
        wait_result(page)
        banner = page.locator("#fitcheck-phases .notice[data-code=DEGRADED]")
        assert "The language model is not answering right now" in banner.inner_text()
        assert "offline engine" in banner.inner_text()
        assert page.locator("#fitcheck-result .gauge").is_visible()
        screenshot(page, f"model-gone-degraded-{viewport['width']}")
    finally:
        users.close()
        booth.stop()
    assert users.offsite == []
