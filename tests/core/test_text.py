"""The one validator of user text: what it strips, what it keeps, what it refuses."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from booth.apps.fitcheck.service import FitCheckRequest
from booth.apps.music.service import PlanningRequest, RecommendationRequest
from booth.core.text import TextError, UserText, clean_user_text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Str\u200bipe", "Stripe"),  # zero-width space
        ("\ufeffStripe", "Stripe"),  # byte order mark
        ("Data\u00adbricks", "Databricks"),  # soft hyphen
        ("Spo\u2060tify", "Spotify"),  # word joiner
        ("a\u200db", "ab"),  # a joiner between letters joins nothing
        ("  padded\n", "padded"),
        ("line one\nline two\tend", "line one\nline two\tend"),
        ("café naïve 日本語 مرحبا", "café naïve 日本語 مرحبا"),
    ],
)
def test_invisible_characters_are_stripped_and_visible_text_kept(raw, clean):
    assert clean_user_text(raw) == clean


@pytest.mark.parametrize(
    "emoji",
    [
        "\U0001f468\u200d\U0001f469\u200d\U0001f467",  # family: ZWJ sequence
        "\U0001f3f3\ufe0f\u200d\U0001f308",  # rainbow flag: variation selector + ZWJ
        "\u2764\ufe0f",  # heart with variation selector
        "\U0001f44d\U0001f3fd",  # thumbs up, skin tone
    ],
)
def test_emoji_sequences_stay_intact(emoji):
    assert clean_user_text(f"songs {emoji} please") == f"songs {emoji} please"


@pytest.mark.parametrize(
    "bad",
    ["\x00", "\x1b[31m", "\r", "\x7f", "\x85", "\x9b", "\u202e", "\u202a", "\u2066", "\u2069"],
)
def test_controls_and_bidi_overrides_are_refused_with_the_character_named(bad):
    with pytest.raises(TextError) as refused:
        clean_user_text(f"evil{bad}text")
    assert f"U+{ord(bad[0]):04X}" in str(refused.value)


@pytest.mark.parametrize(
    "model",
    [
        lambda q: FitCheckRequest(query=q),
        lambda q: RecommendationRequest(query=q),
        lambda q: PlanningRequest(query=q),
    ],
    ids=["fit-check", "music", "planning"],
)
def test_every_app_applies_the_same_rule(model):
    assert model("Str\u200bipe jobs").query == "Stripe jobs"
    for bad in ("Stripe \u202ejobs", "Stripe\x00jobs"):
        with pytest.raises(ValidationError):
            model(bad)


def test_blank_after_cleaning_is_refused():
    class Body(BaseModel):
        text: UserText

    with pytest.raises(ValidationError):
        Body(text="\u200b \ufeff")
    with pytest.raises(ValidationError):
        FitCheckRequest(query=" a\u200b ")  # fewer than 3 characters once cleaned
