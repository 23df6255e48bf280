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

import yaml

from booth.apps.fitcheck.ontology import Ontology

# libyaml's loader when installed: the bundled files parse ten times faster
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DEFAULT_COMPANIES = Path(__file__).parent / "data" / "companies.yaml"
KNOWLEDGE_ENV = "BOOTH_FITCHECK_KNOWLEDGE"

# Employer names that are also everyday words: in long texts they need an employer context.
COMMON_WORDS = frozenset(
    """apollo arm aurora block booking chase circle elastic epic falcon figure flatiron grab
    jump king lark linear max meta miro notion oscar ramp riot scale segment sentry slack snap
    square stability steam tempus unity wise x compass canvas falcon confluence""".split()
)
LEGAL_SUFFIXES = frozenset(
    "inc inc. llc ltd ltd. corp corp. corporation co co. plc ag se sa gmbh bv nv oy ab the".split()
)


@dataclass(frozen=True)
class Company:
    name: str
    aliases: tuple[str, ...]
    industry: str
    size: str
    founded: int | None
    headquarters: str
    tech_stack: tuple[str, ...]
    domains: tuple[str, ...]
    requirements: tuple[str, ...]
    culture: tuple[str, ...]
    roles: tuple[str, ...]

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


def normalize(name: str) -> str:
    """Lower case, punctuation folded, legal suffixes dropped: "Stripe, Inc." -> "stripe"."""
    words = re.sub(r"[^\w&+.]+", " ", name.lower()).split()
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    while len(words) > 1 and words[0] == "the":
        words.pop(0)
    return " ".join(words).strip(". ")


# "at Linear", "join Docker", "About Block", "Block is hiring", "Linear's"
_CONTEXT_BEFORE = r"(?:\bat|\bjoin|\babout|\bcompany:|\bemployer:)\s+"
_CONTEXT_AFTER = r"(?:'s\b|\s+(?:is|are)\s+(?:hiring|looking|seeking|building|growing)\b)"


class KnowledgeBase:
    """Read-only lookups over the bundled companies."""

    def __init__(self, companies: Iterable[Company], ontology: Ontology | None = None) -> None:
        self.companies = tuple(companies)
        self._by_key: dict[str, Company] = {}
        names: dict[str, Company] = {}
        for company in self.companies:
            for name in (company.name, *company.aliases):
                key = normalize(name)
                if key:
                    self._by_key.setdefault(key, company)
                    names.setdefault(name.lower(), company)
        self._names = names
        self._ambiguous = {
            name
            for name in names
            if name in COMMON_WORDS
            or len(name) <= 2
            or (ontology is not None and ontology.is_skill_name(name))
        }
        self._ontology = ontology
        alternatives = sorted(names, key=len, reverse=True)
        body = "|".join(re.escape(name) for name in alternatives)
        self._pattern = re.compile(rf"(?<![\w&.@/])(?:{body})(?![\w&])", re.IGNORECASE)

    def __len__(self) -> int:
        return len(self.companies)

    def get(self, name: str) -> Company | None:
        """The company whose name or alias is `name` (case and legal suffix ignored)."""
        return self._by_key.get(normalize(name))

    def close_matches(self, name: str, cutoff: float = 0.8) -> list[tuple[Company, float]]:
        """Companies whose name or alias is spelled like `name` (typos, spacing)."""
        key = normalize(name)
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
        key = normalize(name)
        hits = []
        for company in self.companies:
            own = normalize(company.name)
            if own != key and len(own) >= 3 and own not in COMMON_WORDS:
                if re.search(rf"(?<!\w){re.escape(own)}(?!\w)", key):
                    hits.append(company)
        return hits

    def mentions(self, text: str, *, short: bool) -> list[Company]:
        """Companies a text names as an employer, most likely first.

        In a short query any case counts, except that an ambiguous name (an everyday word, a
        skill, two letters) must lead the query; in a long text an ambiguous name counts only in
        an employer context and any other name only when capitalised.
        """
        scores: dict[str, tuple[float, Company]] = {}
        # In a long text "Google Cloud" or "Microsoft Azure" names a skill, not an employer.
        skill_spans = [] if short or self._ontology is None else self._ontology.skill_spans(text)
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

    @staticmethod
    def _in_employer_context(text: str, start: int, end: int) -> bool:
        before = text[max(0, start - 12) : start]
        after = text[end : end + 16]
        return bool(
            re.search(_CONTEXT_BEFORE + r"$", before, re.IGNORECASE)
            or re.match(_CONTEXT_AFTER, after, re.IGNORECASE)
        )


def _company(raw: dict) -> Company:
    def strings(key: str) -> tuple[str, ...]:
        return tuple(str(item) for item in raw.get(key) or ())

    return Company(
        name=str(raw["name"]),
        aliases=strings("aliases"),
        industry=str(raw.get("industry", "")),
        size=str(raw.get("size", "")),
        founded=raw.get("founded"),
        headquarters=str(raw.get("headquarters", "")),
        tech_stack=strings("tech_stack"),
        domains=strings("domains"),
        requirements=strings("requirements"),
        culture=strings("culture"),
        roles=strings("roles"),
    )


@lru_cache(maxsize=4)
def load_companies(
    path: Path = DEFAULT_COMPANIES, ontology: Ontology | None = None
) -> KnowledgeBase:
    """The knowledge base at `path`, parsed once per process (it is read-only)."""
    with open(path, encoding="utf-8") as handle:
        raw = yaml.load(handle, Loader=SAFE_LOADER) or []
    if not isinstance(raw, list):
        raise ValueError(f"{path}: expected a list of companies")
    return KnowledgeBase((_company(item) for item in raw), ontology)


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
