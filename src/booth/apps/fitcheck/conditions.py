"""Requirements that are not skills, read from a posting's sentence and judged on the profile.

Degrees (required or preferred), years and seniority bands (with their caps: "we cannot
consider senior candidates"), people management ("manage a team of 12"), spoken languages
("German C1"), travel, location, the right to work and security clearances. Each becomes a
weighted `Requirement` that quotes the sentence it came from; `assess_condition` measures the
profile against it and quotes the profile's evidence. The words involved (degree spellings,
language names and levels, places, number words) live in data/lexicon.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from booth.apps.fitcheck.lexicon import Lexicon
from booth.apps.fitcheck.models import Assessment, Requirement
from booth.apps.fitcheck.ontology import Ontology
from booth.apps.fitcheck.profile import DEGREE_RANK, Candidate
from booth.apps.fitcheck.wording import band, span

# -- weights: how much each kind of condition counts next to a skill (1.0) -------------------
DEGREE_WEIGHT = 1.5
PHD_WEIGHT = 2.0
PREFERRED_WEIGHT = 0.5  # a nice-to-have of any kind
EXPERIENCE_WEIGHT = 1.0
AREA_EXPERIENCE_WEIGHT = 2.0  # years in a role family ("3+ years in developer relations")
SENIORITY_CAP_WEIGHT = 2.0
PEOPLE_WEIGHT = 1.0
LARGE_TEAM_WEIGHT = 2.0  # eight or more reports, or managers of managers
LARGE_TEAM = 8
MAX_REPORTS = 10_000
LANGUAGE_WEIGHT = 1.5
TRAVEL_WEIGHT = 0.8
LOCATION_WEIGHT = 1.0
AUTHORIZATION_WEIGHT = 1.5
CLEARANCE_WEIGHT = 2.0

# -- credits -----------------------------------------------------------------------------------
UNSTATED_CREDIT = 0.5  # a condition the profile says nothing about (travel): half, and say so
OVERQUALIFIED_MARGIN = 3.0  # years above a range's top before the candidate is overqualified
ENTRY_LEVEL_MAX_YEARS = 2.0  # what "entry-level" / "graduate programme" allows
EQUIVALENT_MIN_YEARS = 4.0  # "or equivalent experience": years that stand in for a degree

YEARS = re.compile(
    r"\b(\d{1,2})\s*(\+)?\s*(?:(?:-|–|to)\s*(\d{1,2})\s*)?\+?\s*years?\b", re.IGNORECASE
)
EXPERIENCE_WORDS = re.compile(
    r"experience|years\s+of|professional|industry|\bin\s+(a|an|the)?\s*\w+|managing|running|"
    r"building|leading",
    re.IGNORECASE,
)
MANAGING = re.compile(
    r"\b(managing|manage|management|line[- ]manag\w*|people\s+manag\w*|managers?)\b", re.I
)
EXCLUDES_SENIORS = re.compile(
    r"\b(?:cannot|can't|can\s?not|unable\s+to|won't|will\s+not|do\s+not|don't|are\s+not\s+able"
    r"\s+to)\s+(?:consider|accept|hire|interview)\s+(?:\w+\s+){0,2}?(?:senior|experienced|"
    r"overqualified|staff)\b",
    re.IGNORECASE,
)
ENTRY_LEVEL = re.compile(
    r"\b(?:(?:this\s+is\s+an?|is\s+an?|is\s+for|for)\s+(?:an?\s+)?(?:entry[- ]level|junior|"
    r"graduate|early[- ]career|new[- ]grads?|recent\s+graduates?)\b|(?:graduate|entry[- ]level|"
    r"early[- ]career|new[- ]grad)\s+(?:programme|program|position|role|intake)\b)",
    re.IGNORECASE,
)
WITHIN_YEARS = re.compile(r"\bwithin\s+the\s+(?:last|past)\s+(\w+)\s+years?\b", re.IGNORECASE)
TEAM_OF = re.compile(
    r"\b(?:manage|managing|lead|leading|run|running|grow|growing)\s+(?:a|an|the)?\s*(?:\w+\s+)?"
    r"(?:team|organi[sz]ation|group|org)\s+of\s+(\w+)",
    re.IGNORECASE,
)
REPORTS = re.compile(r"\b(\w+)\s+(?:or\s+more\s+)?(?:direct\s+)?reports\b", re.IGNORECASE)
MANAGERS_OF_MANAGERS = re.compile(
    r"\bmanag\w*\s+managers\b|\bmanagers\s+reporting\s+to\s+you\b|\bmanagers\s+of\s+managers\b|"
    r"\bmanagers\s+of\s+\w+\s+or\s+more\b",
    re.IGNORECASE,
)
PEOPLE_MANAGEMENT = re.compile(
    r"\b(?:managing|manage|line[- ]manag\w*|people\s+manag\w*)\s+(?:\w+\s+){0,2}(?:engineers|"
    r"people|teams?|developers|managers|staff)\b|\bleading\s+or\s+managing\b",
    re.IGNORECASE,
)
CEFR = re.compile(r"\b([ABC][12])\b")
LANGUAGE_CUE = re.compile(
    r"\b(language|speak\w*|spoken|written|fluen\w*|native|proficien\w*|skills|level|mother\s+tongue|"
    r"bilingual|business|conversational)\b",
    re.IGNORECASE,
)
TRAVEL = re.compile(
    r"\btravel(?:l?ing)?\b(?:\s+up\s+to\s+(\d{1,3})\s*%|[^.]{0,40}\b(?:conferences|customers?|"
    r"clients?|sites?|events|offices)\b)|\b(\d{1,3})\s*%\s+travel|\b(?:willing(?:ness)?\s+to|"
    r"frequent|regular|extensive)\s+travel",
    re.IGNORECASE,
)
LOCATION_CUE = re.compile(
    r"\b(based\s+in|located\s+in|on-?site|in-office|office|offices|hybrid|remote|relocat\w*|"
    r"in-person|work\s+from|live\s+in)\b",
    re.IGNORECASE,
)
AUTHORIZATION = re.compile(
    r"\b(authori[sz]ed\s+to\s+work|right\s+to\s+work|work\s+authori[sz]ation|eligible\s+to\s+work|"
    r"permission\s+to\s+work|work\s+permit)\b",
    re.IGNORECASE,
)
SPONSOR_NO = re.compile(
    r"\b(?:do\s+not|don't|cannot|can't|unable\s+to|will\s+not|won't|not\s+able\s+to)\s+"
    r"(?:offer\s+|provide\s+)?(?:visa\s+)?sponsor\w*|\bno\s+(?:visa\s+)?sponsorship\b|"
    r"\bwithout\s+(?:visa\s+)?sponsorship\b",
    re.IGNORECASE,
)
SPONSOR_YES = re.compile(
    r"\b(?:we|will|can)\s+(?:\w+\s+)?sponsor\b|\bvisa\s+sponsorship\s+(?:is\s+)?(?:provided|"
    r"available|offered)\b|\bsponsor\s+visas?\b|\boffer\s+visa\s+sponsorship\b",
    re.IGNORECASE,
)
CLEARANCE = re.compile(
    r"\b(security\s+clearance|clearance|ts/sci|top\s+secret|sc\s+clearance|dv\s+clearance)\b",
    re.IGNORECASE,
)
CLEARANCE_ELIGIBLE = re.compile(r"\b(eligib\w*|ability\s+to\s+obtain|able\s+to\s+obtain)\b", re.I)
REQUIRED_WORDS = re.compile(r"\b(required|must|mandatory|essential)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Posting:
    """Facts of the whole posting that shape one sentence's conditions."""

    sponsorship: bool | None  # the posting offers (True) or refuses (False) visa sponsorship
    place: str | None  # the first place the posting names as the job's location

    # Without the posting's text nothing is ruled out: `conditions` runs every search.
    def may_match(self, pattern: re.Pattern[str]) -> bool:
        return True

    def may_ask_degree(self) -> bool:
        return True


