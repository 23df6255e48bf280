"""The word lists of the offline engine, loaded from data/lexicon.yaml through a strict schema.

Words are data: which words make a job title, which employer names are also everyday words,
which words introduce a skill, the spoken languages and their levels, degree spellings and
places. Code asks the `Lexicon`; the lists live in one validated file.
"""

from __future__ import annotations

import re
from functools import cached_property, lru_cache
from pathlib import Path

from pydantic import Field

from booth.apps.fitcheck.datafile import DATA_DIR, Strict, load_model

DEFAULT_LEXICON = DATA_DIR / "lexicon.yaml"


class QueryWords(Strict):
    seniority_words: frozenset[str]
    role_nouns: frozenset[str]
    role_modifiers: frozenset[str]
    filler: frozenset[str]
    acronyms: dict[str, str]
    not_employer_words: frozenset[str]


class EmployerWords(Strict):
    common_words: frozenset[str]
    legal_suffixes: frozenset[str]
    generic_name_words: frozenset[str]


class SkillContext(Strict):
    """Words that make an ambiguous skill name a skill: before it ("in Go") or after ("Go code")."""

    before: frozenset[str]
    after: frozenset[str]


class Languages(Strict):
    names: tuple[str, ...] = Field(min_length=1)
    levels: dict[str, int]  # "c1" -> 5, "fluent" -> 5, "native" -> 7
    default_level: int = Field(ge=1, le=7)  # a language asked for without a level


class Degrees(Strict):
    bachelor: tuple[str, ...]
    master: tuple[str, ...]
    phd: tuple[str, ...]


class Country(Strict):
    names: tuple[str, ...]
    cities: tuple[str, ...]


class Places(Strict):
    countries: dict[str, Country]
    regions: dict[str, tuple[str, ...]]


class Lexicon(Strict):
    query: QueryWords
    employers: EmployerWords
    seniority_years: dict[str, int]
    skill_context: SkillContext
    languages: Languages
    degrees: Degrees
    places: Places
    numbers: dict[str, int]  # "twelve" -> 12, for "a team of twelve"
    stopwords: frozenset[str]  # words a free requirement line shares with every profile

    def number(self, word: str) -> int | None:
        """A count written in digits or words ("12", "twelve"), or None."""
        word = word.strip().lower()
        return int(word) if word.isdigit() else self.numbers.get(word)

    def country_of(self, place: str) -> str | None:
        """The country a place name (a city or a country's name) is in, or None."""
        return self._place_names.get(place.strip().lower())

    def place_in(self, text: str) -> str | None:
        """The first country or region a text names (a city gives its country)."""
        found = self._place_pattern.search(text)
        if found is None:
            return None
        name = found.group(0)
        return name if name in self.places.regions else self._place_names[name.lower()]

    @cached_property
    def _place_names(self) -> dict[str, str]:
        names = {}
        for country, spec in self.places.countries.items():
            for name in (country, *spec.names, *spec.cities):
                names[name.lower()] = country
        return names

    @cached_property
    def _place_pattern(self) -> re.Pattern[str]:
        names = [*self.places.regions]
        for country, spec in self.places.countries.items():
            names += [country, *spec.names, *spec.cities]
        body = "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True))
        return re.compile(rf"(?<![\w.])(?:{body})(?!\w)")

    @cached_property
    def language_pattern(self) -> re.Pattern[str]:
        body = "|".join(re.escape(n) for n in self.languages.names)
        return re.compile(rf"(?<!\w)(?:{body})(?!\w)")

    @cached_property
    def level_pattern(self) -> re.Pattern[str]:
        words = sorted(self.languages.levels, key=len, reverse=True)
        return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.I)

    @cached_property
    def degree_patterns(self) -> dict[str, tuple[re.Pattern[str], re.Pattern[str] | None]]:
        """Per level: spellings that need no context, and short ones ("BS", "MA") that count
        only next to the word "degree"."""
        out = {}
        for level in ("bachelor", "master", "phd"):
            short, long = self._degree_spellings(level)
            out[level] = (_words(long), _words(short) if short else None)
        return out

    @cached_property
    def any_degree_pattern(self) -> re.Pattern[str]:
        """Matches where any level's spellings that need no context do: most texts name no
        degree, and one search then says so for all three levels (their alternatives side by
        side, inside the one word-boundary test they share)."""
        levels = ("bachelor", "master", "phd")
        bodies = [_alternatives(self._degree_spellings(level)[1]) for level in levels]
        return _whole_words("|".join(f"(?:{body})" for body in bodies))

    def _degree_spellings(self, level: str) -> tuple[list[str], list[str]]:
        """(short, long) spellings of a degree level."""
        spellings = getattr(self.degrees, level)
        short = [s for s in spellings if len(s.replace(".", "")) <= 2]
        return short, [s for s in spellings if s not in short]


def _words(spellings: list[str]) -> re.Pattern[str]:
    return _whole_words(_alternatives(spellings))


def _alternatives(spellings: list[str]) -> str:
    return "|".join(re.escape(s) for s in sorted(spellings, key=len, reverse=True))


def _whole_words(body: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w.])(?:{body})(?!\w)", re.IGNORECASE)


@lru_cache(maxsize=4)
def load_lexicon(path: Path = DEFAULT_LEXICON) -> Lexicon:
    """The lexicon at `path`, validated once per process (it is read-only)."""
    return load_model(path, Lexicon)
