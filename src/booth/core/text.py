"""The one validator of user text, shared by every app's request models.

Text a user types reaches prompts, logs, the UI and other users' screens (a shared catalog, a
report). Two classes of characters do harm there and are refused with a clear 422:
- C0/C1 control characters other than newline and tab (terminal escapes, NUL, carriage returns
  that rewrite a log line);
- bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069), which make text display
  in an order other than the one it is read in ("Trojan Source").

Invisible characters that carry no meaning in a query (zero-width spaces, BOM, soft hyphens,
word joiners …) are stripped, so "Str\u200bipe" and "Stripe" are the same query. A zero-width
joiner between two emoji, and variation selectors, are part of the emoji and stay.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

ALLOWED_CONTROLS = frozenset("\n\t")
BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
ZERO_WIDTH_JOINER = "\u200d"
# Format characters with no visible effect in a query; stripped wherever they appear.
INVISIBLE = frozenset(
    "\u00ad"  # soft hyphen
    "\u034f"  # combining grapheme joiner
    "\u061c"  # Arabic letter mark
    "\u115f\u1160\u3164\uffa0"  # Hangul fillers
    "\u180e"  # Mongolian vowel separator
    "\u200b\u200c\u200e\u200f"  # zero-width space, non-joiner, LRM, RLM
    "\u2060\u2061\u2062\u2063\u2064"  # word joiner, invisible operators
    "\ufeff"  # byte order mark / zero-width no-break space
)


class TextError(ValueError):
    """User text that must be refused; the message names the character and why."""


def _is_control(char: str) -> bool:
    return unicodedata.category(char) == "Cc" and char not in ALLOWED_CONTROLS


def _is_pictographic(char: str) -> bool:
    """Emoji-like: what a zero-width joiner may legitimately glue together."""
    return unicodedata.category(char) == "So" or 0x1F000 <= ord(char) <= 0x1FAFF


EMOJI_MODIFIERS = "\ufe0e\ufe0f\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff"


def _joins_emoji(text: str, index: int) -> bool:
    """A ZWJ at `index` sits between two emoji (skipping variation selectors and modifiers)."""
    before = text[:index].rstrip(EMOJI_MODIFIERS)
    after = text[index + 1 :]
    return bool(before and after) and _is_pictographic(before[-1]) and _is_pictographic(after[0])


# Every character `clean_user_text` refuses or strips (control characters are exactly category
# Cc: U+0000-U+001F and U+007F-U+009F). Text without any of them - nearly all text - is only
# trimmed, without a look at each character.
_SPECIAL = re.compile(
    "["
    + "".join(
        re.escape(chr(c))
        for c in (*range(0x20), *range(0x7F, 0xA0))
        if chr(c) not in ALLOWED_CONTROLS
    )
    + "".join(re.escape(c) for c in sorted(BIDI_CONTROLS | INVISIBLE | {ZERO_WIDTH_JOINER}))
    + "\ud800-\udfff]"
)


def clean_user_text(text: str) -> str:
    """`text` without invisible characters, trimmed; raises TextError for refused characters."""
    if _SPECIAL.search(text) is None:
        return text.strip()
    kept: list[str] = []
    for index, char in enumerate(text):
        if _is_control(char):
            raise TextError(f"control character U+{ord(char):04X} is not allowed")
        if char in BIDI_CONTROLS:
            raise TextError(f"bidirectional control U+{ord(char):04X} is not allowed")
        if unicodedata.category(char) == "Cs":
            raise TextError(f"unpaired surrogate U+{ord(char):04X} is not allowed")
        if char in INVISIBLE or (char == ZERO_WIDTH_JOINER and not _joins_emoji(text, index)):
            continue
        kept.append(char)
    return "".join(kept).strip()


def _class(chars: Iterable[str]) -> str:
    return "".join(f"\\u{ord(c):04x}" for c in sorted(chars))


# The same rule as a JSON-schema pattern, so the OpenAPI schema says what is accepted (lone
# surrogates, refused too, cannot be written in a pattern: JSON text rarely holds them).
_REFUSED = "\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f" + _class(BIDI_CONTROLS)
_INVISIBLE = _class(INVISIBLE | {ZERO_WIDTH_JOINER})


def text_pattern(min_visible: int) -> str:
    """Only allowed characters, at least `min_visible` of them neither space nor invisible."""
    allowed = f"[^{_REFUSED}]"
    visible = f"[^\\s{_REFUSED}{_INVISIBLE}]"
    return f"^(?:{allowed}*{visible}){{{min_visible}}}{allowed}*$"


@dataclass(frozen=True)
class UserTextRule:
    """Pydantic metadata: clean the text, and refuse it unless `min_visible` characters remain.

    Use as `Annotated[str, UserTextRule(3)]` (or the `UserText` alias for at least one); the
    JSON schema carries the same rule as a pattern.
    """

    min_visible: int = 1

    def check(self, text: str) -> str:
        cleaned = clean_user_text(text)
        if sum(1 for char in cleaned if not char.isspace()) < self.min_visible:
            raise TextError(
                "must not be blank"
                if self.min_visible == 1
                else f"must contain at least {self.min_visible} non-space characters"
            )
        return cleaned

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["pattern"] = text_pattern(self.min_visible)
        return json_schema


UserText = Annotated[str, UserTextRule(1)]
"""A pydantic field type: user text, cleaned and checked (combine with Field length limits)."""
