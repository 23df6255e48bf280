"""Music with a model: a loopback OpenAI-compatible server reads new requests into the plan.

A *meaningless* model (schema-valid answers with invented artists, genres, decades and random
intents) must change nothing a follow-up does: the same conversations make the same decisions,
page without repeats and reset exactly as offline. A *helpful* model's reading is used where
the rules could not read the request, and only as far as the catalog (or Last.fm) backs it.
"""

from __future__ import annotations

import json
import zlib

import httpx
import pytest
from music_helpers import Listener, artists_of, decision_of, ids_of, start_server

from booth.apps.music.models import Intent
from tests.support.lastfm_server import API_KEY, LastfmServer
from tests.support.openai_server import ChatCall, Fault, OpenAIServer

ACTIVITIES = [None, "sleep", "workout", "party"]


def meaningless(call: ChatCall) -> str:
    """A schema-valid reading that means nothing (picked by a hash of what was asked)."""
    h = zlib.crc32(call.last_user_text.encode())
    intents = list(Intent)
    return json.dumps(
        {
            "intent": intents[h % len(intents)].value,
            "artists": ["Qzx Vorple", "The Unbeknownst Ensemble"],
            "genres": ["blorpcore"],
            "moods": ["glimmersome"],
            "activity": ACTIVITIES[h % len(ACTIVITIES)],
            "decade": 1234,
            "refinements": [{"feature": "tempo", "direction": -1}],
        }
    )


CONVERSATIONS = [
    ["Songs by Radiohead", "more", "more", "more like this", "happier", "actually, never mind"],
    ["Electronic music", "more", "less electronic, more acoustic", "something different", "more"],
    ["music for studying", "more", "start over", "surprise me", "more"],
    ["deep cuts by Aphex Twin", "more from this artist", "more"],
]
SETTINGS = dict(llm_model="test-model", llm_timeout=2.0, breaker_failures=1000)


@pytest.fixture(scope="module")
def nonsense():
    with OpenAIServer(meaningless, models=["test-model"]) as server:
        yield server


@pytest.fixture(scope="module")
def with_model(nonsense):
    running = start_server(llm_base_url=nonsense.base_url, **SETTINGS)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def offline():
    running = start_server()
    yield running
    running.stop()


async def talk(url: str, queries: list[str]) -> list[dict]:
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        user = Listener(http)
        return [await user.ask(q) for q in queries]


@pytest.mark.parametrize("queries", CONVERSATIONS, ids=[c[0] for c in CONVERSATIONS])
async def test_follow_ups_behave_the_same_with_a_meaningless_model(
    with_model, offline, nonsense, queries
):
    online, alone = await talk(with_model.url, queries), await talk(offline.url, queries)
    assert [decision_of(r) for r in online] == [decision_of(r) for r in alone]
    assert [r["strategy_used"]["intent"] for r in online] == [
        r["strategy_used"]["intent"] for r in alone
    ]
    assert [r["metadata"]["anchor"] for r in online] == [r["metadata"]["anchor"] for r in alone]
    shown: list[str] = []
    for turn in online:
        if turn["metadata"]["context_decision"]["decision"] == "reset":
            continue
        assert not set(ids_of(turn)) & set(shown)
        shown += ids_of(turn)
    understood = online[0]["metadata"]["query_understanding"]
    assert "not trusted: artist 'Qzx Vorple'" in understood["signals"]
    assert "not trusted: genre 'blorpcore'" in understood["signals"]
    assert "not trusted: decade 1234" in understood["signals"]
    assert "llm" in online[0]["metadata"]["sources"]
    asked = [c.last_user_text for c in nonsense.calls]
    assert not any("more like this" in text for text in asked)  # follow-ups never reach it


async def test_a_helpful_model_reads_what_the_rules_cannot():
    def helpful(call: ChatCall) -> str:
        return json.dumps(
            {
                "intent": "by_artist",
                "artists": ["Radiohead"],
                "genres": [],
                "moods": [],
                "activity": None,
                "decade": None,
                "refinements": [],
            }
        )

    with OpenAIServer(helpful, models=["test-model"]) as model:
        running = start_server(llm_base_url=model.base_url, **SETTINGS)
        try:
            (data,) = await talk(running.url, ["the band that made OK Computer"])
        finally:
            running.stop()
    assert data["strategy_used"]["intent"] == "by_artist"
    assert set(artists_of(data)) == {"Radiohead"}
    assert data["metadata"]["query_understanding"]["read_by"] == "model"
    for track in data["recommendations"]:
        assert track["explanation"].startswith("A track by Radiohead, as asked")


