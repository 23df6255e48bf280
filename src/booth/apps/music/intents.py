"""The planner's reading of a query: which of the nine intents, and which entities.

Deterministic rules over the catalog's own vocabulary: artist names (exact, then fuzzy for typos
and case), genres, moods, activities and decades. An artist the catalog does not know is kept with
"did you mean" suggestions rather than dropped, so the answer can say so.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from booth.apps.music.catalog import Catalog
from booth.apps.music.models import Intent

INTENTS = tuple(Intent)


@dataclass(frozen=True)
class Activity:
    """What music suits an activity: energy and tempo ranges, and labels that tend to fit."""

    name: str
    words: tuple[str, ...]
    energy: tuple[float, float]
    tempo: tuple[float, float]
    moods: tuple[str, ...]
    labels: tuple[str, ...]
    valence: tuple[float, float] = (0.0, 1.0)


ACTIVITIES = (
    Activity(
        "studying",
        (
            "study",
            "studying",
            "homework",
            "focus",
            "focusing",
            "concentrate",
            "concentration",
            "reading",
            "exam",
            "exams",
            "revision",
        ),
        (0.0, 0.55),
        (55, 125),
        ("calm", "focused", "chill", "mellow", "peaceful", "dreamy"),
        (
            "study",
            "instrumental",
            "ambient",
            "classical",
            "modern classical",
            "jazz",
            "piano",
            "lo fi",
            "post rock",
            "downtempo",
            "neoclassical",
        ),
    ),
    Activity(
        "workout",
        (
            "workout",
            "work out",
            "gym",
            "exercise",
            "exercising",
            "running",
            "run",
            "lifting",
            "training",
            "cardio",
            "jogging",
            "hiit",
        ),
        (0.65, 1.0),
        (110, 200),
        ("energetic", "aggressive", "intense", "upbeat", "powerful", "hype"),
        ("workout", "hip hop", "rap", "trap", "edm", "metal", "drum and bass", "punk"),
    ),
    Activity(
        "coding",
        ("coding", "programming", "code", "hacking", "debugging", "deep work"),
        (0.25, 0.7),
        (80, 140),
        ("focused", "hypnotic", "chill", "atmospheric", "calm"),
        (
            "coding",
            "electronic",
            "ambient",
            "instrumental",
            "idm",
            "lo fi",
            "synthwave",
            "downtempo",
            "techno",
            "post rock",
            "minimal",
        ),
    ),
    Activity(
        "sleep",
        (
            "sleep",
            "sleeping",
            "bedtime",
            "asleep",
            "insomnia",
            "nap",
            "napping",
            "wind down",
            "winding down",
        ),
        (0.0, 0.35),
        (40, 105),
        ("calm", "peaceful", "dreamy", "soothing", "relaxing", "serene", "ethereal"),
        (
            "sleep",
            "ambient",
            "classical",
            "modern classical",
            "piano",
            "drone",
            "new age",
            "neoclassical",
            "minimal",
        ),
    ),
    Activity(
        "driving",
        (
            "driving",
            "drive",
            "road trip",
            "roadtrip",
            "cruising",
            "commute",
            "commuting",
            "highway",
        ),
        (0.5, 0.95),
        (90, 160),
        ("upbeat", "nostalgic", "energetic", "anthemic", "euphoric"),
        ("driving", "classic rock", "synthwave", "indie rock", "synth pop", "new wave"),
    ),
    Activity(
        "party",
        (
            "party",
            "partying",
            "dancing",
            "dance party",
            "club",
            "pregame",
            "celebration",
            "house party",
        ),
        (0.65, 1.0),
        (100, 140),
        ("upbeat", "happy", "energetic", "fun", "euphoric", "party"),
        ("party", "dance", "house", "disco", "funk", "edm", "dance pop"),
        (0.45, 1.0),
    ),
)

# Query words → catalog labels they may mean (kept only where the catalog has the label).
GENRE_SYNONYMS = {
    "hip hop": ("hip hop", "rap"),
    "rap": ("rap", "hip hop"),
    "rnb": ("r&b",),
    "r and b": ("r&b",),
    "r&b": ("r&b",),
    "electronica": ("electronica", "electronic"),
    "edm": ("edm", "electronic", "dance"),
    "lofi": ("lo fi",),
    "lo fi": ("lo fi",),
    "dnb": ("drum and bass",),
    "drum n bass": ("drum and bass",),
    "drum & bass": ("drum and bass",),
    "classic rock": ("classic rock",),
    "alt rock": ("alternative rock",),
    "alternative": ("alternative", "alternative rock"),
    "indie": ("indie", "indie rock"),
    "metal": ("metal", "heavy metal"),
    "classical": ("classical", "modern classical"),
    "country": ("country",),
    "soul": ("soul", "neo soul"),
    "punk": ("punk", "post punk"),
    "electronic": ("electronic",),
    "jazz": ("jazz",),
    "folk": ("folk", "indie folk"),
    "synthwave": ("synthwave",),
    "kpop": ("k pop",),
    "k pop": ("k pop",),
    "rhythm and blues": ("r&b",),
    "d & b": ("drum and bass",),
    "drum and base": ("drum and bass",),
    "jungle": ("jungle", "drum and bass"),
    "electropop": ("electropop", "synth pop"),
    "synth": ("synth pop", "synthwave"),
    "rock n roll": ("rock and roll", "rock"),
    "rock & roll": ("rock and roll", "rock"),
    "trip-hop": ("trip hop",),
    "lo-fi": ("lo fi",),
    "jpop": ("j pop",),
    "cpop": ("c pop",),
}
# Tags that say who performs or what plays, not a style: everyday words in a request ("the band
# that made OK Computer"), so they are never read as a genre the request asks for.
PERFORMER_TAGS = frozenset(
    {
        "band",
        "duo",
        "trio",
        "group",
        "singer",
        "songwriter",
        "rapper",
        "dj",
        "producer",
        "composer",
        "crooner",
        "dancer",
    }
)
MOOD_SYNONYMS = {
    "happy": ("happy", "upbeat", "joyful", "cheerful", "feel good"),
    "sad": ("sad", "melancholic", "melancholy", "heartbreak", "somber"),
    "melancholy": ("melancholic", "melancholy", "sad"),
    "chill": ("chill", "relaxed", "mellow", "calm", "laid back"),
    "relaxing": ("relaxing", "relaxed", "calm", "chill", "peaceful"),
    "calm": ("calm", "peaceful", "serene", "chill"),
    "energetic": ("energetic", "upbeat", "intense", "high energy"),
    "upbeat": ("upbeat", "energetic", "happy", "feel good"),
    "hype": ("hype", "energetic", "aggressive"),
    "dark": ("dark", "brooding", "ominous", "gloomy"),
    "angry": ("angry", "aggressive", "intense"),
    "aggressive": ("aggressive", "angry", "intense"),
    "romantic": ("romantic", "sensual", "love"),
    "sexy": ("sensual", "romantic"),
    "dreamy": ("dreamy", "ethereal", "atmospheric", "hazy"),
    "mellow": ("mellow", "chill", "calm"),
    "nostalgic": ("nostalgic", "wistful"),
    "uplifting": ("uplifting", "euphoric", "hopeful"),
    "moody": ("moody", "dark", "brooding"),
    "groovy": ("groovy", "funky"),
    "funky": ("funky", "groovy"),
    "intense": ("intense", "aggressive", "energetic"),
    "peaceful": ("peaceful", "calm", "serene"),
}
# Moods that also say where a track's audio features should sit (feature, low, high).
MOOD_FEATURES = {
    "happy": ("valence", 0.6, 1.0),
    "upbeat": ("energy", 0.6, 1.0),
    "energetic": ("energy", 0.65, 1.0),
    "sad": ("valence", 0.0, 0.4),
    "melancholic": ("valence", 0.0, 0.4),
    "chill": ("energy", 0.0, 0.5),
    "calm": ("energy", 0.0, 0.45),
    "relaxing": ("energy", 0.0, 0.45),
    "mellow": ("energy", 0.0, 0.5),
    "aggressive": ("energy", 0.7, 1.0),
    "intense": ("energy", 0.7, 1.0),
    "dark": ("valence", 0.0, 0.4),
    "peaceful": ("energy", 0.0, 0.4),
    "hype": ("energy", 0.7, 1.0),
}

UNDERGROUND_WORDS = (
    "underground",
    "deep cuts",
    "deep cut",
    "obscure",
    "lesser known",
    "less known",
    "hidden gems",
    "hidden gem",
    "b sides",
    "rare",
    "unknown",
    "not mainstream",
    "non mainstream",
    "under the radar",
    "niche",
    "overlooked",
    "underrated",
)
DISCOVERY_WORDS = (
    "discover",
    "discovery",
    "new artists",
    "new music",
    "explore",
    "introduce me",
    "find me",
    "something new",
    "fresh",
    "new to me",
    "haven t heard",
)
SERENDIPITY_WORDS = (
    "surprise me",
    "surprise",
    "random",
    "anything",
    "whatever",
    "feeling lucky",
    "serendipity",
    "shuffle",
    "dealer s choice",
    "you pick",
    "pick for me",
    "i don t know",
    "dunno",
)
SIMILARITY_MARKERS = (
    "similar to",
    "sounds like",
    "sound like",
    "music like",
    "songs like",
    "tracks like",
    "artists like",
    "bands like",
    "in the style of",
    "in the vein of",
    "reminds me of",
    "fans of",
    "if i like",
    "like",
)
ARTIST_MARKERS = ("by", "from", "of", "into", "on")
FILLER = frozenset(
    """
    a an the some me i want need give play show find recommend recommendations please songs
    song tracks track music tunes stuff good great best top more any for to with and or of by
    from like that this these those can you could would something some get let s just really
    very my in on is are be it into new list playlist artist artists band bands listen
    listening hear what who which while when also but
    """.split()
)

# One-word artist names that are also everyday words: they count as artists only with a cue
# ("by Future", "like Genesis") or a capital letter mid-sentence.
COMMON_WORDS = frozenset(
    """future genesis cream journey rush train prince queen heart kiss
