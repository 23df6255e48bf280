"""The Music tab: a chat, example chips per intent, follow-up chips and track cards.

Each turn calls the same `recommend` service the HTTP API calls, on the tab's own session, so a
follow-up ("More tracks") continues this tab's conversation and no other. The cards' thumbs call
the same `feedback` service as `POST /feedback`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

import gradio as gr
from pydantic import ValidationError

from booth.apps.music.pipeline import MusicEngine
from booth.apps.music.service import (
    FEEDBACK_NAMES,
    FeedbackRequest,
    RecommendationRequest,
    engine_slot,
    record_feedback,
    start_recommendation,
)
from booth.config import Settings
from booth.core.errors import BoothError
from booth.core.host import Host
from booth.ui.music_view import (
    THUMBS_JS,
    Shelf,
    answer_message,
    error_message,
    new_turn,
    pending_message,
    read_answer,
    tracks_html,
    turn_heading,
    user_message,
)
from booth.ui.render import REVEAL_JS, describe_error, validation_message
from booth.ui.session import TabSession, client_of, open_tab_session, session_badge
from booth.ui.status import STATUS_JS, RunState, idle_html, queued_html, refused_html, status_html

# One example per intent the planner knows; each is checked against the planner in the tests.
EXAMPLES = (
    ("by_artist", "Songs by Radiohead"),
    ("by_artist_underground", "Deep cuts by Radiohead"),
    ("artist_similarity", "Music like Bon Iver"),
    ("artist_genre", "Michael Jackson funk songs"),
    ("hybrid_similarity_genre", "Electronic music like Aphex Twin"),
    ("discovery", "Discover new electronic artists"),
    ("discovering_serendipity", "Surprise me"),
    ("genre_mood", "Sad R&B"),
    ("contextual", "Jazz for studying"),
)
FOLLOW_UPS = ("More tracks", "More like these", "More from this artist", "Something different")
TRACKS_PER_TURN = 6


KEYS_HINT = "Press Enter to send."
IDLE_TEXT = "Ask for music: an artist, a genre, a mood or a moment."
Frame = tuple[Any, ...]
SKIP = object()  # a `TurnFrame` field left unset: that output keeps its value


def build(host: Host, settings: Settings) -> None:
    """Lay out the tab and wire its events (called inside the Blocks context)."""
    # Shared with the API, and built on the first music request (not while the page is built).
    slot = engine_slot(host, settings.music_context_window)
    session = gr.State(None)
    shelf = gr.State(None)  # the conversation's turns and this tab's votes on their tracks
    with gr.Row(elem_classes="session-row"):
        badge = gr.HTML(session_badge(None), elem_id="music-session", js_on_load=None)
        new_session = gr.Button(
            "New session",
            size="sm",
            variant="secondary",
            elem_id="music-new-session",
            scale=0,
            min_width=120,
        )
    with gr.Row(equal_height=False):
        with gr.Column(scale=5, min_width=320):
            chat = gr.Chatbot(
                label="Music chat",
                show_label=False,
                elem_id="music-chat",
                height=440,
                buttons=[],
                feedback_options=None,
                allow_tags=False,
                latex_delimiters=[],
                placeholder="Ask for music: an artist, a genre, a mood or a moment.",
            )
            with gr.Row():
                message = gr.Textbox(
                    label="Ask for music",
                    show_label=False,
                    scale=5,
                    max_lines=3,
                    placeholder="e.g. Songs by Radiohead",
                    elem_id="music-input",
                )
                send = gr.Button(
                    "Send", variant="primary", scale=1, min_width=80, elem_id="music-send"
                )
            gr.HTML(f'<div class="keys-hint">{KEYS_HINT}</div>', js_on_load=None)
            status = gr.HTML(idle_html(IDLE_TEXT), elem_id="music-status", js_on_load=STATUS_JS)
            gr.HTML('<div class="chip-label">Follow up</div>', js_on_load=None)
            with gr.Row(elem_classes="chip-row", elem_id="music-followups"):
                follow_ups = [gr.Button(text, size="sm", interactive=False) for text in FOLLOW_UPS]
            gr.HTML('<div class="chip-label">Try</div>', js_on_load=None)
            with gr.Row(elem_classes="chip-row", elem_id="music-examples"):
                examples = [gr.Button(text, size="sm", variant="secondary") for _, text in EXAMPLES]
        with gr.Column(scale=6, min_width=320):
            cards = gr.HTML(
                tracks_html(None), elem_id="music-tracks", js_on_load=THUMBS_JS + REVEAL_JS
            )

    controls = Controls(len(follow_ups), len(examples))
    turn_outputs = [session, badge, chat, shelf, cards, message, status, send]
    turn_outputs += follow_ups + examples

    async def on_message(
        text: str, history: list, state: TabSession | None, current, request: gr.Request
    ):
        engine = await slot.ready()
        turn = chat_turn(host, engine, text, history, state, current, client_of(request), controls)
        async for update in turn:
            yield update

    async def on_vote(state: TabSession | None, current: Shelf | None, event: gr.EventData):
        track_id, choice = event_field(event, "track_id"), event_field(event, "vote")
        engine = await slot.ready()
        return await vote(host, engine, state, current, str(track_id or ""), str(choice or ""))

    def on_new_session() -> Frame:
        return (
            None,
            session_badge(None),
            [],
            None,
            tracks_html(None),
            "",
            idle_html(IDLE_TEXT),
            *controls.frame(running=False, can_follow=False),
        )

    inputs = [chat, session, shelf]
    for trigger in (send.click, message.submit):
        trigger(on_message, [message, *inputs], turn_outputs, show_progress="hidden")
    for chip in follow_ups + examples:
        chip.click(on_message, [chip, *inputs], turn_outputs, show_progress="hidden")
    cards.click(on_vote, [session, shelf], [shelf, cards, status], show_progress="hidden")
    new_session.click(on_new_session, None, turn_outputs, show_progress="hidden")
    chat.clear(on_new_session, None, turn_outputs, show_progress="hidden")  # forget it all


class Controls:
    """Send and the chips: all off while this tab's turn runs; follow-ups only with tracks."""

    def __init__(self, follow_ups: int, examples: int) -> None:
        self.follow_ups = follow_ups
        self.examples = examples

    def frame(self, running: bool, can_follow: bool) -> tuple[Any, ...]:
        send = gr.update(interactive=not running)
        follow = [gr.update(interactive=can_follow and not running)] * self.follow_ups
        try_ = [gr.update(interactive=not running)] * self.examples
        return (send, *follow, *try_)