async def test_a_model_artist_only_lastfm_knows_is_grounded_there():
    def names_veldt(call: ChatCall) -> str:
        return json.dumps(
            {
                "intent": "artist_similarity",
                "artists": ["Veldt Orchard"],
                "genres": [],
                "moods": [],
                "activity": None,
                "decade": None,
                "refinements": [],
            }
        )

    lastfm = LastfmServer().start()
    with OpenAIServer(names_veldt, models=["test-model"]) as model:
        running = start_server(
            llm_base_url=model.base_url, lastfm_api_key=API_KEY, lastfm_url=lastfm.url, **SETTINGS
        )
        try:
            (data,) = await talk(running.url, ["something in the vein of that orchard band"])
        finally:
            running.stop()
            lastfm.stop()
    assert data["strategy_used"]["intent"] == "artist_similarity"
    assert set(artists_of(data)) & {"Copper Lanes", "Hollow Meridian"}
    assert "lastfm" in data["metadata"]["sources"]


async def test_a_failing_model_leaves_the_rules_reading_and_says_degraded(nonsense):
    broken = start_server(llm_base_url=nonsense.base_url, **SETTINGS)
    nonsense.add_fault(Fault("status", status=500), times=None)
    try:
        turns = await talk(broken.url, ["Songs by Portishead", "more"])
    finally:
        nonsense.clear_faults()
        broken.stop()
    assert set(artists_of(turns[0])) == {"Portishead"}
    assert turns[0]["metadata"]["degraded"] == ["llm"]
    assert decision_of(turns[1]) == "load_more"


def writes_with_extras(call: ChatCall) -> str:
    """Reads requests as the rules would (nothing), and writes explanations that add claims."""
    if call.schema_name == "ModelReading":
        return meaningless(call)
    facts = json.loads(blocks(call)["claims"])
    return json.dumps(
        {
            "explanations": [
                {
                    "track_id": item["track_id"],
                    "text": f"{claim_text(item['claims'][0])}; it is also pure death metal; "
                    "loved by 99 million listeners; a lovely pick",
                }
                for item in facts
            ]
        }
    )


def blocks(call: ChatCall) -> dict[str, str]:
    import html
    import re

    pattern = re.compile(r'<data kind="(?P<kind>[^"]+)">\n(?P<body>.*?)\n</data>', re.S)
    return {m["kind"]: html.unescape(m["body"]) for m in pattern.finditer(call.last_user_text)}


def claim_text(raw: dict) -> str:
    from pydantic import TypeAdapter

    from booth.apps.music.explain import Claim

    return TypeAdapter(Claim).validate_python(raw).text()


async def test_model_written_explanations_keep_only_what_the_evidence_backs():
    from claims import check_explanation

    from booth.apps.music.catalog import BUNDLED_DIR, load_catalog

    catalog = load_catalog(BUNDLED_DIR)
    with OpenAIServer(writes_with_extras, models=["test-model"]) as model:
        running = start_server(llm_base_url=model.base_url, **SETTINGS)
        try:
            turns = await talk(running.url, ["ambient music", "more", "Songs by Portishead"])
        finally:
            running.stop()
        assert any(c.schema_name == "WrittenExplanations" for c in model.calls)
        shown_claims = [c for c in model.calls if c.schema_name == "WrittenExplanations"]
        assert all("ambient music" not in c.text for c in shown_claims)  # evidence only
    for turn in turns:
        assert turn["metadata"]["degraded"] == []
        for track in turn["recommendations"]:
            text = track["explanation"]
            assert "death metal" not in text, text
            assert "99 million" not in text and "lovely" not in text, text
            problems = check_explanation(track, turn["metadata"]["anchor"], catalog, "")
            assert not problems, problems
