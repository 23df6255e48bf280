"""How a Music answer looks: track cards (escaped HTML) and the chat's own messages.

Catalog text (titles, artists, tags, explanations) is untrusted like user text: user data can be
imported into the catalog, so every field goes through `esc` in HTML and `literal_md` in the
chat. Links are kept only when they are http(s).
"""

from __future__ import annotations

from typing import Any

from booth.ui.render import esc, literal_md, safe_url

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
    "artist_similarity": "artists like this one",
    "artist_genre": "the artist in a genre",
    "hybrid_similarity_genre": "similar artists in a genre",
    "discovery": "discovery",
    "discovering_serendipity": "serendipity",
    "genre_mood": "genre and mood",
    "contextual": "music for the moment",
}
DECISION_NAMES = {
    "new_query": "new request",
    "fresh_start": "new request",
    "load_more": "more of the same",
    "artist_deep_dive": "deep dive",
    "style_continuation": "continuing the style",
    "refinement": "refined",
    "variation": "something different",
    "reset": "start over",
}


# -- track cards ---------------------------------------------------------------------------------
def tracks_html(shelf: dict[str, Any] | None) -> str:
    """The last answer's tracks as cards, each with its thumbs up/down."""
    if not shelf or not shelf.get("tracks"):
        return (
            '<div class="tracks-empty">Ask for music in the chat. '
            "The tracks appear here, with why each was picked.</div>"
        )
    feedback = shelf.get("feedback") or {}
    cards = "".join(track_card(t, feedback.get(t.get("track_id"))) for t in shelf["tracks"])
    count = len(shelf["tracks"])
    how = describe_turn(shelf.get("intent"), shelf.get("decision"))
    return (
        f'<div class="tracks" data-count="{count}">'
        f'<div class="tracks-head"><span>{count} track{"s" if count != 1 else ""}'
        f"{' · ' + esc(how) if how else ''}</span>"
        f"<small>You asked: “{esc(shelf.get('query', ''))}”</small></div>"
        f'<div class="track-list">{cards}</div></div>'
    )


def track_card(track: dict[str, Any], vote: int | None = None) -> str:
    """One track: what it is, why it was picked, how sure, where to hear it, and thumbs."""
    track_id = esc(track.get("track_id", ""))
    album = " · ".join(esc(part) for part in (track.get("album"), track.get("year")) if part)
    return (
        f'<article class="track-card" data-track-id="{track_id}" '
        f'data-artist="{esc(track.get("artist", ""))}" '
        f'data-genres="{esc(";".join(track.get("genres") or []))}">'
        f'<div class="track-title">{esc(track.get("title", ""))}</div>'
        f'<div class="track-artist">{esc(track.get("artist", ""))}</div>'
        + (f'<div class="track-album">{album}</div>' if album else "")
        + _confidence_html(track.get("confidence"))
        + (
            f'<p class="track-why">{esc(track["explanation"])}</p>'
            if track.get("explanation")
            else ""
        )
        + _tags_html(track)
        + '<div class="track-foot">'
        + _links_html(track)
        + _thumbs_html(track_id, vote)
        + "</div></article>"
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


def _tags_html(track: dict[str, Any]) -> str:
    labels: dict[str, None] = {}
    for key in ("genres", "moods", "tags"):
        for value in track.get(key) or []:
            labels.setdefault(str(value), None)
    if not labels:
        return ""
    items = "".join(f"<li>{esc(label)}</li>" for label in list(labels)[:8])
    return f'<ul class="tags">{items}</ul>'


def _links_html(track: dict[str, Any]) -> str:
    links = []
    for name, url in (track.get("external_urls") or {}).items():
        href = safe_url(url)
        if href:
            text = LINK_NAMES.get(name, name.replace("_", " ").title())
            links.append(
                f'<a href="{esc(href)}" target="_blank" rel="noopener noreferrer">{esc(text)}</a>'
            )
    preview = safe_url(track.get("preview_url"))
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
    """Two buttons the cards' script turns into a `click` event for this track."""
    up = "true" if vote == 1 else "false"
    down = "true" if vote == -1 else "false"
    return (
        '<div class="thumbs">'
        f'<button class="thumb" data-feedback="up" data-track-id="{track_id}" aria-pressed="{up}"'
        f' title="More like this" aria-label="Thumbs up">{THUMB_UP_SVG}</button>'
        f'<button class="thumb" data-feedback="down" data-track-id="{track_id}" '
        f'aria-pressed="{down}" title="Less like this" aria-label="Thumbs down">'
        f"{THUMB_DOWN_SVG}</button></div>"
    )


# The cards are plain HTML; this script (run once when the component loads) turns a click on a
# thumb into a Gradio `click` event carrying the track id and the vote.
THUMBS_JS = """
element.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-feedback]');
  if (!button) return;
  trigger('click', {track_id: button.dataset.trackId, liked: button.dataset.feedback === 'up'});
});
"""


# -- chat messages -------------------------------------------------------------------------------
def user_message(text: str) -> dict[str, str]:
    return {"role": "user", "content": literal_md(text)}


def pending_message() -> dict[str, str]:
    return {"role": "assistant", "content": "_Finding tracks…_"}


def answer_message(response: dict[str, Any]) -> dict[str, str]:
    """The chat's reply: what the turn did and why, then the list (the cards hold the detail)."""
    tracks = response.get("recommendations") or []
    reasons = [str(line) for line in response.get("reasoning") or []]
    lines = [literal_md(reasons[0])] if reasons else []
    if tracks:
        count = f"{len(tracks)} track" + ("s" if len(tracks) != 1 else "")
        how = describe_turn((response.get("strategy_used") or {}).get("intent"), None)
        lines += ["", f"**{count}**" + (f" · {literal_md(how)}" if how else "")]
        lines += [
            f"{number}. **{literal_md(track.get('title', ''))}** by "
            f"{literal_md(track.get('artist', ''))}"
            for number, track in enumerate(tracks, 1)
        ]
    elif not reasons:
        lines.append("No tracks matched that. Try an artist, a genre or a mood.")
    if len(reasons) > 1:
        lines += [""] + [f"- {literal_md(line)}" for line in reasons[1:]]
    return {"role": "assistant", "content": "\n".join(lines)}


def error_message(title: str, message: str, hint: str) -> dict[str, str]:
    return {
        "role": "assistant",
        "content": f"⚠️ **{literal_md(title)}**: {literal_md(message)}\n\n{literal_md(hint)}",
    }


def describe_turn(intent: str | None, decision: str | None) -> str:
    """What kind of answer this was, in words, e.g. "songs by the artist · more of the same"."""
    parts = [
        INTENT_NAMES.get(intent or "", (intent or "").replace("_", " ")),
        DECISION_NAMES.get(decision or "", (decision or "").replace("_", " ")),
    ]
    return " · ".join(part for part in parts if part)
