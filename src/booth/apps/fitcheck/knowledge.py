"""Offline research sources: the bundled company knowledge base and the user's own notes.

The knowledge base (data/companies.yaml) is a snapshot of public facts about well-known
employers; the notes folder (BOOTH_FITCHECK_KNOWLEDGE) holds markdown files the user wrote about
employers. Both are only read. Finding a company in free text is the delicate part: many
employers are also English words ("Block", "Linear") or skills ("Docker", "Snowflake"), so in a
long text those count only when the text names them as an employer ("at Linear", "Docker is
hiring"), while a short query may name a company in any case.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field

from booth.apps.fitcheck.datafile import DATA_DIR, DataFileError, Strict, load_model
from booth.apps.fitcheck.ontology import Ontology, SkillMatch, spans_of
from booth.apps.fitcheck.textmatch import alternation

DEFAULT_COMPANIES = DATA_DIR / "companies"
KNOWLEDGE_ENV = "BOOTH_FITCHECK_KNOWLEDGE"

# A capitalised word of an employer's name ("Acme", "Booking.com", "AT&T"), and up to four of them.
# Possessive (*+): after a name's characters comes "." or a space, or the pattern ends; a name
# character given back is neither, so backtracking into a name would never find a match.
NAME = r"[A-Z][\w&'-]*+(?:\.[A-Za-z]\w*+)?"
NAMES = rf"{NAME}(?:[ \t]+(?:&[ \t]+)?{NAME}){{0,3}}"
# Where a posting names the company that posts it: "About us: X", "Join X", "X is hiring",
# "X just raised", "at X" (not "experience at X"). Anything else it names is context.
POSTING_EMPLOYER = (
    re.compile(rf"(?i:\babout\s+us)\s*[:\-–]?\s*({NAMES})"),
    re.compile(rf"(?i:\b(?:about|join|company:|employer:))[ \t]+({NAMES})"),
    re.compile(
        rf"({NAMES})[ \t]+(?:is|are)[ \t]+(?:hiring|looking|seeking|growing|building|expanding)\b"
    ),
    re.compile(rf"(?:^|[.!?\n]\s*)({NAMES})[ \t]+(?:is|are)[ \t]+(?:a|an|the)[ \t]"),
    re.compile(rf"({NAMES})[ \t]+(?:just[ \t]+)?(?:raised|announced|closed)\b"),
    re.compile(rf"(?i:\bat)[ \t]+({NAMES})"),
)
PAST_EXPERIENCE = re.compile(
    r"(?i:\b(?:experience|worked|work|background|previously|formerly|alumni|companies|"
    r"like|such\s+as|e\.g\.)\W+(?:\w+\W+){0,2})$"
)


class Company(Strict):
    """One employer of the knowledge base, as its YAML entry states it."""

    name: str = Field(min_length=1)
    basis: str = Field(min_length=10, description="what the entry is based on, and as of when")
    aliases: tuple[str, ...] = ()
    industry: str = Field(min_length=2)
    size: Literal["startup", "mid", "large", "enterprise"]
    founded: int | None = Field(None, ge=1000, le=2030)
    headquarters: str = Field(min_length=2)
    tech_stack: tuple[str, ...] = ()  # only what is publicly known
    domains: tuple[str, ...] = ()
    requirements: tuple[str, ...] = ()
    culture: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


@dataclass(frozen=True)
class Note:
    """One markdown file from the user's notes folder."""

    path: str
    title: str
    text: str

    def mentions(self, name: str) -> bool:
        pattern = rf"(?<![\w]){re.escape(name)}(?![\w])"
        return bool(re.search(pattern, self.title + "\n" + self.text, re.IGNORECASE))


def normalize(name: str, legal_suffixes: frozenset[str]) -> str:
    """Lower case, punctuation folded, legal suffixes dropped: "Stripe, Inc." -> "stripe"."""
    words = re.sub(r"[^\w&+.]+", " ", name.lower()).split()
    while len(words) > 1 and words[-1] in legal_suffixes:
        words.pop()
    while len(words) > 1 and words[0] == "the":
        words.pop(0)
    return " ".join(words).strip(". ")


