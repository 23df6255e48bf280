"""How a Music answer looks: track cards (escaped HTML) and the chat's own messages.

Catalog text (titles, artists, tags, explanations) is untrusted like user text: user data can be
imported into the catalog, so every field goes through `esc` in HTML and `literal_md` in the
chat. Links are kept only when they are http(s).
"""

from __future__ import annotations

from typing import Any

from booth.ui.render import esc, literal_md, safe_url

LINK_NAMES = {"lastfm": "Last.fm", "spotify": "Spotify", "youtube": "YouTube",
              "musicbrainz": "MusicBrainz", "apple_music": "Apple Music", "bandcamp": "Bandcamp"}
STRATEGY_NAMES = {
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
    strategy = STRATEGY_NAMES.get(shelf.get("strategy") or "", shelf.get("strategy") or "")
    caption = f"<small>{esc(strategy)}</small>" if strategy else ""
    return (
        f'<div class="tracks" data-count="{len(shelf["tracks"])}">'
        f'<div class="tracks-head"><span>For “{esc(shelf.get("query", ""))}”</span>{caption}</div>'
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
        + (f'<p class="track-why">{esc(track["explanation"])}</p>'
           if track.get("explanation") else "")
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


def _thumbs_html(track_id: str, vote: int | None) -> str:
    """Two buttons the cards' script turns into a `feedback` event for this track."""
    up = "true" if vote == 1 else "false"
    down = "true" if vote == -1 else "false"
    return (
        '<div class="thumbs">'
        f'<button class="thumb" data-feedback="up" data-track-id="{track_id}" aria-pressed="{up}"'
        ' title="More like this">👍</button>'
        f'<button class="thumb" data-feedback="down" data-track-id="{track_id}" '
        f'aria-pressed="{down}" title="Less like this">👎</button></div>'
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
    """The chat's reply: how many tracks and why, then the list (the cards hold the detail)."""
    tracks = response.get("recommendations") or []
    lines = []
    if tracks:
        count = f"{len(tracks)} track" + ("s" if len(tracks) != 1 else "")
        lines.append(f"**{count}** ({literal_md(_strategy_name(response))})")
    for note in response.get("reasoning") or []:
        lines.append(f"- {literal_md(note)}")
    if tracks:
        lines.append("")
        for number, track in enumerate(tracks, 1):
            lines.append(
                f"{number}\\. **{literal_md(track.get('title', ''))}**: "
                f"{literal_md(track.get('artist', ''))}"
            )
    if not lines:
        lines.append("No tracks matched that. Try an artist, a genre or a mood.")
    return {"role": "assistant", "content": "\n".join(lines)}


def error_message(title: str, message: str, hint: str) -> dict[str, str]:
    return {
        "role": "assistant",
        "content": f"⚠️ **{literal_md(title)}**: {literal_md(message)}\n\n{literal_md(hint)}",
    }


def _strategy_name(response: dict[str, Any]) -> str:
    strategy = str(response.get("strategy_used") or "")
    return STRATEGY_NAMES.get(strategy, strategy.replace("_", " "))
