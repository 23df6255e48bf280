"""How a Music answer looks: track cards (escaped HTML) and the chat's own messages.

Catalog text (titles, artists, tags, explanations) is untrusted like user text: user data can be
imported into the catalog, so every field goes through `esc` in HTML and `literal_md` in the
chat. Links are kept only when they are http(s).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from booth.ui.render import esc, literal_md, safe_url, upstream_name

LINK_NAMES = {
    "lastfm": "Last.fm",
    "spotify": "Spotify",
    "youtube": "YouTube",
    "musicbrainz": "MusicBrainz",
    "apple_music": "Apple Music",
    "bandcamp": "Bandcamp",
}
INTENT_NAMES = {
    "by_artist": "songs by the artist",
    "by_artist_underground": "deep cuts by the artist",
    "artist_similarity": "artists like the one you named",
    "artist_genre": "the artist in that genre",
    "hybrid_similarity_genre": "similar artists in that genre",
    "discovery": "new artists to discover",
    "discovering_serendipity": "a surprise mix",
    "genre_mood": "that genre and mood",
    "contextual": "music for the moment",
}
DECISION_LEADS = {  # how a turn's tracks relate to the conversation so far
    "load_more": "more tracks like the last ones",
    "artist_deep_dive": "more from this artist",
    "style_continuation": "more in the same style",
    "refinement": "the same request, adjusted as you asked",
    "variation": "something different",
}
NEW_REQUESTS = ("new_query", "fresh_start")
DEGRADED_EFFECTS = {
    "lastfm": "These tracks come from booth’s own catalog, so there may be fewer than usual.",
    "llm": "Requests are read by booth’s own rules instead.",
    "other": "booth carries on without it; answers may be less complete than usual.",
}


class _Read(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Track(_Read):
    """A recommended track, as the `result` event carries it (the fields the cards show)."""

    track_id: str = ""
    title: str = ""
    artist: str = ""
    album: str | None = None
    year: int | str | None = None
    genres: list[str] = []
    moods: list[str] = []
    tags: list[str] = []
    explanation: str | None = None
    confidence: float | None = None
    external_urls: dict[str, str] = {}
    preview_url: str | None = None


class Strategy(_Read):
    intent: str | None = None
    decision: str | None = None


class Understood(_Read):
    unknown_artist: str | None = None
    did_you_mean: list[str] = []
    corrections: dict[str, str] = {}  # typed → catalog name


class ContextDecision(_Read):
    stale_context: bool = False


class Metadata(_Read):
    query_understanding: Understood = Understood()
    context_decision: ContextDecision = ContextDecision()
    degraded: list[str] = []
    max_recommendations: int | None = None


class MusicAnswer(_Read):
    """Music's `result`: read once, here, through a model (unknown keys are ignored)."""

    recommendations: list[Track] = []
    strategy_used: Strategy = Strategy()
    metadata: Metadata = Metadata()


class Turn(_Read):
    """One answered request of this tab's conversation, as the cards show it."""

    query: str
    heading: str
    tracks: list[Track]
    degraded: list[str] = []


class Shelf(_Read):
    """The conversation's turns (newest last) and this tab's votes on their tracks."""

    turns: list[Turn] = []
    feedback: dict[str, int] = {}

    def shows(self, track_id: str) -> Track | None:
        return next((t for turn in self.turns for t in turn.tracks if t.track_id == track_id), None)

    def voted(self, track_id: str, value: int | None) -> Shelf:
        feedback = {k: v for k, v in self.feedback.items() if k != track_id}
        if value is not None:
            feedback[track_id] = value
        return self.model_copy(update={"feedback": feedback})


# -- track cards ---------------------------------------------------------------------------------
def tracks_html(shelf: Shelf | None) -> str:
    """The conversation's cards: the newest turn open, earlier turns folded away."""
    if not shelf or not shelf.turns:
        return (
            '<div class="tracks-empty">Ask for music in the chat. '
            "The tracks appear here, with why each was picked.</div>"
        )
    *earlier, latest = shelf.turns
    parts = [_turn_html(latest, shelf.feedback, len(shelf.turns), latest=True)]
    if earlier:
        parts.append('<h3 class="earlier-head">Earlier in this conversation</h3>')
        for number, turn in reversed(list(enumerate(earlier, 1))):
            parts.append(
                f'<details class="turn turn-earlier" data-turn="{number}">'
                f"<summary>“{esc(turn.query)}” · {esc(turn.heading)}</summary>"
                f"{_turn_html(turn, shelf.feedback, number, latest=False)}</details>"
            )
    return f'<div class="conversation" data-turns="{len(shelf.turns)}">{"".join(parts)}</div>'