# "at Linear", "join Docker", "About Block", "Block is hiring", "Linear's"
_CONTEXT_BEFORE = re.compile(r"(?:\bat|\bjoin|\babout|\bcompany:|\bemployer:)\s+$", re.I)
_CONTEXT_AFTER = re.compile(
    r"(?:'s\b|\s+(?:is|are)\s+(?:hiring|looking|seeking|building|growing)\b)", re.I
)


class KnowledgeBase:
    """Read-only lookups over the bundled companies."""

    def __init__(self, companies: Iterable[Company], ontology: Ontology) -> None:
        self.companies = tuple(companies)
        self._words = ontology.lexicon.employers
        self._by_key: dict[str, Company] = {}
        names: dict[str, Company] = {}
        for company in self.companies:
            for name in (company.name, *company.aliases):
                key = self.normalize(name)
                if key:
                    self._by_key.setdefault(key, company)
                    names.setdefault(name.lower(), company)
        self._names = names
        self._ambiguous = {
            name
            for name in names
            if name in self._words.common_words or len(name) <= 2 or ontology.is_skill_name(name)
        }
        self._ontology = ontology
        self._pattern = re.compile(
            rf"(?<![\w&.@/])(?:{alternation(names)})(?![\w&])", re.IGNORECASE
        )

    def __len__(self) -> int:
        return len(self.companies)

    def normalize(self, name: str) -> str:
        return normalize(name, self._words.legal_suffixes)

    def get(self, name: str) -> Company | None:
        """The company whose name or alias is `name` (case and legal suffix ignored)."""
        return self._by_key.get(self.normalize(name))

    def close_matches(self, name: str, cutoff: float = 0.8) -> list[tuple[Company, float]]:
        """Companies whose name or alias is spelled like `name` (typos, spacing)."""
        key = self.normalize(name)
        if len(key) < 4:
            return []
        found: dict[str, tuple[Company, float]] = {}
        for candidate in difflib.get_close_matches(key, list(self._by_key), n=5, cutoff=cutoff):
            company = self._by_key[candidate]
            ratio = round(difflib.SequenceMatcher(None, key, candidate).ratio(), 2)
            if company.name not in found or found[company.name][1] < ratio:
                found[company.name] = (company, ratio)
        return sorted(found.values(), key=lambda item: -item[1])

    def containing(self, name: str) -> list[Company]:
        """Companies whose name is a whole word inside `name` ("Google Cloud team" -> Google)."""
        key = self.normalize(name)
        hits = []
        for company in self.companies:
            own = self.normalize(company.name)
            if own != key and len(own) >= 3 and own not in self._words.common_words:
                if re.search(rf"(?<!\w){re.escape(own)}(?!\w)", key):
                    hits.append(company)
        return hits

    def mentions(
        self, text: str, *, short: bool, skills: list[SkillMatch] | None = None
    ) -> list[Company]:
        """Companies a text names as an employer, most likely first.

        In a short query any case counts, except that an ambiguous name (an everyday word, a
        skill, two letters) must lead the query; in a long text an ambiguous name counts only in
        an employer context and any other name only when capitalised. `skills`: the text's
        Ontology.skill_matches, when the caller has them already.
        """
        scores: dict[str, tuple[float, Company]] = {}
        # In a long text "Google Cloud" or "Microsoft Azure" names a skill, not an employer.
        if short:
            skill_spans = []
        else:
            skill_spans = spans_of(self._ontology.skill_matches(text) if skills is None else skills)
        for match in self._pattern.finditer(text):
            if any(s <= match.start() and match.end() < e for s, e in skill_spans):
                continue
            found = match.group(0)
            lowered = found.lower()
            company = self._names.get(lowered)
            if company is None:
                continue
            ambiguous = lowered in self._ambiguous
            in_context = self._in_employer_context(text, match.start(), match.end())
            leading = not text[: match.start()].strip()
            if short:
                if ambiguous and not (leading or in_context):
                    continue
            else:
                if not found[0].isupper() and not found[0].isdigit():
                    continue
                if ambiguous and not in_context:
                    continue
            weight = (3.0 if in_context else 1.0) + (1.0 if leading else 0.0)
            weight += len(lowered) / 100  # prefer "Google DeepMind" over "Google"
            previous = scores.get(company.name)
            total = weight + (previous[0] if previous else 0.0)
            scores[company.name] = (total, company)
        return [company for _, company in sorted(scores.values(), key=lambda item: -item[0])]

    def posting_employer(self, text: str) -> tuple[str, Company | None] | None:
        """The company that posts a job description: the first name in an employer context
        ("About us: X", "X is hiring", "Join X", "at X"), known or not. Products and vendors the
        posting names elsewhere ("ships daily on Vercel") are context, not the employer."""
        found: list[tuple[int, str]] = []
        for pattern in POSTING_EMPLOYER:
            for match in pattern.finditer(text):
                if pattern is POSTING_EMPLOYER[-1] and PAST_EXPERIENCE.search(
                    text[max(0, match.start() - 40) : match.start()]
                ):
                    continue
                found.append((match.start(1), match.group(1).strip(".,;:!?")))
        for _, name in sorted(found):
            resolved = self._resolve(name)
            if resolved is not None:
                return resolved
        return None

    def _resolve(self, name: str) -> tuple[str, Company | None] | None:
        """A name from an employer context: a known company, an unknown employer, or None
        when it is a pronoun or a skill ("Our", "We", "Python")."""
        words = name.split()
        while words and (
            words[0].lower() in self._ontology.lexicon.query.not_employer_words
            or words[0].lower() in self._ontology.lexicon.query.filler
        ):
            words.pop(0)
        if not words:
            return None
        name = " ".join(words)
        known = self.get(name) or next(iter(self.mentions(name, short=True)), None)
        if known is not None:
            return known.name, known
        if self._ontology.is_skill_name(name) or self._ontology.find_skills(name):
            return None
        return name, None

    @staticmethod
    def _in_employer_context(text: str, start: int, end: int) -> bool:
        before = text[max(0, start - 12) : start]
        after = text[end : end + 16]
        return bool(_CONTEXT_BEFORE.search(before) or _CONTEXT_AFTER.match(after))