class PostingText:
    """A posting read from its text: the same facts, and which patterns its whole text
    matches, each found once, when first asked.

    `conditions` reads the posting sentence by sentence (requirements._sentences), and each
    sentence is a slice of the text with a space, a line break, a bullet mark, ";" or the
    text's end on either side. The patterns here look at no character outside their match but
    those two, for a word boundary, and neither is ever a word character or "."; so a pattern
    that matches nowhere in the posting matches none of its sentences, and `conditions` skips
    that search (a degree likewise: `_degree` of a slice finds nothing `_degree` of the whole
    text does not). The facts are read only if a sentence about location or the right to
    work asks.
    """

    def __init__(self, text: str, lexicon: Lexicon) -> None:
        self.text = text
        self.lexicon = lexicon
        self._found: dict[re.Pattern[str], bool] = {}

    def finds(self, pattern: re.Pattern[str]) -> bool:
        """Whether the pattern matches anywhere in the posting (searched once)."""
        found = self._found.get(pattern)
        if found is None:
            found = self._found[pattern] = pattern.search(self.text) is not None
        return found

    may_match = finds  # a sentence of the posting may match only what the whole text does

    def may_ask_degree(self) -> bool:
        """Whether a sentence of the posting may ask for a degree (the whole text does)."""
        return self.degree is not None

    @cached_property
    def degree(self) -> str | None:
        """The lowest degree level the whole text accepts."""
        return _degree(self.text, self.lexicon)

    @cached_property
    def sponsorship(self) -> bool | None:
        return False if self.finds(SPONSOR_NO) else (True if self.finds(SPONSOR_YES) else None)

    @cached_property
    def place(self) -> str | None:
        return _posting_place(self.text, self.lexicon)


