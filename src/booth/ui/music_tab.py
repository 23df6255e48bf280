"""The Music tab: a chat, example chips per intent, follow-up chips and track cards.

Each turn calls the same `recommend` service the HTTP API calls, on the tab's own session, so a
follow-up ("More tracks") continues this tab's conversation and no other. The cards' thumbs call
the same `feedback` service as `POST /feedback`.
"""

from __future__ import annotations

from typing import Any

import gradio as gr
from pydantic import ValidationError

from booth.apps.music.pipeline import MusicEngine
from booth.apps.music.service import (
    FeedbackRequest,
    RecommendationRequest,
    default_engine,
    recommend,
    record_feedback,
)
from booth.config import Settings
from booth.core.errors import BoothError, ErrorCode
from booth.core.host import Host
from booth.ui.music_view import (
    THUMBS_JS,
    answer_message,
    error_message,
    pending_message,
    tracks_html,
    user_message,
)
from booth.ui.render import describe_error, validation_message
from booth.ui.session import TabSession, client_of, open_tab_session, session_badge

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


def build(host: Host, settings: Settings) -> None:
    """Lay out the tab and wire its events (called inside the Blocks context)."""
    engine = default_engine(host, settings.music_context_window)  # shared with the API
    session = gr.State(None)
    shelf = gr.State(None)  # the last answer's tracks and this tab's votes on them
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
                    show_label=False,
                    scale=5,
                    max_lines=3,
                    placeholder="e.g. Songs by Radiohead",
                    elem_id="music-input",
                )
                send = gr.Button(
                    "Send", variant="primary", scale=1, min_width=80, elem_id="music-send"
                )
            gr.HTML('<div class="chip-label">Follow up</div>', js_on_load=None)
            with gr.Row(elem_classes="chip-row", elem_id="music-followups"):
                follow_ups = [gr.Button(text, size="sm") for text in FOLLOW_UPS]
            gr.HTML('<div class="chip-label">Try</div>', js_on_load=None)
            with gr.Row(elem_classes="chip-row", elem_id="music-examples"):
                examples = [gr.Button(text, size="sm", variant="secondary") for _, text in EXAMPLES]
        with gr.Column(scale=6, min_width=320):
            cards = gr.HTML(tracks_html(None), elem_id="music-tracks", js_on_load=THUMBS_JS)

    turn_outputs = [session, badge, chat, shelf, cards, message]

    async def on_message(text: str, history: list, state: TabSession | None, request: gr.Request):
        async for update in chat_turn(host, engine, text, history, state, client_of(request)):
            yield update

    async def on_vote(state: TabSession | None, current: dict | None, event: gr.EventData):
        track_id, liked = event_field(event, "track_id"), event_field(event, "liked")
        return await vote(host, engine, state, current, str(track_id or ""), liked is True)

    def on_new_session():
        return None, session_badge(None), [], None, tracks_html(None), ""

    for trigger in (send.click, message.submit):
        trigger(on_message, [message, chat, session], turn_outputs, show_progress="hidden")
    for chip in follow_ups + examples:
        chip.click(on_message, [chip, chat, session], turn_outputs, show_progress="hidden")
    cards.click(on_vote, [session, shelf], [shelf, cards], show_progress="hidden")
    new_session.click(on_new_session, None, turn_outputs, show_progress="hidden")
    chat.clear(on_new_session, None, turn_outputs, show_progress="hidden")  # forget it all


async def chat_turn(
    host: Host,
    engine: MusicEngine,
    text: str,
    history: list,
    state: TabSession | None,
    client: str | None,
):
    """One chat turn: show the message at once, then the answer (or what went wrong)."""
    text = (text or "").strip()
    history = list(history or [])
    if not text:  # an empty Send: leave everything as it is
        yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        return
    asked = history + [user_message(text)]
    yield state, session_badge(state), asked + [pending_message()], gr.skip(), gr.skip(), ""
    try:
        body = RecommendationRequest(query=text, max_recommendations=TRACKS_PER_TURN)
        opened, state = await open_tab_session(host, state)
        response = await recommend(host, engine, opened, body, client)
    except ValidationError as error:
        reply = _error_reply(ErrorCode.INVALID_QUERY, validation_message(error))
        yield state, session_badge(state), asked + [reply], gr.skip(), gr.skip(), text
        return
    except BoothError as error:
        reply = _error_reply(error.code, error.message, error.retry_after)
        yield state, session_badge(state), asked + [reply], gr.skip(), gr.skip(), text
        return
    shelf = new_shelf(text, response)
    yield (
        state,
        session_badge(state),
        asked + [answer_message(response)],
        shelf,
        tracks_html(shelf),
        "",
    )


def new_shelf(query: str, response: dict[str, Any]) -> dict[str, Any]:
    """What the cards show: this answer's tracks, with no votes yet."""
    return {
        "query": query,
        "intent": (response.get("strategy_used") or {}).get("intent"),
        "decision": (response.get("strategy_used") or {}).get("decision"),
        "tracks": list(response.get("recommendations") or []),
        "feedback": {},
    }


async def vote(
    host: Host,
    engine: MusicEngine,
    state: TabSession | None,
    shelf: dict | None,
    track_id: str,
    liked: bool,
):
    """Record a thumbs up/down on a track the tab is showing; redraw the cards with it."""
    shown = {t.get("track_id") for t in (shelf or {}).get("tracks", [])}
    if state is None or shelf is None or track_id not in shown:
        return gr.skip(), gr.skip()
    body = FeedbackRequest(
        session_id=state["id"], track_id=track_id, feedback="thumbs_up" if liked else "thumbs_down"
    )
    try:
        answer = await record_feedback(host, engine, body, state["token"])
    except BoothError as error:
        gr.Warning(f"{error.message} {describe_error(error.code, error.retry_after)[1]}")
        return gr.skip(), gr.skip()
    shelf = {**shelf, "feedback": {**shelf["feedback"], track_id: 1 if liked else -1}}
    gr.Info(answer.get("effect") or "Feedback recorded.")
    return shelf, tracks_html(shelf)


def event_field(event: gr.EventData, name: str) -> Any:
    """A field of the data a custom event carried, or None."""
    try:
        return getattr(event, name)
    except (AttributeError, TypeError):
        return None


def _error_reply(code: str, message: str, retry_after: float | None = None) -> dict[str, str]:
    title, hint = describe_error(code, retry_after)
    return error_message(title, message, hint)