america boston chicago europe live garbage drake tool bush free suede space wire love muse
television sleep""".split()
)

DECADE = re.compile(r"\b(?:(19|20)?(\d)0)'?s\b")
DECADE_WORDS = {
    "fifties": 1950,
    "sixties": 1960,
    "seventies": 1970,
    "eighties": 1980,
    "nineties": 1990,
    "noughties": 2000,
    "aughts": 2000,
}
# How many edits a typed artist name may be from a known one to be suggested or corrected.
SUGGEST_EDITS_PER_CHAR = 0.25
SUGGEST_MIN_EDITS = 1
CORRECT_RATIO = 0.82  # difflib ratio a silent correction needs (besides the edit limit)
SUGGEST_MIN_RATIO = 0.45  # difflib ratio below which a name within the edits is not suggested


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, or `limit + 1` as soon as it must exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def edit_limit(phrase: str) -> int:
    """The edits a name of this length may differ by and still be a likely typo."""
    return max(SUGGEST_MIN_EDITS, int(len(phrase.replace(" ", "")) * SUGGEST_EDITS_PER_CHAR))


def simplify(text: str) -> str:
    """Comparable form of a name or query: accents and punctuation gone, lowercase, spaced."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold().replace("&", " & ").replace("'", "")
    text = re.sub(r"[^\w&$]+", " ", text)
    return " ".join(text.split())