def read_posting(text: str, lexicon: Lexicon) -> Posting:
    posting = PostingText(text, lexicon)
    return Posting(posting.sponsorship, posting.place)


def _posting_place(text: str, lexicon: Lexicon) -> str | None:
    place = None
    for sentence in re.split(r"(?<=[.;!?\n])\s*", text):
        if LOCATION_CUE.search(sentence) or AUTHORIZATION.search(sentence):
            place = _place_in(sentence, lexicon)
            if place:
                break
    return place


def _place_in(sentence: str, lexicon: Lexicon) -> str | None:
    return lexicon.place_in(sentence)


def _search(
    pattern: re.Pattern[str], sentence: str, posting: Posting | PostingText
) -> re.Match[str] | None:
    """`pattern.search(sentence)`, skipped when no sentence of the posting can match."""
    return pattern.search(sentence) if posting.may_match(pattern) else None


def conditions(
    sentence: str,
    weight: float,
    optional: bool,
    source: str,
    posting: Posting | PostingText,
    ontology: Ontology,
) -> list[Requirement]:
    """The non-skill requirements one sentence states (none for most sentences)."""
    lexicon = ontology.lexicon
    out: list[Requirement] = []
    preferred = optional or weight < 0.5
    required = not preferred

    def add(kind: str, label: str, base: float, **fields: object) -> None:
        out.append(
            Requirement(
                label=label,
                kind=kind,  # type: ignore[arg-type]
                weight=round(PREFERRED_WEIGHT * weight if preferred else base, 2),
                required=required,
                quote=sentence,
                source=source,
                **fields,  # type: ignore[arg-type]
            )
        )

    degree = _degree(sentence, lexicon) if posting.may_ask_degree() else None
    if degree:
        equivalent = bool(re.search(r"\bequivalent\b", sentence, re.I))
        names = {"bachelor": "Bachelor's degree", "master": "Master's degree", "phd": "PhD"}
        label = names[degree] + (" or equivalent experience" if equivalent else "")
        label += " (preferred)" if preferred else " (required)"
        base = PHD_WEIGHT if degree == "phd" else DEGREE_WEIGHT
        add("degree", label, base, degree=degree, equivalent=equivalent)

    cap = _seniority_cap(sentence, lexicon, posting)
    if cap is not None:
        label = f"Seniority cap: the posting cannot consider more than about {cap:g} years"
        out.append(
            Requirement(
                label=label,
                kind="seniority_cap",
                weight=SENIORITY_CAP_WEIGHT,
                quote=sentence,
                source=source,
                max_years=cap,
            )
        )

    years = _search(YEARS, sentence, posting)
    if years and EXPERIENCE_WORDS.search(sentence) and not WITHIN_YEARS.search(sentence):
        low, high = float(years.group(1)), years.group(3)
        top = float(high) if high else None
        if 0 < low <= 25 or (top is not None and top <= 25):
            area = _area(sentence, ontology)
            text = f"{low:g}-{top:g} years" if top is not None else f"{low:g}+ years"
            label = f"{text} in {area}" if area else f"{text} of experience"
            base = AREA_EXPERIENCE_WEIGHT if area else max(weight, EXPERIENCE_WEIGHT * 0.8)
            add("experience", label, base, years=low, max_years=top, area=area)

    people = _people(sentence, lexicon, posting)
    if people is not None:
        reports, of_managers = people
        if of_managers:
            label = "Managing managers"
        elif reports:
            label = f"Managing a team of {reports}"
        else:
            label = "People management"
        large = of_managers or (reports or 0) >= LARGE_TEAM
        add(
            "people_management",
            label,
            LARGE_TEAM_WEIGHT if large else PEOPLE_WEIGHT,
            reports=reports,
            of_managers=of_managers,
        )

    for language, level in _languages(sentence, lexicon, posting):
        code = _level_name(level)
        add("language", f"{language} ({code})", LANGUAGE_WEIGHT, language=language, level=level)

    travel = _search(TRAVEL, sentence, posting)
    if travel:
        share = travel.group(1) or travel.group(2)
        percent = min(100, int(share)) if share else None
        label = f"Travel up to {percent}%" if percent else "Travel"
        add("travel", label, TRAVEL_WEIGHT, travel_percent=percent)

    if _search(AUTHORIZATION, sentence, posting) or _search(SPONSOR_NO, sentence, posting):
        place = _place_in(sentence, lexicon) or posting.place
        if place:
            label = f"Right to work in {place}" + (
                " (no visa sponsorship)" if posting.sponsorship is False else ""
            )
            add(
                "work_authorization",
                label,
                AUTHORIZATION_WEIGHT,
                place=place,
                sponsorship=posting.sponsorship,
            )
    elif _search(LOCATION_CUE, sentence, posting):
        place = _place_in(sentence, lexicon)
        if place:
            remote = bool(re.search(r"\bremote\b", sentence, re.I)) and not re.search(
                r"\bnot\s+remote\b", sentence, re.I
            )
            label = f"Remote within {place}" if remote else f"Works in {place}"
            add(
                "location",
                label,
                LOCATION_WEIGHT,
                place=place,
                remote=remote,
                sponsorship=posting.sponsorship,
            )

    if _search(CLEARANCE, sentence, posting):
        eligible = bool(CLEARANCE_ELIGIBLE.search(sentence))
        label = "Security clearance" + (" (or eligibility)" if eligible else "")
        add("clearance", label, CLEARANCE_WEIGHT, equivalent=eligible)
    return out


