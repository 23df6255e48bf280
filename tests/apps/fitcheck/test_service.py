import pytest
from pydantic import ValidationError

from booth.apps.fitcheck.service import FitCheckRequest, load_resources, start_fit_check


@pytest.mark.parametrize(
    "body",
    [
        {"query": "ab"},
        {"query": "   ab   "},
        {"query": "x" * 2001},
        {"query": "Google\x00"},
        {"query": "Google\x1b[2J"},
        {"query": "Google", "config_type": "creative"},
    ],
)
def test_bad_requests_are_refused_by_the_model(body):
    with pytest.raises(ValidationError):
        FitCheckRequest(**body)


def test_a_job_description_keeps_its_line_breaks():
    text = "Senior Engineer\n\nRequirements:\n\t- Python"
    assert FitCheckRequest(query=text).query == text


async def collect(host, body: FitCheckRequest, resources, session_id=None, token=None):
    opened = await host.open_session(session_id, token)
    run, subscriber = await start_fit_check(host, opened, body, "test", resources=resources)
    events = [e async for e in host.events(run, subscriber)]
    await run.task  # the run's own bookkeeping after its terminal event (the lease is free already)
    return opened, events


async def test_status_echoes_the_request_and_carries_the_new_token(host, resources):
    body = FitCheckRequest(query="Stripe", model_id="gemini-2.0-flash", config_type="standard")
    opened, events = await collect(host, body, resources)
    status = events[0].data
    assert (status["model_id"], status["config_type"], status["output"]) == (
        "gemini-2.0-flash",
        "standard",
        "concise",
    )
    assert status["session_token"] == opened.minted_token and status["session_id"] == opened.id
    assert [e.type.value for e in events[-2:]] == ["result", "complete"]


async def test_config_type_selects_concise_or_detailed_answers(host, resources):
    answers = {}
    for config in ("standard", "reasoning"):
        _, events = await collect(
            host, FitCheckRequest(query="Stripe", config_type=config), resources
        )
        answers[config] = "".join(e.data["chunk"] for e in events if e.type.value == "response")
    assert "Confidence: Weighted requirement coverage" in answers["reasoning"]
    assert "Sources: Stripe" in answers["reasoning"]
    assert "Confidence:" not in answers["standard"] and "Sources:" not in answers["standard"]
    for answer in answers.values():
        assert answer.startswith("### Stripe Fit Analysis") and answer.count("###") == 1
        assert "\n**Key Strengths**\n- " in answer and "\n**Growth Opportunities**\n- " in answer


async def test_each_analysis_stores_one_redacted_turn(host, resources):
    secret = "canary-7f3a9c"
    opened, _ = await collect(
        host, FitCheckRequest(query=f"Datadog backend engineer {secret}"), resources
    )
    _, events = await collect(
        host, FitCheckRequest(query="Zorblax Industries"), resources, opened.id, opened.minted_token
    )
    turns = await host.sessions.recent_turns(opened.id)
    assert [t["summary"] for t in turns] == ["Datadog — Backend Engineer", "Zorblax Industries"]
    assert turns[1]["tier"] == "INSUFFICIENT_DATA" and turns[0]["tier"] in {"HIGH", "MEDIUM"}
    assert secret not in str(turns)


async def test_a_users_note_is_researched_and_cited(host, tmp_path):
    (tmp_path / "zorblax.md").write_text(
        "# Zorblax Industries\nZorblax builds logistics software in Python and Go on AWS with "
        "Kubernetes and PostgreSQL. Engineers own system design and on-call."
    )
    with_notes = load_resources(None, tmp_path)
    _, events = await collect(host, FitCheckRequest(query="Zorblax Industries"), with_notes)
    result = next(e.data for e in events if e.type.value == "result")
    assert result["tier"] != "INSUFFICIENT_DATA"
    assert result["sources"] == [
        {
            "id": "note:zorblax.md",
            "type": "user_note",
            "title": "Your note: Zorblax Industries",
            "quality": result["sources"][0]["quality"],
            "path": "zorblax.md",
        }
    ]
    assert "user_notes_used" in result["flags"]
    answer = "".join(e.data["chunk"] for e in events if e.type.value == "response")
    assert "Your note: Zorblax Industries" in answer
