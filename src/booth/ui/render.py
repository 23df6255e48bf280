"""Text into HTML and Markdown, safely, and the notices every tab shows.

Everything a user typed or a catalog holds is untrusted. For `gr.HTML` it goes through `esc`
(html.escape). For the Chatbot, which renders Markdown and then sanitises the HTML, sanitising is
not enough (it keeps `<img>`, links, formatting), so `literal_md` backslash-escapes every ASCII
punctuation character: CommonMark then shows the text exactly as written.
"""

from __future__ import annotations

import html
import re
import string
from urllib.parse import urlparse

from pydantic import ValidationError

from booth.core.errors import ErrorCode

_MD_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")


def esc(value: object) -> str:
    """Any value as HTML text (quotes too, so it is safe inside attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


def literal_md(value: object) -> str:
    """Any value as Markdown that renders as exactly that text, markup and all."""
    return _MD_PUNCTUATION.sub(r"\\\1", "" if value is None else str(value))


def safe_url(value: object) -> str | None:
    """An http(s) URL fit for an href, or None (no `javascript:` or `data:` links)."""
    if not isinstance(value, str):
        return None
    parsed = urlparse(value.strip())
    if parsed.scheme in ("http", "https") and parsed.netloc:
        return value.strip()
    return None


# The services booth leans on, as a user would name them (degraded banners).
UPSTREAM_NAMES = {
    "llm": "The language model",
    "lastfm": "Last.fm",
    "search": "Web search",
    "pages": "Web page fetching",
}


def upstream_name(key: str) -> str:
    return UPSTREAM_NAMES.get(key, key.replace("_", " ").capitalize())


# What a user can do about each failure; the message from the server says what happened.
NEXT_STEP = {
    ErrorCode.INVALID_QUERY: "Change it and try again.",
    ErrorCode.RATE_LIMITED: "The server is busy. Wait a moment, then try again.",
    ErrorCode.BUSY: "Wait for the current request in this tab to finish, then try again.",
    ErrorCode.FORBIDDEN: "Start a new session with the “New session” button.",
    ErrorCode.NOT_FOUND: "Start a new session with the “New session” button.",
    ErrorCode.UPSTREAM_UNAVAILABLE: "A service booth depends on is down. Try again in a minute.",
    ErrorCode.SEARCH_ERROR: "The search provider failed. Try again in a minute.",
    ErrorCode.LLM_ERROR: "The language model failed. Try again in a minute.",
    ErrorCode.PIPELINE_ERROR: "Try again; if it keeps failing, check the server log.",
    ErrorCode.TIMEOUT: "It took too long. Try again, or ask something more specific.",
    ErrorCode.CANCELLED: "Run it again when you are ready.",
    ErrorCode.SHUTTING_DOWN: "The server is restarting. Try again in a few seconds.",
    ErrorCode.INTERNAL: "Try again; if it keeps failing, check the server log.",
}

TITLES = {
    ErrorCode.INVALID_QUERY: "That request can’t be used",
    ErrorCode.RATE_LIMITED: "The server is busy",
    ErrorCode.BUSY: "This tab is still working",
    ErrorCode.FORBIDDEN: "This session is not yours",
    ErrorCode.NOT_FOUND: "This session has expired",
    ErrorCode.TIMEOUT: "Timed out",
    ErrorCode.CANCELLED: "Cancelled",
    ErrorCode.SHUTTING_DOWN: "Server restarting",
}


def notice(kind: str, title: str, body: str = "", hint: str = "", code: str = "") -> str:
    """A one-box message: kind is info, success, warning or error; code names an error."""
    parts = [f'<div class="notice notice-{esc(kind)}" data-code="{esc(code)}" role="status">']
    parts.append(f'<div class="notice-title">{esc(title)}</div>')
    if body:
        parts.append(f'<div class="notice-body">{esc(body)}</div>')
    if hint:
        parts.append(f'<div class="notice-hint">{esc(hint)}</div>')
    parts.append("</div>")
    return "".join(parts)


def describe_error(code: str, retry_after: float | None = None) -> tuple[str, str]:
    """A title for an error code and the next step a user can take."""
    try:
        known = ErrorCode(code)
    except ValueError:
        known = ErrorCode.INTERNAL
    hint = NEXT_STEP[known]
    if known is ErrorCode.RATE_LIMITED and retry_after:
        hint = f"The server is busy. Try again in {max(1, round(retry_after))} s."
    return TITLES.get(known, "Something went wrong"), hint


def error_notice(code: str, message: str, retry_after: float | None = None) -> str:
    """An error as the user should see it: what happened, then what to do next."""
    title, hint = describe_error(code, retry_after)
    return notice("error", title, message, hint, code=str(code))


def validation_message(error: ValidationError) -> str:
    """A pydantic error as one plain sentence about what the user typed (no field paths)."""
    first = error.errors()[0]
    context = first.get("ctx") or {}
    if first["type"] in ("string_too_short", "too_short"):
        return f"That is too short: type at least {context.get('min_length', 1)} characters."
    if first["type"] in ("string_too_long", "too_long"):
        return f"That is too long: keep it under {context.get('max_length')} characters."
    reason = str(first.get("msg", "")).removeprefix("Value error, ").rstrip(".")
    if reason.startswith("must "):  # booth's text validator: "must contain at least 3 …"
        reason = "it " + reason
    return f"That text can’t be used: {reason}." if reason else "That text can’t be used."


# Status marks a model may write as emoji (✅🟡❌): without an emoji font they are empty boxes,
# so the answer's Markdown shows them as words. Variation selectors go with them.
EMOJI_MARKS = {
    "✅": "**[met]**",
    "✔": "**[met]**",
    "☑": "**[met]**",
    "🟢": "**[met]**",
    "🟡": "**[partly]**",
    "🟠": "**[partly]**",
    "⚠": "**[caution]**",
    "❌": "**[missing]**",
    "✖": "**[missing]**",
    "🔴": "**[missing]**",
}
_MARKS = re.compile("(" + "|".join(map(re.escape, EMOJI_MARKS)) + ")\ufe0f?")


def answer_markdown(text: str) -> str:
    """A model-written answer for `gr.Markdown`: its HTML escaped, its emoji marks as words."""
    escaped = html.escape(text, quote=False)
    return _MARKS.sub(lambda m: EMOJI_MARKS[m.group(1)], escaped)


# Run when a results panel loads: when a new result (a new `data-reveal` key) arrives out of
# sight — below the fold on a phone — scroll it into view, once.
REVEAL_JS = """
let revealed = null;
new MutationObserver(() => {
  const marked = element.querySelector('[data-reveal]');
  const key = marked ? marked.dataset.reveal : null;
  if (!key || key === revealed) return;
  revealed = key;
  const box = marked.getBoundingClientRect();
  if (box.top > window.innerHeight * 0.6 || box.bottom < 0) {
    const still = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    marked.scrollIntoView({behavior: still ? 'auto' : 'smooth', block: 'start'});
  }
}).observe(element, {childList: true, subtree: true});
"""