def _degree(sentence: str, lexicon: Lexicon) -> str | None:
    """The lowest degree level a sentence accepts ("Master's or PhD" -> master)."""
    text = sentence.replace("’", "'")
    has_degree_word = "degree" in text.lower()
    if not has_degree_word and not lexicon.any_degree_pattern.search(text):
        return None  # no level's spelling, and a short one counts only next to "degree"
    for level, (plain, short) in lexicon.degree_patterns.items():
        if plain.search(text) or (short is not None and has_degree_word and short.search(text)):
            return level
    return None


def _seniority_cap(sentence: str, lexicon: Lexicon, posting: Posting | PostingText) -> float | None:
    if _search(EXCLUDES_SENIORS, sentence, posting):
        return float(lexicon.seniority_years["senior"] - 1)
    if _search(ENTRY_LEVEL, sentence, posting):
        within = WITHIN_YEARS.search(sentence)
        count = lexicon.number(within.group(1)) if within else None
        return float(count) if count else ENTRY_LEVEL_MAX_YEARS
    return None


def _area(sentence: str, ontology: Ontology) -> str | None:
    """The role family years are asked in, when it is not software engineering itself."""
    if MANAGING.search(sentence) and not re.search(r"\bproduct\s+manag", sentence, re.I):
        return "engineering management"
    role = ontology.role_family(sentence)
    if role is not None and role.family != "software":
        return role.family
    return None