def _can_follow(shelf: Shelf | None) -> bool:
    return bool(shelf and shelf.turns and shelf.turns[-1].tracks)


@dataclass
class TurnFrame:
    """One update of the tab's turn outputs, by name; anything left unset stays as it is."""

    controls: Controls
    running: bool
    can_follow: bool
    session: Any = SKIP
    badge: Any = SKIP
    chat: Any = SKIP
    shelf: Any = SKIP
    cards: Any = SKIP
    message: Any = SKIP
    status: Any = SKIP

    def out(self) -> Frame:
        values = (self.session, self.badge, self.chat, self.shelf, self.cards, self.message)
        return (
            *(gr.skip() if v is SKIP else v for v in (*values, self.status)),
            *self.controls.frame(running=self.running, can_follow=self.can_follow),
        )


async def chat_turn(
    host: Host,
    engine: MusicEngine,
    text: str,
    history: list,
    state: TabSession | None,
    shelf: Shelf | None,
    client: str | None,
    controls: Controls,
) -> AsyncIterator[Frame]:
    """One chat turn: show the message at once, then the answer (or what went wrong).

    A turn the server cannot start (busy, invalid) puts the chat back as it was, the text back
    in the box, and says why on the status line, as the Fit Check tab does.
    """
    text = (text or "").strip()
    history = list(history or [])
    idle = TurnFrame(controls, running=False, can_follow=_can_follow(shelf))
    busy = replace(idle, running=True)
    if not text:  # an empty Send: leave everything as it is
        yield idle.out()
        return
    try:
        body = RecommendationRequest.model_validate(
            {"query": text, "max_recommendations": TRACKS_PER_TURN}
        )
    except ValidationError as error:
        yield replace(idle, status=status_html(RunState.FAILED, validation_message(error))).out()
        return
    asked = history + [user_message(text)]
    yield replace(busy, chat=asked + [pending_message()], message="", status=queued_html()).out()
    try:
        opened, state = await open_tab_session(host, state)
        run, subscriber = await start_recommendation(host, engine, opened, body, client)
    except BoothError as error:  # turned away or refused: nothing started, nothing lost
        yield replace(idle, chat=history, message=text, status=refused_html(error)).out()
        return
    started = replace(busy, session=state, badge=session_badge(state))
    yield replace(started, status=status_html(RunState.RUNNING, "Finding tracks…")).out()
    try:
        answer = read_answer((await host.runtime.outcome(run, subscriber)).root)
    except BoothError as error:
        reply = _error_reply(error.code, error.message, error.retry_after)
        failed = status_html(RunState.FAILED, "That request failed: see the chat.")
        yield replace(
            started, running=False, chat=asked + [reply], message=text, status=failed
        ).out()
        return
    shelf = Shelf(
        turns=[*(shelf.turns if shelf else []), new_turn(text, answer)],
        feedback=shelf.feedback if shelf else {},
    )
    reply = answer_message(answer, new_session=opened.minted_token is not None)
    yield replace(
        started,
        running=False,
        can_follow=_can_follow(shelf),
        chat=asked + [reply],
        shelf=shelf,
        cards=tracks_html(shelf),
        status=status_html(RunState.DONE, f"Done: {turn_heading(answer)}."),
    ).out()


