"""The word lists of the offline engine, loaded from data/lexicon.yaml through a strict schema.

Words are data: which words make a job title, which employer names are also everyday words,
which words introduce a skill, the spoken languages and their levels, degree spellings and
places. Code asks the `Lexicon`; the lists live in one validated file.
"""

from __future__ import annotations

from functools import lru_cache
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
        """The country a place name (city, country, demonym) is in, or None."""
        lowered = place.strip().lower()
        for country, spec in self.places.countries.items():
            if lowered in {n.lower() for n in (country, *spec.names, *spec.cities)}:
                return country
        return None


@lru_cache(maxsize=4)
def load_lexicon(path: Path = DEFAULT_LEXICON) -> Lexicon:
    """The lexicon at `path`, validated once per process (it is read-only)."""
    return load_model(path, Lexicon)