def typed_form(query: str, phrase: str) -> str:
    """`phrase` (simplified) as the user typed it in `query`, to quote it back to them."""
    words = phrase.split()
    for size in range(len(query.split()), 0, -1):
        parts = query.split()
        for start in range(len(parts) - size + 1):
            span = " ".join(parts[start : start + size]).strip(".,!?;:\"'()")
            if simplify(span).split() == words:
                return span
    return phrase


def trim_filler(phrase: str) -> str:
    """A phrase without the everyday words at its edges ("the new radiohead stuff" → radiohead)."""
    words = phrase.split()
    while words and words[0] in FILLER - {"the"}:
        words.pop(0)
    while words and words[-1] in FILLER:
        words.pop()
    return " ".join(words) if any(w not in FILLER for w in words) else ""


@dataclass
class Understanding:
    """What the planner read in a query; stored as the anchor of later follow-ups."""

    query: str
    intent: Intent
    artists: list[str] = field(default_factory=list)  # catalog artist keys
    genres: list[str] = field(default_factory=list)
    moods: list[str] = field(default_factory=list)
    activities: list[str] = field(default_factory=list)
    era: tuple[int, int] | None = None  # first year, last year
    unknown_artist: str | None = None
    suggestions: list[str] = field(default_factory=list)  # display names
    corrections: dict[str, str] = field(default_factory=dict)  # typed → catalog name
    signals: list[str] = field(default_factory=list)
    confidence: float = 1.0
    read_by: str = "rules"  # or "model": a model's reading, grounded in the catalog

    @property
    def has_entities(self) -> bool:
        return bool(
            self.artists
            or self.genres
            or self.moods
            or self.activities
            or self.era
            or self.unknown_artist
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["intent"] = self.intent.value
        data["era"] = list(self.era) if self.era else None
        return data


class ArtistIndex:
    """Exact and fuzzy lookup of artist names, built once per catalog.

    Fuzzy lookup never scans every name: a bigram index finds the few names that can be within
    a typo's edit distance (a name `k` edits away shares at least `max(len) - 1 - 2k` of its
    bigrams with the typed one), and only those are measured.
    """

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.exact: dict[str, str] = {}
        for key, artist in catalog.artists.items():
            for form in self.forms(artist.name):
                self.exact.setdefault(form, key)
        self.names = sorted(self.exact)
        self._names_of: dict[str, list[str]] = {}  # key → its names
        self._by_length: dict[int, list[int]] = {}  # name length → indexes into `names`
        self._postings: dict[str, list[int]] = {}  # bigram → indexes of the names holding it
        self._repeats: dict[str, dict[int, int]] = {}  # bigram → index → count, when over 1
        for index, name in enumerate(self.names):
            self._names_of.setdefault(self.exact[name], []).append(name)
            self._by_length.setdefault(len(name), []).append(index)
            for gram, count in _bigrams(name).items():
                self._postings.setdefault(gram, []).append(index)
                if count > 1:
                    self._repeats.setdefault(gram, {})[index] = count

    @staticmethod
    def forms(name: str) -> set[str]:
        simple = simplify(name)
        forms = {simple, simple.replace(" ", "")}
        if simple.startswith("the "):
            forms |= {simple[4:], simple[4:].replace(" ", "")}
        return {f for f in forms if f}

    def lookup(self, phrase: str) -> str | None:
        simple = simplify(phrase)
        return self.exact.get(simple) or self.exact.get(simple.replace(" ", ""))

    def close(self, phrase: str, n: int = 3) -> list[tuple[str, float]]:
        """Artist keys within a typo's edit distance of `phrase`, with their ratio, best first.

        The ratio (difflib's, of the typed name and the artist's closest-reading name of a
        similar length) ranks them and decides whether a silent correction is safe.
        """
        simple = simplify(phrase).removeprefix("the ")
        limit = edit_limit(simple)
        typed = tuple(dict.fromkeys((simple, simple.replace(" ", ""))))
        keys = {self.exact[self.names[i]] for form in typed for i in self._within(form, limit)}
        lengths = range(min(map(len, typed)) - limit, max(map(len, typed)) + limit + 1)
        best: list[tuple[float, str, str]] = []  # (ratio, name, key)
        for key in keys:
            ratio, name = max(
                (difflib.SequenceMatcher(None, simple, name).ratio(), name)
                for name in self._names_of[key]
                if len(name) in lengths
            )
            if ratio >= SUGGEST_MIN_RATIO:
                best.append((ratio, name, key))
        best.sort(reverse=True)
        return [(key, ratio) for ratio, _, key in best[:n]]

    def _within(self, typed: str, limit: int) -> list[int]:
        """Indexes of the names at most `limit` edits from `typed`."""
        shared: Counter[int] = Counter()  # bigrams each name has in common with `typed`
        for gram, count in _bigrams(typed).items():
            shared.update(self._postings.get(gram, ()))
            if count > 1:
                for index, has in self._repeats.get(gram, {}).items():
                    shared[index] += min(count, has) - 1
        lengths = range(len(typed) - limit, len(typed) + limit + 1)
        # Each edit breaks at most two bigrams of the longer name: fewer in common is too far.
        floor = len(typed) - 1 - 2 * limit
        if floor > 0:  # only names sharing bigrams can be close
            found = [i for i, n in shared.items() if len(self.names[i]) in lengths]
        else:  # a short name may be close while sharing none
            found = [i for length in lengths for i in self._by_length.get(length, ())]
        return [
            i
            for i in found
            if shared[i] >= max(len(typed), len(self.names[i])) - 1 - 2 * limit
            and edit_distance(typed, self.names[i], limit) <= limit
        ]


def _bigrams(text: str) -> Counter[str]:
    return Counter(text[i : i + 2] for i in range(len(text) - 1))


class Vocabulary:
    """The labels a query may name, mapped to the catalog labels they stand for."""

    def __init__(self, catalog: Catalog) -> None:
        known = catalog.vocabulary
        self.genres: dict[str, tuple[str, ...]] = {}
        for tag, count in catalog.tag_counts.items():  # tags name styles too ("shoegaze")
            if tag not in catalog.mood_counts and tag not in PERFORMER_TAGS and count >= 3:
                self.genres[simplify(tag)] = (tag,)
        for genre in catalog.genre_counts:
            self.genres[simplify(genre)] = (genre,)
        for word, targets in GENRE_SYNONYMS.items():
            present = tuple(t for t in targets if t in known)
            if present:
                self.genres.setdefault(simplify(word), present)
        for key, targets in list(self.genres.items()):  # "synthpop", "hiphop", "triphop"
            if " " in key and "&" not in key:
                self.genres.setdefault(key.replace(" ", ""), targets)
        self.moods: dict[str, tuple[str, ...]] = {simplify(m): (m,) for m in catalog.mood_counts}
        for word, targets in MOOD_SYNONYMS.items():
            present = tuple(t for t in targets if t in catalog.mood_counts)
            self.moods[simplify(word)] = present or (word,)
        self.activities: dict[str, Activity] = {}
        for activity in ACTIVITIES:
            for word in activity.words:
                self.activities[simplify(word)] = activity
        for word in [*self.moods, *self.activities]:
            self.genres.pop(word, None)
        self.max_words = max(len(k.split()) for k in [*self.genres, *self.moods, "x"])
        self.genre_words = frozenset(w for k in self.genres for w in k.split())


class Planner:
    """Reads queries against one catalog; build once, call `understand` per request."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.artists = ArtistIndex(catalog)
        self.vocab = Vocabulary(catalog)

    # -- entities ---------------------------------------------------------------------------
    def _spans(self, words: list[str], table: dict, used: list[bool], max_len: int):
        """Longest-first phrase matches of `table` keys over unused words."""
        found = []
        for size in range(min(max_len, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                if any(used[start : start + size]):
                    continue
                phrase = " ".join(words[start : start + size])
                if phrase in table:
                    for i in range(start, start + size):
                        used[i] = True
                    found.append((start, phrase, table[phrase]))
        return [f for f in sorted(found)]

    def _artist_spans(self, words: list[str], used: list[bool], original: str) -> list[str]:
        """Artist names said outright; a name that is also an everyday word needs a cue."""
        found = []
        for size in range(min(6, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                if any(used[start : start + size]):
                    continue
                phrase = " ".join(words[start : start + size])
                key = self.artists.lookup(phrase)
                if key is None:
                    continue
                if size == 1 and not self._cued(words, start, phrase, original):
                    continue
                for i in range(start, start + size):
                    used[i] = True
                found.append((start, key))
        return [key for _, key in sorted(found)]

    def _cued(self, words: list[str], start: int, word: str, original: str) -> bool:
        everyday = (
            word in FILLER
            or word in self.vocab.genres
            or word in self.vocab.moods
            or word in self.vocab.activities
            or len(word) <= 4
            or word in COMMON_WORDS
        )
        if not everyday:
            return True
        before = words[start - 1] if start else ""
        capitalised = re.search(rf"\b{re.escape(word.capitalize())}\b", original) is not None
        return before in ("by", "like", "from") or (capitalised and start > 0) or len(words) == 1

    def _captured_phrase(self, text: str) -> str | None:
        """The words after "by / like / similar to …" or before "songs/tracks": a likely name."""
        patterns = (
            (
                r"(?:similar to|sounds? like|in the style of|reminds me of|fans? of|artists like|"
                r"bands like|music like|songs like|tracks like|like)\s+(.+?)(?:\s+but\b.*)?$"
            ),
            r"(?:songs|tracks|music|albums?|stuff|hits|cuts|sides)\s+(?:by|from)\s+(.+)$",
            r"(?:^|\s)by\s+(.+)$",
            r"(?:deep dive into|dive into|more from|more by)\s+(.+)$",
            r"^(?:play|some|more|give me|show me|i want)?\s*(.+?)\s+(?:songs|tracks|music)$",
        )
        for pattern in patterns:
            match = re.search(pattern, text)
            if match:
                phrase = match.group(1).strip()
                phrase = re.sub(r"\b(please|songs?|tracks?|music|stuff)$", "", phrase).strip()
                if phrase:
                    return phrase
        return None

    def understand(self, query: str) -> Understanding:
        text = simplify(query)
        words = text.split()
        used = [False] * len(words)
        signals: list[str] = []

        era = None
        start = self._decade(text, words, used)
        if start is not None:
            era = (start, start + 9)
            signals.append(f"decade {start}s")

        for cue in (*UNDERGROUND_WORDS, *DISCOVERY_WORDS, *SERENDIPITY_WORDS):
            for match in re.finditer(rf"\b{re.escape(cue)}\b", text):
                first = len(text[: match.start()].split())
                for i in range(first, min(len(words), first + len(cue.split()))):
                    used[i] = True
        artists = self._artist_spans(words, used, query)
        activity_hits = self._spans(words, self.vocab.activities, used, 3)
        genre_hits = self._spans(words, self.vocab.genres, used, self.vocab.max_words)
        mood_hits = self._spans(words, self.vocab.moods, used, 3)
        genres = list(dict.fromkeys(g for _, _, targets in genre_hits for g in targets))
        moods = list(dict.fromkeys(m for _, _, targets in mood_hits for m in targets))
        activities = list(dict.fromkeys(a.name for _, _, a in activity_hits))

        unknown, suggestions, corrections = None, [], {}
        if not artists:
            cued = trim_filler(self._captured_phrase(text) or "")
            if cued and self._is_vocabulary(cued):
                cued = ""
            leftover = [w for w, u in zip(words, used, strict=True) if not u and w not in FILLER]
            loose = ""
            cues = SERENDIPITY_WORDS + DISCOVERY_WORDS + UNDERGROUND_WORDS
            if (
                not cued
                and leftover
                and not (genres or moods or activities)
                and len(leftover) <= 4
                and not self._has(text, cues)
            ):
                loose = " ".join(leftover)
            candidate = cued or loose
            if candidate:
                matches = self.artists.close(candidate)
                if matches and matches[0][1] >= CORRECT_RATIO:
                    key = matches[0][0]
                    artists = [key]
                    corrections[candidate] = self.catalog.artists[key].name
                    signals.append(f"read '{candidate}' as {self.catalog.artists[key].name}")
                elif cued or matches:
                    unknown = typed_form(query, candidate)
                    suggestions = [self.catalog.artists[k].name for k, _ in matches]

        intent = self._intent(text, artists, genres, moods, activities, unknown, signals)
        confidence = 1.0 if (artists or genres or moods or activities) else 0.5
        if corrections:
            confidence = 0.8
        return Understanding(
            query=query,
            intent=intent,
            artists=artists,
            genres=genres,
            moods=moods,
            activities=activities,
            era=era,
            unknown_artist=unknown,
            suggestions=suggestions,
            corrections=corrections,
            signals=signals,
            confidence=confidence,
        )

    @staticmethod
    def _decade(text: str, words: list[str], used: list[bool]) -> int | None:
        """The decade a query names ("80s", "1980s", "'80s", "eighties"), its words used up."""
        for i, word in enumerate(words):
            if word in DECADE_WORDS:
                used[i] = True
                return DECADE_WORDS[word]
        decade = DECADE.search(text)
        if decade is None:
            return None
        century = decade.group(1) or ("20" if decade.group(2) in "012" else "19")
        for i, word in enumerate(words):
            if word == decade.group(0):
                used[i] = True
        return int(century + decade.group(2) + "0")

    def _is_vocabulary(self, phrase: str) -> bool:
        words = [w for w in phrase.split() if w not in FILLER]
        return (
            bool(words)
            and all(
                w in self.vocab.genres
                or w in self.vocab.moods
                or w in self.vocab.activities
                or w in self.vocab.genre_words
                for w in words
            )
            or phrase in self.vocab.genres
            or phrase in self.vocab.activities
        )

    @staticmethod
    def _has(text: str, phrases) -> str | None:
        for phrase in phrases:
            if re.search(rf"\b{re.escape(phrase)}\b", text):
                return phrase
        return None

    def _intent(
        self,
        text: str,
        artists: list[str],
        genres: list[str],
        moods: list[str],
        activities: list[str],
        unknown: str | None,
        signals: list[str],
    ) -> Intent:
        similar = self._has(text, SIMILARITY_MARKERS[:-1])
        if not similar and re.search(r"(?<!\bi )(?<!\bd )(?<!\bwould )\blike\b", text):
            similar = "like"
        underground = self._has(text, UNDERGROUND_WORDS)
        if artists or unknown:
            if similar:
                signals.append(f"similarity cue '{similar}'")
                return Intent.HYBRID_SIMILARITY_GENRE if genres else Intent.ARTIST_SIMILARITY
            if underground:
                signals.append(f"underground cue '{underground}'")
                return Intent.BY_ARTIST_UNDERGROUND
            if genres and artists:
                return Intent.ARTIST_GENRE
            return Intent.BY_ARTIST
        if activities:
            signals.append(f"activity {', '.join(activities)}")
            return Intent.CONTEXTUAL
        serendipity = self._has(text, SERENDIPITY_WORDS)
        if serendipity and not genres:
            signals.append(f"serendipity cue '{serendipity}'")
            return Intent.DISCOVERING_SERENDIPITY
        discovery = underground or self._has(text, DISCOVERY_WORDS)
        if discovery:
            signals.append(f"discovery cue '{discovery}'")
            return Intent.DISCOVERY
        if genres or moods:
            return Intent.GENRE_MOOD
        signals.append("nothing specific recognised")
        return Intent.DISCOVERING_SERENDIPITY
