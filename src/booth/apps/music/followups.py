"""The one follow-up resolver: is this turn a new request, or a continuation of the last one?

It reads only the session's stored context (the last anchor, the shown tracks, the pool) and the
current query, and returns a `Decision` that says what to do and why. The seed's follow-ups broke
in three ways that each have a rule here: "more tracks" is a page of the *persisted* pool (not a
re-run that repeats the list), "more Mk.gee tracks" is a deep dive *into* Mk.gee (not an
exclusion of Mk.gee), and "more like that" is recognised as a style continuation.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from booth.apps.music.catalog import Catalog
from booth.apps.music.context import Anchor, MusicContext
from booth.apps.music.intents import FILLER, Planner, Understanding, simplify, trim_filler
from booth.apps.music.models import (
    SIMILARITY_INTENTS,
    DecisionKind,
    Intent,
    Refinement,
    merge_refinements,
)

F = Refinement.of_feature
L = Refinement.of_label

LEAD = re.compile(
    r"^(?:(?:ok|okay|cool|nice|great|thanks|thank you|awesome|hmm+|hm|yes|yeah|yep|sure|alright|"
    r"all right|now|and|so|wow|perfect|love it|love these|good|lovely|actually|please|can you|"
    r"could you|would you|can i get|can i have|could i get|i want|i d like|i would like|let s)\s+)+"
)
TRAIL = re.compile(r"(?:\s+(?:please|thanks|thank you|again|too|then|now|pls|plz))+$")

RESET = re.compile(
    r"\b(?:never ?mind|start (?:over|again|fresh|from scratch)|forget (?:about )?(?:that|it|this|"
    r"those|these|everything)|reset|scratch that|clear (?:that|it|the context|everything)|"
    r"new topic|let s start over)\b"
)
LOAD_MORE = re.compile(
    r"(?:some |even |any |a few |lots |much )?more(?: (?:tracks|songs|music|recommendations|recs|"
    r"suggestions|options|picks|of (?:them|those|these|the same list)))?|"
    r"(?:show|give|get|find|send|play)(?: me| us)?(?: some| a few)? more(?: (?:tracks|songs|music|"
    r"recommendations|recs|suggestions|of (?:them|those|these)))?|"
    r"keep (?:going|em coming|them coming|it coming|it up|on going)|next(?: (?:page|batch|set|ones|"
    r"few|round|tracks|songs))?|another (?:batch|set|round|few|page)|continue|go on|load more|moar"
)
SELF_ARTIST = (
    "this artist",
    "that artist",
    "the artist",
    "same artist",
    "the same artist",
    "this band",
    "that band",
    "the band",
    "this guy",
    "this singer",
    "them",
    "him",
    "her",
    "they",
    "this one",
    "them again",
    "this rapper",
    "that rapper",
)
DEEP_DIVE = (
    re.compile(
        r"^(?:more|other|some more|any more|anything else|some other|other|something else)"
        r"(?: (?:songs|tracks|music|stuff|cuts))? (?:from|by) (?P<who>.+)$"
    ),
    re.compile(
        r"^(?:(?:do a |let s )?deep dive|dive deep(?:er)?|go deeper|dig deeper|deeper)"
        r"(?: (?:into|in|on|with))? (?P<who>.+)$"
    ),
    re.compile(r"^(?:more|other|some more) (?P<who>.+?) (?:songs|tracks|music|stuff|cuts|tunes)$"),
    re.compile(r"^more (?:of )?(?P<who>.+)$"),
)
STYLE = re.compile(
    r"\b(?:more|something|anything|songs|tracks|stuff|music|ones)? ?like (?:this|that|these|those|"
    r"it|them|this one|that one)\b|"
    r"\bsimilar(?: to)? (?:this|that|these|those|them|ones|tracks|songs|stuff)\b|"
    r"^similar(?: ones)?$|"
    r"\b(?:keep|continue|stay (?:with|in)|stick (?:with|to)|more of) (?:this|the|that|these|my)? ?"
    r"(?:vibe|style|sound|mood|feel|feeling|energy|direction|lane|groove)\b|"
    r"\bsame (?:vibe|style|sound|feel|mood|energy)\b|"
    r"\bmore of (?:this|that|the same|these|those)\b|"
    r"\bin the same vein\b|\bmore in (?:this|that) (?:style|vein)\b"
)
VARIATION = re.compile(
    r"\bsomething (?:completely |totally |entirely |really |very |quite )?(?:different|else)\b|"
    r"\b(?:change|switch|mix|shake) (?:it|things) up\b|"
    r"\b(?:different|another) (?:vibe|direction|style|genre|sound)\b|"
    r"\b(?:bored|tired|sick) of (?:this|these|that|those)\b|\bnot (?:this|that) (?:vibe|style)\b|"
    r"^(?:different|else)$"
)
REFINE_CUE = re.compile(
    r"\b(?:but|like (?:this|that|these|those|them)|similar|same|these|this|"
    r"those|keep|still|though|instead|slightly|bit|little)\b"
)
INTENSIFIERS = frozenset(
    {
        "a",
        "bit",
        "little",
        "lot",
        "touch",
        "tad",
        "slightly",
        "much",
        "way",
        "even",
        "somewhat",
        "tiny",
    }
)

# word → the refinements it asks for: audio features or catalog labels, up or down
COMPARATIVES = {
    "happier": [F("valence", 1)],
    "brighter": [F("valence", 1)],
    "cheerier": [F("valence", 1)],
    "sadder": [F("valence", -1)],
    "darker": [F("valence", -1)],
    "moodier": [F("valence", -1)],
    "gloomier": [F("valence", -1)],
    "heavier": [F("energy", 1), L("metal", 1)],
    "harder": [F("energy", 1)],
    "louder": [F("energy", 1)],
    "punchier": [F("energy", 1)],
    "rockier": [L("rock", 1)],
    "calmer": [F("energy", -1)],
    "chiller": [F("energy", -1)],
    "mellower": [F("energy", -1)],
    "softer": [F("energy", -1)],
    "gentler": [F("energy", -1)],
    "quieter": [F("energy", -1)],
    "lighter": [F("energy", -1)],
    "faster": [F("tempo", 1)],
    "quicker": [F("tempo", 1)],
    "slower": [F("tempo", -1)],
    "groovier": [L("funk", 1), F("energy", 1)],
    "dancier": [L("dance", 1), F("energy", 1)],
    "weirder": [L("experimental", 1)],
    "stranger": [L("experimental", 1)],
}
ATTRIBUTES = {
    "upbeat": [F("valence", 1), F("energy", 1)],
    "happy": [F("valence", 1)],
    "positive": [F("valence", 1)],
    "cheerful": [F("valence", 1)],
    "sad": [F("valence", -1)],
    "dark": [F("valence", -1)],
    "melancholic": [F("valence", -1)],
    "moody": [F("valence", -1)],
    "energetic": [F("energy", 1)],
    "energy": [F("energy", 1)],
    "intense": [F("energy", 1)],
    "aggressive": [F("energy", 1)],
    "heavy": [F("energy", 1), L("metal", 1)],
    "chill": [F("energy", -1)],
    "calm": [F("energy", -1)],
    "mellow": [F("energy", -1)],
    "relaxed": [F("energy", -1)],
    "relaxing": [F("energy", -1)],
    "laid back": [F("energy", -1)],
    "soft": [F("energy", -1)],
    "quiet": [F("energy", -1)],
    "fast": [F("tempo", 1)],
    "slow": [F("tempo", -1)],
    "danceable": [L("dance", 1), F("energy", 1)],
    "tempo": [F("tempo", 1)],
    "bpm": [F("tempo", 1)],
}
# Words that stand for several catalog labels when refining ("more acoustic").
LABEL_FAMILIES = {
    "acoustic": ("acoustic", "folk", "singer songwriter", "indie folk", "unplugged"),
    "electronic": (
        "electronic",
        "electronica",
        "synthpop",
        "synth pop",
        "idm",
        "edm",
        "techno",
        "house",
        "synth",
    ),
    "guitar": ("guitar", "rock", "indie rock"),
    "instrumental": ("instrumental", "post rock"),
    "experimental": ("experimental", "avant garde", "noise"),
    "vocal": ("vocal", "singer songwriter"),
    "jazzy": ("jazz",),
    "jazzier": ("jazz",),
    "funky": ("funk",),
    "rocky": ("rock",),
    "poppy": ("pop",),
    "poppier": ("pop",),
    "folky": ("folk",),
    "folkier": ("folk",),
}


@dataclass
class Decision:
    kind: DecisionKind
    reason: str
    anchor: Anchor | None
    phrase: str | None = None
    stale: bool = False
    new_topic: bool = False  # the anchor changed: build a new pool

    def metadata(self, previous: Anchor | None) -> dict[str, Any]:
        return {
            "decision": self.kind.value,
            "reason": self.reason,
            "phrase": self.phrase,
            "stale_context": self.stale,
            "previous_intent": previous.intent.value if previous else None,
            "previous_query": previous.query if previous else None,
            "anchor_intent": self.anchor.intent.value if self.anchor else None,
        }


def clean(query: str) -> str:
    text = simplify(query)
    text = LEAD.sub("", text)
    text = TRAIL.sub("", text)
    return text.strip()


def anchor_from(understanding: Understanding, salt: int = 0) -> Anchor:
    return Anchor(
        query=understanding.query,
        intent=understanding.intent,
        artists=list(understanding.artists),
        genres=list(understanding.genres),
        moods=list(understanding.moods),
        activities=list(understanding.activities),
        era=understanding.era,
        salt=salt,
    )


class Resolver:
    """Decides, per turn, how a query relates to the session's stored context."""

    def __init__(self, catalog: Catalog, planner: Planner) -> None:
        self.catalog = catalog
        self.planner = planner

    # -- phrase recognition -----------------------------------------------------------------
    def modifiers(self, text: str) -> list[Refinement]:
        """The refinements a query asks for, in the order said (a later one of a target wins)."""
        tokens = text.split()
        found: list[Refinement] = []
        used: set[int] = set()
        for i, token in enumerate(tokens):
            negated = token in ("as", "so") and i > 0 and tokens[i - 1] == "not"
            if token not in ("more", "less") and not negated:
                continue
            direction = -1 if token == "less" or negated else 1
            j = i + 1
            while j < len(tokens) and tokens[j] in INTENSIFIERS:
                j += 1
            for size in (2, 1):
                target = " ".join(tokens[j : j + size])
                effects = self._effects(target) if len(tokens[j : j + size]) == size else []
                if effects:
                    found.extend(
                        e.model_copy(update={"direction": e.direction * direction, "said": target})
                        for e in effects
                    )
                    used.update(range(i, j + size))
                    break
        for i, token in enumerate(tokens):
            if i not in used and token in COMPARATIVES:
                found.extend(e.model_copy(update={"said": token}) for e in COMPARATIVES[token])
        return merge_refinements([], found)

    def _effects(self, target: str) -> list[Refinement]:
        if target in ATTRIBUTES:
            return ATTRIBUTES[target]
        if target in COMPARATIVES:
            return COMPARATIVES[target]
        if self.planner.artists.lookup(target) is not None:
            return []  # "more Radiohead" is a deep dive, not a refinement
        if target in self.catalog.genre_counts:
            return [L(target, 1)]
        if target in LABEL_FAMILIES:
            labels = [t for t in LABEL_FAMILIES[target] if t in self.catalog.vocabulary]
            return [L(t, 1) for t in labels or LABEL_FAMILIES[target][:1]]
        if target in self.catalog.vocabulary and target not in FILLER:
            return [L(target, 1)]
        return []

    def _who(self, phrase: str, previous: Anchor | None, music: MusicContext) -> str | None:
        """The artist a deep dive names: a catalog artist, or "this artist" from the context."""
        phrase = phrase.strip()
        if phrase in SELF_ARTIST or trim_filler(phrase) in SELF_ARTIST:
            return self.current_artist(previous, music)
        understanding = self.planner.understand(phrase)
        if understanding.artists and not (understanding.genres or understanding.moods):
            return understanding.artists[0]
        return None

    def current_artist(self, previous: Anchor | None, music: MusicContext) -> str | None:
        if previous is not None and previous.artists:
            return previous.artists[0]
        counts = Counter(
            self.catalog.tracks[t].artist_key for t in music.last_batch if t in self.catalog.tracks
        )
        return counts.most_common(1)[0][0] if counts else None

    def _deep_dive(self, text: str, previous: Anchor | None, music: MusicContext):
        for index, pattern in enumerate(DEEP_DIVE):
            match = pattern.match(text)
            if not match:
                continue
            who = match.group("who").strip()
            named = self.planner.artists.lookup(who) is not None
            if (
                index == 3
                and not named
                and (
                    who in self.catalog.vocabulary
                    or self.modifiers(text)
                    or STYLE.search(text)
                    or LOAD_MORE.fullmatch(text)
                )
            ):
                continue  # "more electronic", "more upbeat": not an artist
            key = self._who(who, previous, music)
            if key is not None or who in SELF_ARTIST:
                return key, match.group(0)
        return None

    # -- the decision -----------------------------------------------------------------------
    def resolve(
        self,
        query: str,
        understanding: Understanding,
        music: MusicContext,
        *,
        now: float,
        window: float,
        forget_after: float | None = None,
    ) -> Decision:
        """`forget_after`: the store's idle TTL, mentioned when there is no context at all."""
        text = clean(query)
        previous = music.anchor
        stale = music.stale(now, window)
        live = previous if previous is not None and not stale else None
        salt = music.turns + 1

        reset = RESET.search(text)
        if reset:
            rest = RESET.sub(" ", text).replace("actually", " ").replace("instead", " ")
            rest = trim_filler(rest)
            fresh = self.planner.understand(rest) if rest else None
            if fresh is not None and fresh.has_entities:
                return Decision(
                    DecisionKind.NEW_QUERY,
                    "You asked to start over with a new request, so the "
                    "earlier context was dropped.",
                    anchor_from(fresh, salt),
                    reset.group(0),
                    stale,
                    new_topic=True,
                )
            return Decision(
                DecisionKind.RESET,
                "Context cleared: the next request starts from scratch.",
                None,
                reset.group(0),
                stale,
                new_topic=True,
            )

        deep = self._deep_dive(text, live, music if live is not None else MusicContext())
        if deep is not None:
            key, phrase = deep
            if key is not None:
                name = self.catalog.artists[key].name
                anchor = Anchor(
                    query=query, intent=Intent.BY_ARTIST, artists=[key], deep_dive=True, salt=salt
                )
                why = f"Deep dive into {name}: tracks by {name} you have not seen yet."
                return Decision(
                    DecisionKind.ARTIST_DEEP_DIVE, why, anchor, phrase, stale, new_topic=True
                )

        modifiers = self.modifiers(text)
        kind, phrase = None, None
        cued = REFINE_CUE.search(text) is not None
        if modifiers and (cued or not self._rest(text, modifiers)):
            kind, phrase = DecisionKind.REFINEMENT, text
        elif style := STYLE.search(text):
            kind, phrase = DecisionKind.STYLE_CONTINUATION, style.group(0).strip()
        elif variation := VARIATION.search(text):
            kind, phrase = DecisionKind.VARIATION, variation.group(0)
        elif LOAD_MORE.fullmatch(text) or text == "":
            kind, phrase = DecisionKind.LOAD_MORE, text or query.strip()
        elif deep is not None:  # "more from this artist" with nobody to refer to
            kind, phrase = DecisionKind.ARTIST_DEEP_DIVE, deep[1]

        if kind is None:
            return Decision(
                DecisionKind.NEW_QUERY,
                self._new_reason(understanding, previous, stale),
                anchor_from(understanding, salt),
                None,
                stale,
                new_topic=True,
            )
        if live is None:
            return self._fresh_start(
                kind, phrase, understanding, music, now, window, salt, forget_after
            )
        if kind == DecisionKind.LOAD_MORE:
            return Decision(
                DecisionKind.LOAD_MORE,
                f"Next page of your '{_topic(live, self.catalog)}' "
                "recommendations, skipping everything already shown.",
                live,
                phrase,
            )
        if kind == DecisionKind.ARTIST_DEEP_DIVE:
            return self._fresh_start(
                kind, phrase, understanding, music, now, window, salt, forget_after
            )
        if kind == DecisionKind.REFINEMENT:
            return self._refine(live, modifiers, music, phrase, query, salt, cued)
        if kind == DecisionKind.STYLE_CONTINUATION:
            return self._style(live, music, phrase, query, salt)
        return self._vary(live, music, phrase, query, salt)

    def _rest(self, text: str, modifiers: list[Refinement]) -> str:
        """What is left of a query once its refinement words are taken out."""
        spent = set(INTENSIFIERS) | {"more", "less", "not", "as", "so", "than"} | FILLER
        for word in [*COMPARATIVES, *ATTRIBUTES, *LABEL_FAMILIES]:
            spent.update(word.split())
        for change in modifiers:
            spent.update((change.label or str(change.feature)).split())
        return " ".join(w for w in text.split() if w not in spent)

    def _new_reason(
        self, understanding: Understanding, previous: Anchor | None, stale: bool
    ) -> str:
        base = f"New request: {understanding.intent.value.replace('_', ' ')}"
        if previous is not None and not stale:
            return base + "; it replaces the earlier context (tracks already shown stay excluded)."
        return base + "."

    def _fresh_start(
        self, kind, phrase, understanding, music, now, window, salt, forget_after=None
    ) -> Decision:
        if music.anchor is not None and music.stale(now, window):
            why = (
                f"'{phrase}' looks like a follow-up ({kind}), but this session was idle for "
                f"{music.idle_minutes(now)} min, past the {int(window // 60)}-min context "
                "window, so this is a fresh start."
            )
        else:
            forgets = (
                f" (a session is forgotten after {int(forget_after // 60)} min idle)"
                if forget_after
                else ""
            )
            why = (
                f"'{phrase}' looks like a follow-up ({kind}), but there is nothing earlier in "
                f"this session to continue{forgets}, so this is a fresh start."
            )
        anchor = anchor_from(understanding, salt)
        if not (
            understanding.artists
            or understanding.genres
            or understanding.moods
            or understanding.activities
        ):
            anchor = anchor.model_copy(update={"intent": Intent.DISCOVERING_SERENDIPITY})
        return Decision(
            DecisionKind.FRESH_START, why, anchor, phrase, music.stale(now, window), new_topic=True
        )

    def _refine(
        self,
        live: Anchor,
        modifiers: list[Refinement],
        music: MusicContext,
        phrase: str,
        query: str,
        salt: int,
        cued: bool,
    ) -> Decision:
        labels_up = [m.label for m in modifiers if m.label is not None and m.up]
        only_same = (
            not cued
            and all(m.label is not None and m.up for m in modifiers)
            and set(labels_up) <= set(live.genres) | set(live.moods)
        )
        if only_same:
            return Decision(
                DecisionKind.LOAD_MORE,
                f"More {', '.join(labels_up)} is what you already have: "
                "next page of the same recommendations.",
                live,
                phrase,
            )
        dropped = {m.label for m in modifiers if m.label is not None and not m.up}
        anchor = live.model_copy(
            update={
                "query": query,
                "genres": [g for g in live.genres if g not in dropped],
                "moods": [m for m in live.moods if m not in dropped],
                "modifiers": merge_refinements(live.modifiers, modifiers),
                "seeds": list(music.last_batch) or list(live.seeds),
                "salt": salt,
            }
        )
        why = (
            f"Refinement of '{_topic(live, self.catalog)}': {phrase}, relative to your last picks."
        )
        return Decision(DecisionKind.REFINEMENT, why, anchor, phrase, new_topic=True)

    def _style(self, live: Anchor, music, phrase, query, salt) -> Decision:
        seeds = [t for t in music.batch_to_continue() if t in self.catalog.tracks]
        tracks = [self.catalog.tracks[t] for t in seeds]
        artists = [a for a, _ in Counter(t.artist_key for t in tracks).most_common(4)]
        labels = Counter(label for t in tracks for label in t.genres + t.tags)
        top = [label for label, _ in labels.most_common(4)]
        anchor = Anchor(
            query=query,
            intent=Intent.HYBRID_SIMILARITY_GENRE if top else Intent.ARTIST_SIMILARITY,
            artists=artists or list(live.artists),
            genres=top or list(live.genres),
            moods=list(live.moods),
            seeds=seeds,
            activities=list(live.activities),
            salt=salt,
        )
        names = ", ".join(self.catalog.artists[a].name for a in artists[:3]) or "your last picks"
        why = (
            f"Style continuation from your last {len(seeds)} tracks ({names}): similar "
            f"artists and shared labels ({', '.join(top[:3]) or 'none'})."
        )
        return Decision(DecisionKind.STYLE_CONTINUATION, why, anchor, phrase, new_topic=True)

    def _vary(self, live: Anchor, music, phrase, query, salt) -> Decision:
        tracks = [self.catalog.tracks[t] for t in music.last_batch if t in self.catalog.tracks]
        avoid = Counter(g for t in tracks for g in self.catalog.genres_of(t))
        avoid.update({g: 3 for g in live.genres})
        avoided = [g for g, _ in avoid.most_common(8)]
        anchor = Anchor(
            query=query,
            intent=Intent.DISCOVERING_SERENDIPITY,
            avoid_genres=avoided,
            salt=salt,
        )
        why = (
            f"Variation: away from {', '.join(avoided[:3]) or 'what you had'}, "
            "towards genres you have not heard in this session."
        )
        return Decision(DecisionKind.VARIATION, why, anchor, phrase, new_topic=True)


def _topic(anchor: Anchor, catalog: Catalog) -> str:
    names = [catalog.artists[a].name for a in anchor.artists if a in catalog.artists]
    if names and anchor.intent in SIMILARITY_INTENTS:
        names = [f"like {', '.join(names[:3])}"]
    parts = names + anchor.genres[:2] + anchor.moods[:1] + anchor.activities[:1]
    return ", ".join(parts) or anchor.query