def _people(
    sentence: str, lexicon: Lexicon, posting: Posting | PostingText
) -> tuple[int | None, bool] | None:
    """(reports, manages managers) a sentence asks for, or None if it asks for no management."""
    of_managers = bool(_search(MANAGERS_OF_MANAGERS, sentence, posting))
    reports = None
    for pattern in (TEAM_OF, REPORTS):
        found = _search(pattern, sentence, posting)
        if found:
            count = lexicon.number(found.group(1))
            if count and 0 < count <= MAX_REPORTS:  # "a team of 100000" is no team size
                reports = count
                break
    if reports or of_managers or _search(PEOPLE_MANAGEMENT, sentence, posting):
        return reports, of_managers
    return None


def _languages(
    sentence: str, lexicon: Lexicon, posting: Posting | PostingText
) -> list[tuple[str, int]]:
    """The spoken languages a sentence asks for, each at the lowest level it states."""
    if not posting.may_match(lexicon.language_pattern):
        return []
    named = set(lexicon.language_pattern.findall(sentence))
    if not named or not (CEFR.search(sentence) or LANGUAGE_CUE.search(sentence)):
        return []
    levels = lexicon.languages.levels
    stated = [levels[c.lower()] for c in CEFR.findall(sentence)]
    stated += [levels[word.lower()] for word in lexicon.level_pattern.findall(sentence)]
    level = min(stated) if stated else lexicon.languages.default_level
    return [(name, level) for name in lexicon.languages.names if name in named]


def _level_name(level: int) -> str:
    return {1: "A1", 2: "A2", 3: "B1", 4: "B2", 5: "C1", 6: "C2", 7: "native"}[level]


# -- judging a condition against the profile ----------------------------------------------------
def assess_condition(req: Requirement, candidate: Candidate, ontology: Ontology) -> Assessment:
    """How the candidate meets one non-skill requirement, with the profile's evidence."""
    judge = {
        "degree": _assess_degree,
        "experience": _assess_experience,
        "seniority_cap": _assess_cap,
        "people_management": _assess_people,
        "language": _assess_language,
        "travel": _assess_travel,
        "location": _assess_location,
        "work_authorization": _assess_authorization,
        "clearance": _assess_clearance,
    }[req.kind]
    return judge(req, candidate, ontology.lexicon)


def _assess_degree(req: Requirement, candidate: Candidate, lexicon: Lexicon) -> Assessment:
    has, text = candidate.has_degree()
    proof = (f"Education: {text}",) if text else ()
    wanted = DEGREE_RANK[req.degree or "bachelor"]
    have = DEGREE_RANK.get(candidate.degree or "", 0)
    if have >= wanted:
        return Assessment(req, "matched", 1.0, proof, subject="degree")
    bridge = (
        "A research degree is the usual entry; otherwise show equivalent research output."
        if req.degree == "phd"
        else "Point to the years and scope of your work as the equivalent of the degree."
    )
    if req.equivalent and candidate.years >= EQUIVALENT_MIN_YEARS:
        proof = (*proof, f"{span(candidate.years)} of practical experience")
        return Assessment(
            req, "partial", 0.6, proof, subject="degree", ramp_up="none", bridge=bridge
        )
    missing = f"{req.label.split(' (')[0]}: the profile shows {candidate.degree or 'no degree'}"
    return Assessment(
        req,
        "unmatched",
        0.0,
        proof,
        subject=missing,
        ramp_up="2-5 years" if req.degree == "phd" else "1-2 years",
        bridge=bridge,
    )


def _career(candidate: Candidate) -> str:
    """The years the profile's jobs span, as the evidence a recruiter reads."""
    return f"{span(candidate.years)} of experience ({band(candidate.seniority)})"


