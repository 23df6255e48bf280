"""A browser tab's session: the `gr.State` that holds its id and token.

Gradio keeps one copy of each `gr.State` per page load, on the server. That copy is the only
place the tab's session lives: nothing is shared between tabs, a refresh starts from an empty
state (so a new session), and the token never reaches the browser.

The state starts empty. The tab's first request creates a session (its token minted); every
later request opens it again with that token, exactly as an HTTP client would.
"""

from __future__ import annotations

from typing import TypedDict

from booth.core.host import Host
from booth.core.sessions.access import OpenedSession
from booth.ui.render import esc


class TabSession(TypedDict):
    id: str
    token: str


async def open_tab_session(
    host: Host, state: TabSession | None
) -> tuple[OpenedSession, TabSession]:
    """Open the tab's session, creating it on first use; returns the state to store back."""
    session_id = state["id"] if state else None
    token = state["token"] if state else None
    opened = await host.open_session(session_id, token)
    if opened.minted_token is not None:  # created now: the tab's first request, or it expired
        return opened, TabSession(id=opened.id, token=opened.minted_token)
    return opened, state  # type: ignore[return-value]  # opened with the state's own token


def short_id(session_id: str) -> str:
    """The first 8 characters: enough to tell sessions apart at a glance."""
    return session_id[:8]


def session_badge(state: TabSession | None) -> str:
    """The tab's session, shown so a user (and a test) can see which one they are in."""
    if not state:
        return (
            '<div class="session-badge" data-session-id="">'
            '<span class="session-dot idle"></span>New session: starts with your first request'
            "</div>"
        )
    full = esc(state["id"])
    return (
        f'<div class="session-badge" data-session-id="{full}" title="Session {full}">'
        f'<span class="session-dot"></span>Session <code>{esc(short_id(state["id"]))}</code>'
        "</div>"
    )


def client_of(request: object) -> str | None:
    """The caller's address (a `gr.Request`), the key of booth's per-client admission cap."""
    client = getattr(request, "client", None)
    return getattr(client, "host", None)
