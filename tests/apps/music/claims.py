"""A reader of music explanations, written apart from the code that writes them.

`check_explanation` splits an explanation into clauses, recognises each clause by its shape and
checks what it claims against the track's data (as served), the bundled catalog and the request
as booth read it (`metadata.anchor`). A clause it cannot recognise is a failure too, so a new kind
of claim needs a reader here before it can ship.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from booth.apps.music.catalog import Catalog, artist_key
from booth.apps.music.intents import ACTIVITIES, edit_distance, edit_limit, simplify
from booth.apps.music.tuning import default_tuning

TUNE = default_tuning().explain  # the thresholds "best-known", "closely related" and "far less
# played" promise

Check = Callable[[re.Match[str], dict, dict, Catalog, str], str | None]


KNOWN: set[str] = set()  # labels and artist names, filled by `check_explanation`


def _split(text: str) -> list[str] | None:
    """Known names joined by ", ", " and " or " or " ("drum and bass and house" → two)."""
    if text in KNOWN:
        return [text]
    for sep in (", ", " and ", " or "):
        start = 0
        while (i := text.find(sep, start)) >= 0:
            left, rest = text[:i], _split(text[i + len(sep) :])
            if left in KNOWN and rest is not None:
                return [left, *rest]
            start = i + 1
    return None


def _names(text: str) -> list[str]:
    """ "a, b and c" / "a or b" → [a, b, c], reading names that contain "and" whole."""
    found = _split(text)
    if found is not None:
        return found
    return [p.strip() for p in re.split(r", | and | or ", text) if p.strip()]


def _labels(track: dict) -> set[str]:
    return set(track["genres"]) | set(track["moods"]) | set(track["tags"])


def _linked(catalog: Catalog, a: str, b: str) -> float | None:
    """The similar-artist weight between two artists (either direction), None if unlinked."""
    ka, kb = artist_key(a), artist_key(b)
    weights = (
        [w for k, w in catalog.artists[ka].similar if k == kb] if ka in catalog.artists else []
    )
    weights += (
        [w for k, w in catalog.artists[kb].similar if k == ka] if kb in catalog.artists else []
    )
    return max(weights) if weights else None


def _asked_artist(anchor: dict, name: str) -> bool:
    return artist_key(name) in anchor["artists"]


def by_artist(m, track, anchor, catalog, query):
    if m["artist"] != track["artist"]:
        return "names another artist than the track's"
    if not _asked_artist(anchor, m["artist"]) or anchor.get("stand_in_for"):
        return "says 'as asked' for an artist the request did not name"
    if m["title"] != track["title"] or (m["album"] or None) != track["album"]:
        return "title or album differ from the track's"
    if m["year"] and int(m["year"]) != track["year"]:
        return "year differs"
    if m["best_known"]:
        siblings = catalog.tracks_by(artist_key(track["artist"]))
        rank = 1 + sum(t.popularity > track["popularity"] for t in siblings)
        share = int(len(siblings) * TUNE.best_known_share)
        if len(siblings) < TUNE.best_known_min_tracks or rank > min(TUNE.best_known_top, share):
            return f"called best-known at #{rank} of {len(siblings)}"
    return None


def stand_in(m, track, anchor, catalog, query):
    typed = m["typed"]
    if m["artist"] != track["artist"] or anchor.get("stand_in_for") != typed:
        return "stand-in for a name the request did not type"
    a, b = simplify(typed), simplify(track["artist"]).removeprefix("the ")
    if edit_distance(a, b, edit_limit(a)) > edit_limit(a):
        return "a stand-in further than a typo from the typed name"
    return None


def deeper_cut(m, track, anchor, catalog, query):
    if m["artist"] != track["artist"] or not _asked_artist(anchor, m["artist"]):
        return "deeper cut of an artist not asked for"
    if m["title"] != track["title"]:
        return "title differs"
    top = catalog.tracks_by(artist_key(track["artist"]))[0].popularity
    if track["popularity"] >= top:
        return "their best-known track called a deeper cut"
    far = track["popularity"] <= TUNE.deeper_cut_far * top
    if bool(m["far"]) != far:
        return f"called {'far ' if m['far'] else ''}less played at {track['popularity']} of {top}"
    return None


def similar(m, track, anchor, catalog, query):
    if m["artist"] != track["artist"]:
        return "similarity claimed for another artist"
    weight = _linked(catalog, m["artist"], m["seed"])
    if weight is None:
        return f"{m['artist']} and {m['seed']} are not linked"
    if m["how"] == "closely related to" and weight < TUNE.closely_related:
        return f"called closely related on a link of {weight}"
    return None


def two_steps(m, track, anchor, catalog, query):
    if m["artist"] != track["artist"]:
        return "similarity claimed for another artist"
    if _linked(catalog, m["seed"], m["via"]) is None:
        return "the first step is not a link"
    if _linked(catalog, m["via"], m["artist"]) is None:
        return "the second step is not a link"
    return None


def shares(m, track, anchor, catalog, query):
    seed = catalog.artist(m["seed"])
    if seed is None:
        return "unknown seed artist"
    for label in _names(m["labels"]):
        if label not in _labels(track) or label not in set(seed.genres) | set(seed.tags):
            return f"'{label}' is not shared"
    return None


def tagged_as_asked(m, track, anchor, catalog, query):
    for label in _names(m["labels"]):
        if label not in _labels(track):
            return f"track is not tagged {label}"
        if label not in anchor["genres"]:
            return f"{label} was not asked for"
    return None


def neighbour(m, track, anchor, catalog, query):
    if m["label"] not in _labels(track):
        return f"track is not tagged {m['label']}"
    if not set(_names(m["asked"])) <= set(anchor["genres"]):
        return "neighbour of a genre not asked for"
    return None


def feels(m, track, anchor, catalog, query):
    for mood in _names(m["moods"]):
        if mood not in set(track["moods"]) | set(track["tags"]):
            return f"track is not labelled {mood}"
        if m["asked"] and mood not in anchor["moods"]:
            return f"{mood} was not asked for"
    return None


def mood_feature(m, track, anchor, catalog, query):
    value = track[m["feature"]]
    if value is None or abs(value - float(m["value"])) > 0.006:
        return f"{m['feature']} differs"
    if not set(_names(m["moods"])) <= set(anchor["moods"]):
        return "mood not asked for"
    return None


def suits(m, track, anchor, catalog, query):
    activity = next((a for a in ACTIVITIES if a.name == m["activity"]), None)
    if activity is None or activity.name not in anchor["activities"]:
        return "activity not asked for"
    for fact in m["facts"].split(", "):
        if fact.startswith("energy "):
            value = float(fact.split()[1])
            if track["energy"] is None or abs(track["energy"] - value) > 0.006:
                return "energy differs"
            if not activity.energy[0] <= track["energy"] <= activity.energy[1]:
                return "energy outside the activity's range"
        elif fact.endswith(" BPM"):
            bpm = float(fact.split()[0])
            if track["tempo"] is None or abs(track["tempo"] - bpm) > 0.51:
                return "tempo differs"
        elif fact.startswith("tagged "):
            if not set(_names(fact[len("tagged ") :])) <= _labels(track):
                return "activity label not on the track"
        elif fact.startswith("feels "):
            if not set(_names(fact[len("feels ") :])) <= set(track["moods"]):
                return "activity mood not on the track"
        else:
            return f"unrecognised activity fact '{fact}'"
    return None


def refined_label(m, track, anchor, catalog, query):
    wanted = {r["label"] for r in anchor["modifiers"] if r.get("label")}
    labels = _names(m["labels"])
    if not set(labels) <= wanted:
        return "refined label was not asked for"
    if m["not"]:
        return None if not set(labels) & _labels(track) else "track is tagged what it leaves out"
    if not set(labels) <= _labels(track):
        return "track is not tagged the refinement's label"
    if m["said"] == "acoustic" and track["energy"] is not None and track["energy"] > 0.6:
        return "a loud track called more acoustic"
    return None


def refined_feature(m, track, anchor, catalog, query):
    value = track[m["feature"]]
    if value is None or abs(value - float(m["value"])) > 0.51:
        return f"{m['feature']} differs"
    moved = float(m["value"]) - float(m["reference"])
    up = m["words"] in ("more energetic", "happier", "faster")
    if (moved > 0) != up:
        return "moved the other way"
    asked = {(r["feature"], r["direction"]) for r in anchor["modifiers"] if r.get("feature")}
    return None if (m["feature"], 1 if up else -1) in asked else "feature change not asked for"


def in_era(m, track, anchor, catalog, query):
    era = anchor["era"]
    year, decade = int(m["year"]), int(m["decade"])
    if track["year"] != year or not era or era[0] != decade or not era[0] <= year <= era[1]:
        return "year or decade wrong"
    return None


def change_of_direction(m, track, anchor, catalog, query):
    genres = set(_names(m["genres"]))
    if not genres <= set(track["genres"]):
        return "fresh genres not the track's"
    if genres & set(anchor["avoid_genres"]):
        return "a genre it moves away from"
    return None


def under_the_radar(m, track, anchor, catalog, query):
    count = track["listeners"]
    text = m["count"]
    if text.endswith("M"):
        expect = f"{count / 1_000_000:.1f}M"
    elif text.endswith("k"):
        expect = f"{count // 1000}k"
    else:
        expect = str(count)
    return None if text == expect else "listener count differs"


def wildcard(m, track, anchor, catalog, query):
    return None if set(_names(m["genres"])) <= set(track["genres"]) else "genres not the track's"


def describe(m, track, anchor, catalog, query):
    if m["title"] != track["title"] or m["artist"] != track["artist"]:
        return "describes another track"
    if m["genres"] and not set(_names(m["genres"])) <= set(track["genres"]):
        return "genres not the track's"
    return None


DETAIL = r"'(?P<title>.+)'(?: from (?P<album>.+?))?(?: \((?P<year>\d{4})\))?"
READERS: list[tuple[re.Pattern[str], Check]] = [
    (
        re.compile(
            rf"^(?:a|another) track by (?P<artist>.+?), as asked: {DETAIL}"
            r"(?P<best_known>, one of their best-known tracks)?$"
        ),
        by_artist,
    ),
    (re.compile(r"^by (?P<artist>.+), the closest name I know to '(?P<typed>.+)'$"), stand_in),
    (
        re.compile(
            r"^a deeper (?P<artist>.+) cut: '(?P<title>.+)', (?P<far>far )?less played than "
            r"their best-known track$"
        ),
        deeper_cut,
    ),
    (
        re.compile(
            r"^(?P<artist>.+) is (?P<how>listed as similar to|closely related to) (?P<seed>.+)$"
        ),
        similar,
    ),
    (
        re.compile(
            r"^(?P<artist>.+) is two steps from (?P<seed>.+) in the similar-artist graph "
            r"\(via (?P<via>.+)\)$"
        ),
        two_steps,
    ),
    (re.compile(r"^shares the labels? (?P<labels>.+) with (?P<seed>.+)$"), shares),
    (re.compile(r"^tagged (?P<labels>.+), as asked$"), tagged_as_asked),
    (re.compile(r"^tagged (?P<label>.+), a neighbour of (?P<asked>.+)$"), neighbour),
    (re.compile(r"^feels (?P<moods>.+?)(?P<asked>, as asked)?$"), feels),
    (
        re.compile(r"^(?P<feature>energy|valence|tempo) (?P<value>[\d.]+) suits (?P<moods>.+)$"),
        mood_feature,
    ),
    (re.compile(r"^suits (?P<activity>\w+): (?P<facts>.+)$"), suits),
    (
        re.compile(
            r"^(?:(?P<not>not )tagged (?P<labels>.+), as you asked for less (?P<said>.+)|"
            r"tagged (?P<labels2>.+), for the more (?P<said2>.+) you asked)$"
        ),
        None,  # type: ignore[list-item]  # resolved in `_refined` below
    ),
    (
        re.compile(
            r"^(?P<words>more energetic|calmer|happier|darker|faster|slower) than your last "
            r"picks \((?P<feature>energy|valence|tempo) (?P<value>[\d.]+) "
            r"vs (?P<reference>[\d.]+)\)$"
        ),
        refined_feature,
    ),
    (re.compile(r"^from (?P<year>\d{4}), in the (?P<decade>\d{4})s as asked$"), in_era),
    (
        re.compile(r"^a change of direction: (?P<genres>.+), away from (?P<away>.+)$"),
        change_of_direction,
    ),
    (re.compile(r"^under the radar: about (?P<count>[\d.]+[kM]?) listeners$"), under_the_radar),
    (re.compile(r"^a wildcard from (?P<genres>.+)$"), wildcard),
    (
        re.compile(rf"^{DETAIL} by (?P<artist>.+?)(?:, (?P<genres>[^,']+(?:,? and [^,']+)?))?$"),
        describe,
    ),
]


def _refined(m, track, anchor, catalog, query):
    groups = {
        "not": m["not"],
        "labels": m["labels"] or m["labels2"],
        "said": m["said"] or m["said2"],
    }
    return refined_label(groups, track, anchor, catalog, query)


def clauses(explanation: str) -> list[str]:
    text = explanation.strip()
    assert text.endswith("."), explanation
    return text[:-1].split("; ")


def _match(pattern: re.Pattern[str], clause: str) -> re.Match[str] | None:
    """The sentence's first clause is capitalised: try it as written and lower-cased."""
    return pattern.match(clause) or pattern.match(clause[:1].lower() + clause[1:])


def check_explanation(track: dict, anchor: dict, catalog: Catalog, query: str) -> list[str]:
    """Every problem with one track's explanation (empty when each clause is true)."""
    if not KNOWN:
        KNOWN.update(catalog.vocabulary)
        KNOWN.update(a.name for a in catalog.artists.values())
    problems = []
    for clause in clauses(track["explanation"]):
        for pattern, reader in READERS:
            match = _match(pattern, clause)
            if match is None:
                continue
            problem = (reader or _refined)(match, track, anchor, catalog, query)
            if problem:
                problems.append(f"{clause!r}: {problem}")
            break
        else:
            problems.append(f"{clause!r}: not a claim this reader knows")
    return problems