def _turn_html(turn: Turn, feedback: dict[str, int], number: int, latest: bool) -> str:
    cards = "".join(track_card(t, feedback.get(t.track_id)) for t in turn.tracks)
    head = ""
    if latest:
        head = (
            f'<div class="tracks-head"><span>{esc(turn.heading)}</span>'
            f"<small>You asked: “{esc(turn.query)}”</small></div>"
        )
    body = f'<div class="track-list">{cards}</div>' if cards else ""
    marks = f' class="tracks turn-latest" data-reveal="{number}"' if latest else ' class="tracks"'
    banner = degraded_html(turn.degraded) if latest else ""
    return (
        f'<div{marks} data-count="{len(turn.tracks)}" data-turn="{number}">'
        f"{banner}{head}{body}</div>"
    )


def degraded_html(providers: list[str]) -> str:
    """The banner for a turn answered without some provider: say which, and what it means."""
    if not providers:
        return ""
    names = [upstream_name(p) for p in providers]
    effects = " ".join(DEGRADED_EFFECTS.get(p, DEGRADED_EFFECTS["other"]) for p in providers)
    verb = "is" if len(names) == 1 else "are"
    return (
        f'<div class="notice notice-warning degraded" data-providers="{esc(" ".join(providers))}">'
        f'<div class="notice-title">{esc(_and(names))} {verb} not answering right now</div>'
        f'<div class="notice-body">{esc(effects)}</div></div>'
    )


def track_card(track: Track, vote: int | None = None) -> str:
    """One track: what it is, why it was picked, how sure, where to hear it, and thumbs."""
    track_id = esc(track.track_id)
    album = " · ".join(esc(part) for part in (track.album, track.year) if part)
    disliked = vote == -1
    return (
        f'<article class="track-card{" track-disliked" if disliked else ""}" '
        f'data-track-id="{track_id}" data-artist="{esc(track.artist)}" '
        f'data-genres="{esc(";".join(track.genres))}" data-vote="{vote or 0}">'
        f'<div class="track-title">{esc(track.title)}</div>'
        f'<div class="track-artist">{esc(track.artist)}</div>'
        + (f'<div class="track-album">{album}</div>' if album else "")
        + _confidence_html(track.confidence)
        + (f'<p class="track-why">{esc(track.explanation)}</p>' if track.explanation else "")
        + _tags_html(track)
        + '<div class="track-foot">'
        + _links_html(track)
        + _thumbs_html(track_id, vote)
        + "</div>"
        + (_undo_html(track_id) if disliked else "")
        + "</article>"
    )


def _undo_html(track_id: str) -> str:
    return (
        '<div class="undo-row"><span>You won’t be shown this track again.</span>'
        f'<button class="undo" data-feedback="undo" data-track-id="{track_id}">Undo</button></div>'
    )


def _confidence_html(confidence: Any) -> str:
    if not isinstance(confidence, int | float):
        return ""
    percent = round(100 * max(0.0, min(1.0, float(confidence))))
    return (
        f'<div class="confidence" title="How well it fits your request">'
        f'<span>Fit</span><span class="bar"><span style="width:{percent}%"></span></span>'
        f"<span>{percent}%</span></div>"
    )


def _tags_html(track: Track) -> str:
    labels: dict[str, None] = {}
    for value in [*track.genres, *track.moods, *track.tags]:
        labels.setdefault(str(value), None)
    if not labels:
        return ""
    items = "".join(f"<li>{esc(label)}</li>" for label in list(labels)[:8])
    return f'<ul class="tags">{items}</ul>'


def _links_html(track: Track) -> str:
    links = []
    for name, url in track.external_urls.items():
        href = safe_url(url)
        if href:
            text = LINK_NAMES.get(name, name.replace("_", " ").title())
            links.append(
                f'<a href="{esc(href)}" target="_blank" rel="noopener noreferrer">{esc(text)}</a>'
            )
    preview = safe_url(track.preview_url)
    if preview:
        links.append(
            f'<a href="{esc(preview)}" target="_blank" rel="noopener noreferrer">Preview</a>'
        )
    return f'<div class="track-links">{"".join(links)}</div>'


# Thumbs icons drawn inline (Lucide's thumbs-up/down, ISC licence): emoji fonts may be missing.
THUMB_UP_SVG = (
    '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M7 10v12"/><path d="M15 5.88 14 '
    "10h5.83a2 2 0 0 1 1.92 2.56l-2.33 8A2 2 0 0 1 17.5 22H4a2 2 0 0 1-2-2v-8a2 2 0 0 1 "
    '2-2h2.76a2 2 0 0 0 1.79-1.11L12 2a3.13 3.13 0 0 1 3 3.88Z"/></svg>'
)
THUMB_DOWN_SVG = (
    '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M17 14V2"/><path d="M9 18.12 10 '
    "14H4.17a2 2 0 0 1-1.92-2.56l2.33-8A2 2 0 0 1 6.5 2H20a2 2 0 0 1 2 2v8a2 2 0 0 1-2 "
    '2h-2.76a2 2 0 0 0-1.79 1.11L12 22a3.13 3.13 0 0 1-3-3.88Z"/></svg>'
)


