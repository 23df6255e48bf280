"""Booth's measures in a recruiter's words: spans of time and skill levels, never raw numbers.

The matcher keeps years to a tenth and levels on a 1-5 scale; a person reads "about 10 years"
and "expert level". The words are chosen so they never round across a whole year the posting
may ask for: 4 years and 11 months is "almost 5 years", not "about 5 years".
"""

from __future__ import annotations

MONTHS_PER_YEAR = 12
ABOUT_MONTHS = 2  # up to this many months past a whole year still reads "about N years"
ALMOST_MONTHS = 9  # from this many months past a whole year it reads "almost N+1 years"
LEVEL_WORDS = {1: "beginner", 2: "basic", 3: "working", 4: "advanced", 5: "expert"}


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else many or word + 's'}"


def _whole_years(count: int) -> str:
    return "a year" if count == 1 else f"{count} years"


def span(years: float) -> str:
    """A span of time as a recruiter says it: "7 months", "about 10 years", "almost 8 years"."""
    months = round(max(0.0, years) * MONTHS_PER_YEAR)
    if months < MONTHS_PER_YEAR:
        return "less than a month" if months == 0 else plural(months, "month")
    whole, rest = divmod(months, MONTHS_PER_YEAR)
    if rest <= ABOUT_MONTHS:
        return f"about {_whole_years(whole)}"
    if rest >= ALMOST_MONTHS:
        return f"almost {_whole_years(whole + 1)}"
    return f"over {_whole_years(whole)}"


def band(seniority: str) -> str:
    """A seniority band as a phrase: "staff level", "mid-level"."""
    return seniority if seniority.endswith("level") else f"{seniority} level"


def level(value: int) -> str:
    """A skill level of 1-5 in words: "expert level", "working level"."""
    return f"{LEVEL_WORDS[max(1, min(5, value))]} level"
