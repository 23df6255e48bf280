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


# What a user can do about each failure; the message from the server says what happened.
NEXT_STEP = {
    ErrorCode.INVALID_QUERY: "Rephrase it and try again.",
    ErrorCode.RATE_LIMITED: "The server is at capacity. Wait a moment, then try again.",
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
    ErrorCode.RATE_LIMITED: "Too many requests right now",
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
        hint = f"The server is at capacity. Try again in {max(1, round(retry_after))} s."
    return TITLES.get(known, "Something went wrong"), hint


def error_notice(code: str, message: str, retry_after: float | None = None) -> str:
    """An error as the user should see it: what happened, then what to do next."""
    title, hint = describe_error(code, retry_after)
    return notice("error", title, message, hint, code=str(code))


def validation_message(error: ValidationError) -> str:
    """A pydantic error as one sentence about the user's input."""
    first = error.errors()[0]
    field = ".".join(str(part) for part in first.get("loc", ())) or "input"
    return f"{field}: {first.get('msg', 'invalid')}"