def _assess_experience(req: Requirement, candidate: Candidate, lexicon: Lexicon) -> Assessment:
    wanted = req.years or 0.0
    if req.area:
        have = candidate.family_years.get(req.area, 0.0)
        proof: tuple[str, ...] = (
            (f"{span(have)} in {req.area} roles (from job titles)",)
            if have
            else (f"No {req.area} role among the job titles",)
        )
        if req.area == "engineering management" and not have and candidate.team_size:
            proof = (candidate.team_evidence or "",)
            return Assessment(
                req,
                "partial",
                0.4,
                proof,
                subject=f"years in {req.area}",
                ramp_up=f"about {wanted:g} years in the role",
                bridge="Team leadership is a start; line management (reviews, hiring) is the "
                "experience these roles count.",
            )
    else:
        have = candidate.years
        proof = (_career(candidate),)
    subject = f"years in {req.area}" if req.area else "experience"
    if req.max_years is not None and have > req.max_years + OVERQUALIFIED_MARGIN:
        return Assessment(
            req,
            "partial",
            0.5,
            proof,
            subject=f"{subject}: overqualified for a {req.label} band",
            ramp_up="none",
            bridge="Say why this level suits you, or aim for roles at your level.",
        )
    if have >= wanted:
        return Assessment(req, "matched", 1.0, proof, subject=subject)
    if have >= 0.75 * wanted:
        return Assessment(
            req,
            "partial",
            0.6,
            proof,
            subject=subject,
            ramp_up=f"{span(wanted - have)} more",
            bridge="Lead the scope the role expects in your current job and show it.",
        )
    return Assessment(
        req,
        "unmatched",
        round(0.5 * have / wanted, 2) if wanted else 0.0,
        proof,
        subject=f"{req.label}: the profile shows {span(have) if have else 'none'}"
        if req.area
        else subject,
        ramp_up=f"{span(wanted - have)} more",
        bridge="Aim one level lower for now, or show scope beyond your years."
        if not req.area
        else f"Take on {req.area} work alongside your current role before applying.",
    )


def _assess_cap(req: Requirement, candidate: Candidate, lexicon: Lexicon) -> Assessment:
    limit = req.max_years or 0.0
    proof = (_career(candidate),)
    if candidate.years <= limit:
        return Assessment(req, "matched", 1.0, proof, subject="seniority")
    return Assessment(
        req,
        "unmatched",
        0.0,
        proof,
        subject=f"Overqualified: the posting excludes candidates past about {limit:g} years",
        ramp_up="none",
        bridge="This posting screens out your level; look for the same work at senior level.",
    )


def _assess_people(req: Requirement, candidate: Candidate, lexicon: Lexicon) -> Assessment:
    team = candidate.team_size
    proof = (candidate.team_evidence,) if candidate.team_evidence else ()
    bridge = "Take on line management (reviews, hiring, growth plans) for a growing team."
    if req.of_managers:
        if team:
            return Assessment(
                req, "partial", 0.25, proof, subject=req.label, ramp_up="2-4 years", bridge=bridge
            )
        return Assessment(
            req, "unmatched", 0.0, subject=req.label, ramp_up="3-5 years", bridge=bridge
        )
    if req.reports:
        ratio = min(1.0, team / req.reports)
        if ratio >= 0.75:
            return Assessment(req, "matched", 0.9, proof, subject=req.label)
        if ratio > 0:
            confidence = round(0.3 + 0.4 * ratio, 2)
            return Assessment(
                req,
                "partial",
                confidence,
                proof,
                subject=f"{req.label}: the profile shows a team of {team}",
                ramp_up="1-2 years",
                bridge=bridge,
            )
    elif team:
        return Assessment(req, "matched", 0.8, proof, subject=req.label)
    mentoring = candidate.evidence_for(("mentor", "coached"))
    if mentoring:
        return Assessment(
            req,
            "partial",
            0.3,
            tuple(mentoring[:1]),
            subject=f"{req.label}: mentoring only",
            ramp_up="1-2 years",
            bridge=bridge,
        )
    return Assessment(req, "unmatched", 0.0, subject=req.label, ramp_up="1-2 years", bridge=bridge)


def _assess_language(req: Requirement, candidate: Candidate, lexicon: Lexicon) -> Assessment:
    name = (req.language or "").title()
    have = candidate.languages.get(name, 0)
    wanted = req.level or 4
    listed = ", ".join(f"{k} ({_level_name(v)})" for k, v in candidate.languages.items() if v)
    proof = (f"Languages: {listed}",) if listed else ()
    if have >= wanted:
        return Assessment(req, "matched", 1.0, proof, subject=name)
    bridge = f"Reaching {_level_name(wanted)} in {name} takes sustained study; state your level."
    if have:
        return Assessment(
            req,
            "partial",
            round(0.3 + 0.1 * have, 2),
            proof,
            subject=f"{name}: {_level_name(have)}, asked {_level_name(wanted)}",
            ramp_up="6-12 months",
            bridge=bridge,
        )
    return Assessment(
        req,
        "unmatched",
        0.0,
        proof,
        subject=f"{name} ({_level_name(wanted)}): not in the profile",
        ramp_up="1-3 years",
        bridge=bridge,
    )