def _thumbs_html(track_id: str, vote: int | None) -> str:
    """Two toggle buttons the cards' script turns into a `click` event for this track: a
    pressed one pressed again takes the vote back."""
    up, down = vote == 1, vote == -1
    up_title = "Take back your thumbs-up" if up else "More like this"
    down_title = "Take back your thumbs-down" if down else "Less like this"
    return (
        '<div class="thumbs">'
        f'<button class="thumb" data-feedback="up" data-track-id="{track_id}" '
        f'aria-pressed="{str(up).lower()}" title="{up_title}" aria-label="Thumbs up">'
        f"{THUMB_UP_SVG}</button>"
        f'<button class="thumb" data-feedback="down" data-track-id="{track_id}" '
        f'aria-pressed="{str(down).lower()}" title="{down_title}" aria-label="Thumbs down">'
        f"{THUMB_DOWN_SVG}</button></div>"
    )


# The cards are plain HTML; this script (run once when the component loads) turns a click on a
# thumb into a Gradio `click` event carrying the track id and the vote.
THUMBS_JS = """
element.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-feedback]');
  if (!button) return;
  trigger('click', {track_id: button.dataset.trackId, vote: button.dataset.feedback});
});
"""


# -- chat messages -------------------------------------------------------------------------------
def user_message(text: str) -> dict[str, str]:
    return {"role": "user", "content": literal_md(text)}


def pending_message() -> dict[str, str]:
    return {"role": "assistant", "content": "_Finding tracks…_"}


def read_answer(result: dict[str, Any]) -> MusicAnswer:
    return MusicAnswer.model_validate(result)


def new_turn(query: str, answer: MusicAnswer) -> Turn:
    return Turn(
        query=query,
        heading=turn_heading(answer),
        tracks=answer.recommendations,
        degraded=answer.metadata.degraded,
    )


def turn_heading(answer: MusicAnswer) -> str:
    """What the turn's cards are, e.g. "6 tracks · songs by Radiohead"."""
    tracks = answer.recommendations
    if not tracks:
        return "No tracks"
    count = f"{len(tracks)} track" + ("s" if len(tracks) != 1 else "")
    return f"{count} · {subject(answer)}"


def subject(answer: MusicAnswer) -> str:
    """What the tracks are, in words: the artist's name when the request was about one."""
    intent, decision = answer.strategy_used.intent or "", answer.strategy_used.decision or ""
    artists = {t.artist for t in answer.recommendations}
    if decision in DECISION_LEADS:
        return DECISION_LEADS[decision]
    if intent.startswith("by_artist") and len(artists) == 1:
        deep = "deep cuts" if intent == "by_artist_underground" else "songs"
        return f"{deep} by {next(iter(artists))}"
    return INTENT_NAMES.get(intent, "picked for your request")


def answer_message(answer: MusicAnswer, new_session: bool) -> dict[str, str]:
    """The chat's reply in booth's own words: what was understood first, then what the cards
    hold. The cards list the tracks; the chat does not repeat them."""
    lines = [literal_md(line) for line in _understood(answer, new_session)]
    tracks = answer.recommendations
    if tracks:
        lines.append(
            f"**{literal_md(turn_heading(answer).replace(' · ', ': ', 1))}**. "
            "Each card says why it was picked."
        )
        wanted = answer.metadata.max_recommendations
        if wanted and len(tracks) < wanted and answer.strategy_used.decision not in NEW_REQUESTS:
            lines.append(
                literal_md("That is all I could find without repeating a track you’ve seen.")
            )
    elif answer.strategy_used.decision == "reset":
        lines.append("Starting over: the conversation so far is forgotten.")
    else:
        lines.append("I couldn’t find tracks for that. Try an artist, a genre or a mood.")
    return {"role": "assistant", "content": "\n\n".join(lines)}


def _understood(answer: MusicAnswer, new_session: bool) -> list[str]:
    """What to say before the tracks: an unknown artist, a follow-up with nothing to follow."""
    said = []
    decision = answer.strategy_used.decision
    unknown = answer.metadata.query_understanding
    if unknown.unknown_artist and decision in NEW_REQUESTS:
        line = f"I don’t know an artist called “{unknown.unknown_artist}”"
        if unknown.did_you_mean:
            line += f". Did you mean {_or(unknown.did_you_mean)}?"
        else:
            line += ", or anyone with a name like it."
        said.append(line)
    said += [f"I read “{typed}” as {name}." for typed, name in unknown.corrections.items()]
    if decision == "fresh_start":
        if new_session:
            said.append(
                "This is a new session, so there is nothing earlier to follow up on yet. "
                "Here is a fresh start instead."
            )
        elif answer.metadata.context_decision.stale_context:
            said.append(
                "That sounds like a follow-up, but your last request was a while ago, "
                "so this is a fresh start."
            )
        else:
            said.append("There is nothing earlier to follow up on, so this is a fresh start.")
    return said


def _or(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def error_message(title: str, message: str, hint: str) -> dict[str, str]:
    return {
        "role": "assistant",
        "content": f"**{literal_md(title)}**: {literal_md(message)}\n\n{literal_md(hint)}",
    }