class CompanyFile(Strict):
    """One file of data/companies/.

    `sources` and `shared` hold values several entries reuse through YAML anchors (a basis, an
    industry's typical requirements); each entry still carries its own copy once loaded.
    """

    sources: dict[str, str] = {}
    shared: dict[str, tuple[str, ...]] = {}
    companies: tuple[Company, ...] = Field(min_length=1)


def company_files(path: Path) -> list[Path]:
    """The YAML files of a knowledge base: one file, or every *.yaml in a folder."""
    return sorted(path.glob("*.yaml")) if path.is_dir() else [path]


@lru_cache(maxsize=4)
def load_companies(ontology: Ontology, path: Path = DEFAULT_COMPANIES) -> KnowledgeBase:
    """The knowledge base at `path` (a file or a folder of files), validated once per process.

    Two entries with the same name are an error naming both files: one would hide the other.
    """
    companies: list[Company] = []
    seen: dict[str, Path] = {}
    for file in company_files(path):
        for company in load_model(file, CompanyFile).companies:
            key = normalize(company.name, ontology.lexicon.employers.legal_suffixes)
            if key in seen:
                raise DataFileError(f"{file}: {company.name!r} is also in {seen[key]}")
            seen[key] = file
            companies.append(company)
    return KnowledgeBase(companies, ontology)


def load_notes(folder: Path | None) -> list[Note]:
    """Every markdown file under `folder` (none when it is unset or missing).

    Read per run rather than cached, so a note the user drops in counts at once.
    """
    if folder is None or not Path(folder).is_dir():
        return []
    notes = []
    for path in sorted(Path(folder).rglob("*.md")):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        heading = re.search(r"^#\s+(.+)$", text, re.MULTILINE)
        title = (
            heading.group(1).strip() if heading else path.stem.replace("-", " ").replace("_", " ")
        )
        notes.append(Note(str(path.relative_to(folder)), title, text))
    return notes


def count_notes(folder: Path | None) -> int:
    """How many markdown notes the folder holds (for health checks: no file is read)."""
    if folder is None or not Path(folder).is_dir():
        return 0
    return sum(1 for _ in Path(folder).rglob("*.md"))