def _assess_travel(req: Requirement, candidate: Candidate, lexicon: Lexicon) -> Assessment:
    return Assessment(
        req,
        "partial",
        UNSTATED_CREDIT,
        ("The profile does not say whether you can travel",),
        subject=f"{req.label}: not stated in the profile",
        ramp_up="none",
        bridge="Say in your application how much travel you can take on.",
    )


def _countries(place: str, lexicon: Lexicon) -> set[str]:
    return set(lexicon.places.regions.get(place, ())) or {place}


def _assess_location(req: Requirement, candidate: Candidate, lexicon: Lexicon) -> Assessment:
    countries = _countries(req.place or "", lexicon)
    where = candidate.profile.location or "no location"
    proof = (f"Location: {where}",)
    if candidate.country in countries:
        return Assessment(req, "matched", 1.0 if req.remote else 0.9, proof, subject=req.label)
    if candidate.authorized & countries:
        return Assessment(req, "matched", 0.8, proof, subject=req.label)
    bridge = "Check relocation terms and the visa route before applying."
    if req.remote or req.sponsorship is False:
        return Assessment(
            req,
            "unmatched",
            0.0,
            proof,
            subject=f"{req.label}: you are in {where}",
            ramp_up="none",
            bridge=bridge,
        )
    confidence = 0.5 if req.sponsorship else 0.3
    return Assessment(
        req,
        "partial",
        confidence,
        proof,
        subject=f"{req.label}: relocation from {where}",
        ramp_up="2-6 months (relocation)",
        bridge=bridge,
    )


def _assess_authorization(req: Requirement, candidate: Candidate, lexicon: Lexicon) -> Assessment:
    countries = _countries(req.place or "", lexicon)
    allowed = ", ".join(sorted(candidate.authorized)) or "none stated"
    proof = (f"Right to work: {allowed}",)
    if candidate.authorized & countries:
        return Assessment(req, "matched", 1.0, proof, subject=req.label)
    if req.sponsorship:
        return Assessment(
            req,
            "partial",
            0.5,
            proof,
            subject=f"{req.label}: needs the visa the employer sponsors",
            ramp_up="2-6 months (visa)",
            bridge="Ask about the sponsorship timeline early.",
        )
    return Assessment(
        req,
        "unmatched",
        0.0,
        proof,
        subject=f"{req.label}: the profile shows {allowed}",
        ramp_up="none",
        bridge="Without the right to work there and no sponsorship, this posting is closed.",
    )


def _assess_clearance(req: Requirement, candidate: Candidate, lexicon: Lexicon) -> Assessment:
    proof = candidate.evidence_for(("clearance", "ts/sci"))
    if proof:
        return Assessment(req, "matched", 1.0, tuple(proof[:2]), subject="clearance")
    return Assessment(
        req,
        "unmatched",
        0.0,
        subject="Security clearance: none in the profile",
        ramp_up="several months (sponsor-dependent)",
        bridge="A clearance is granted through an employer's sponsorship, not learned; check "
        "eligibility (citizenship, residency) before investing in these roles.",
    )


def condition_signals(posting: PostingText) -> int:
    """How many kinds of non-skill requirement a posting's text states (for judging research
    quality)."""
    finds, lexicon = posting.finds, posting.lexicon
    checks = (
        finds(YEARS),
        posting.degree is not None,
        finds(EXCLUDES_SENIORS) or finds(ENTRY_LEVEL),
        finds(TEAM_OF) or finds(REPORTS) or finds(PEOPLE_MANAGEMENT),
        finds(lexicon.language_pattern) and finds(LANGUAGE_CUE),
        finds(TRAVEL),
        finds(LOCATION_CUE) and bool(lexicon.place_in(posting.text)),
        finds(AUTHORIZATION) or finds(SPONSOR_NO),
        finds(CLEARANCE),
    )
    return sum(checks)