VOTES = {"up": 1, "down": -1, "undo": 0}  # what a card's buttons send → the vote they ask for


def vote_asked(choice: str, current: int | None) -> int | None:
    """The vote a click asks for: a pressed thumb pressed again, or Undo, takes it back (0)."""
    if choice not in VOTES:
        return None
    asked = VOTES[choice]
    return 0 if asked == current else asked


async def vote(
    host: Host,
    engine: MusicEngine,
    state: TabSession | None,
    shelf: Shelf | None,
    track_id: str,
    choice: str,
):
    """A thumbs up/down on a track the tab is showing, or the undo of either (Undo, or the
    pressed thumb again), sent as `POST /feedback` would; what it changes is said on the
    status line (a live region), not in a pop-up."""
    if state is None or shelf is None or shelf.shows(track_id) is None:
        return gr.skip(), gr.skip(), gr.skip()
    asked = vote_asked(choice, shelf.feedback.get(track_id))
    if asked is None:
        return gr.skip(), gr.skip(), gr.skip()
    try:
        body = FeedbackRequest.model_validate(
            {"session_id": state["id"], "track_id": track_id, "feedback": FEEDBACK_NAMES[asked]}
        )
        answer = await record_feedback(host, engine, body, state["token"])
    except BoothError as error:
        return gr.skip(), gr.skip(), refused_html(error)
    shelf = shelf.voted(track_id, asked or None)
    said = "Noted." if asked else "Undone."
    noted = status_html(RunState.DONE, f"{said} {answer.get('effect') or ''}".strip())
    return shelf, tracks_html(shelf), noted


def event_field(event: gr.EventData, name: str) -> Any:
    """A field of the data a custom event carried, or None."""
    try:
        return getattr(event, name)
    except (AttributeError, TypeError):
        return None


def _error_reply(code: str, message: str, retry_after: float | None = None) -> dict[str, str]:
    title, hint = describe_error(code, retry_after)
    return error_message(title, message, hint)
