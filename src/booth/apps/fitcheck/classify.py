"""Reading the query: a company, a job description, or something Fit Check should not answer.

Rejections come first and are narrow on purpose: prompt injection, requests to cause harm, and
topics with nothing to do with jobs. A real question about an employer ("What does Cloudflare
look for in engineers?") or a security job that mentions malware analysis is not rejected.
Everything here is a pure function of the text and the read-only knowledge.
"""

from __future__ import annotations

import re

from booth.apps.fitcheck.knowledge import NAMES, KnowledgeBase
from booth.apps.fitcheck.models import Classification
from booth.apps.fitcheck.ontology import Ontology, names_of

_I = re.IGNORECASE


def _any_of(words: tuple[str, ...], others: tuple[str, ...] = ()) -> re.Pattern[str]:
    """One pattern that matches where any of `words` (each starting at a word boundary) or of
    `others` would: one scan of the text with one word-boundary test for all the words, not a
    search per pattern. None of them refers back to a numbered group, so joining them is safe."""
    alternatives = [r"\b(?:" + "|".join(f"(?:{w})" for w in words) + ")"]
    alternatives += [f"(?:{o})" for o in others]
    return re.compile("|".join(alternatives), _I)


INJECTION = _any_of(
    (
        r"(ignore|disregard|forget|override|bypass)\b[^.\n]{0,40}\b(instructions?|prompts?|rules|"
        r"directions|guidelines|guardrails|constraints)\b",
        r"(system|developer|hidden|initial)\s+(prompt|message|instructions)\b",
        r"you\s+are\s+now\b",
        r"act\s+as\s+(an?\s+)?(unrestricted|unfiltered|jailbroken|evil|different)\b",
        r"jailbr(eak|oken)\b",
        r"do\s+anything\s+now\b",
        r"pretend\s+(to\s+be|you\s+are|that\s+you)\b",
        r"new\s+instructions?\s*:",
        r"(reveal|print|output|show|repeat|leak)\s+(me\s+)?(your|the)\s+(\w+\s+)?(prompt|instructions)\b",
        r"(give|rate|score|mark)\s+(me|this|the\s+candidate|him|her|them|it)\s+(a\s+)?"
        r"(100|perfect|maximum|max)\b",
        r"set\s+the\s+(score|rating)\s+to\b",
        r"(always|must)\s+(say|answer|respond|output)\s+(high|yes|100)",
    ),
    (
        r"<\|?\s*(im_start|im_end|system|endoftext)\s*\|?>",
        r"^\s*(system|assistant)\s*:",
        r"\[/?(INST|SYS)\]",
    ),
)

HARMFUL = _any_of(
    (
        r"(hack|break)\s+into\b",
        r"(help\s+me|how\s+(do|can|to|would|could)\s+(i|we|you)?|i\s+want\s+to|i\s+need\s+to|"
        r"teach\s+me\s+(to|how\s+to))\b[^.\n]{0,40}\b(steal|hack|exfiltrate|sabotage|blackmail|"
        r"stalk|harass|dox|doxx|scam|defraud|launder|ddos|phish|impersonate)\w*",
        r"(write|create|build|make|code|develop|generate)\s+(me\s+)?(a\s+|an\s+|some\s+)?"
        r"(malware|ransomware|keylogger|virus|trojan|botnet|worm|spyware|rootkit|phishing\s+"
        r"(email|page|kit))\b(?!\s+(detection|analysis|defen[cs]e|protection|research|"
        r"classif\w*|prevention|scanner|signatures?))",
        r"(make|build|assemble)\s+(a\s+|an\s+)?(bomb|explosive|pipe\s+bomb|nerve\s+agent)",
        r"(kill|hurt|poison|assault)\s+(someone|people|my|him|her|them|the\s+ceo|a\s+coworker)\b",
        r"(credit\s+card|social\s+security)\s+numbers\s+of\b",
    )
)

OFF_TOPIC = re.compile(
    r"\b(weather|forecast|recipe|cook(ing)?|bake|poem|poetry|haiku|joke|riddle|lyrics|song|"
    r"movie|film|tv\s+show|horoscope|zodiac|capital\s+of|translate|football|soccer|basketball|"
    r"cricket|who\s+won|stock\s+price|share\s+price|bitcoin\s+price|homework|essay\s+about|"
    r"tell\s+me\s+a\s+story|bedtime|dating|girlfriend|boyfriend|diet|workout|vacation|holiday)\b"
    r"|^\s*(hi|hello|hey|thanks|thank\s+you|good\s+(morning|evening))\b[\s!.?]*$"
    r"|^\s*(what\s+is\s+)?\d+\s*[-+*/x]\s*\d+",
    _I,
)

# Words that make a text about jobs (any of them keeps an off-topic-looking query in scope).
JOB_WORDS = re.compile(
    r"\b(engineers?|developers?|programmers?|scientists?|architects?|roles?|jobs?|positions?|"
    r"hiring|hire|candidates?|interview(s|ing)?|careers?|work(ing)?\s+(at|for)|fit|skills?|"
    r"requirements?|qualifications?|look\s+for|looking\s+for|team|salary|apply|resume|cv)\b",
    _I,
)

JD_SIGNALS = [
    re.compile(p, _I)
    for p in (
        r"\bresponsibilit(y|ies)\b",
        r"\brequirements?\b",
        r"\bqualifications?\b",
        r"\byou\s+will\b|\byou'll\b",
        r"\bwe\s+are\s+looking\s+for\b|\bwe're\s+looking\s+for\b|\bwe\s+are\s+hiring\b",
        r"\b\d+\+?\s*(-\s*\d+\s*)?years?\b",
        r"\bexperience\s+(with|in|building)\b",
        r"\bnice\s+to\s+have\b|\bpreferred\b|\bbonus\b|\bmust\s+have\b|\bis\s+a\s+plus\b",
        r"\babout\s+(the\s+)?(role|team|job|position)\b",
        r"\bwhat\s+you('ll|\s+will)\s+(do|bring)\b",
        r"\bbenefits\b|\bcompensation\b|\bsalary\b",
        r"\bjob\s+description\b|\bthe\s+role\b",
        r"\bproficien(t|cy)\b|\bstrong\s+(understanding|knowledge|experience)\b",
    )
]

# The word lists (seniority words, role nouns and modifiers, filler) live in data/lexicon.yaml
# and reach this module through `ontology.lexicon.query`.


def _tokens(text: str) -> list[str]:
    return re.findall(r"[A-Za-z0-9][A-Za-z0-9+#.&'/-]*", text)


def _clean(token: str) -> str:
    return token.strip(".,;:!?'\"()").lower()


def extract_title(text: str, ontology: Ontology) -> str | None:
    """A job title such as "Senior Backend Engineer": a role noun and the words that qualify it."""
    lexicon = ontology.lexicon.query
    nouns, modifiers, levels = lexicon.role_nouns, lexicon.role_modifiers, lexicon.seniority_words
    for line in [text.split("\n", 1)[0], text] if "\n" in text else [text]:
        tokens = _tokens(line)
        for index, token in enumerate(tokens):
            noun = _clean(token)
            singular = noun[:-1] if noun.endswith("s") and noun[:-1] in nouns else noun
            if singular not in nouns:
                continue
            following = _clean(tokens[index + 1]) if index + 1 < len(tokens) else ""
            if following in nouns:  # "Developer Advocate": the last noun heads the title
                continue
            words = [singular]
            back = index - 1
            while back >= 0 and len(words) < 6:
                word = _clean(tokens[back])
                if word in modifiers or word in levels or ontology.is_skill_name(word):
                    words.insert(0, tokens[back].strip(".,;:!?'\"()"))
                    back -= 1
                else:
                    break
            if len(words) == 1 and singular in {"engineer", "developer", "swe", "sde"}:
                words = ["Software", "Engineer"]
            # "Senior Google engineer": in a short query the seniority may sit apart from the role
            if len(tokens) <= 12 and not any(w.lower() in levels for w in words):
                level = next((t for t in tokens if _clean(t) in levels), None)
                if level:
                    words.insert(0, level)
            return _title_case(words, ontology)
    return None


def _title_case(words: list[str], ontology: Ontology) -> str:
    shaped = []
    for word in words:
        canonical = ontology.canonical(word)
        if canonical:
            shaped.append(canonical)
        elif word.lower() in ontology.lexicon.query.acronyms:
            shaped.append(ontology.lexicon.query.acronyms[word.lower()])
        else:
            shaped.append(word[:1].upper() + word[1:].lower())
    return " ".join(shaped)


def _guess_company(text: str, title: str | None, ontology: Ontology) -> str | None:
    """An employer name the knowledge base does not know, from a short query."""
    words_of = ontology.lexicon.query
    pattern = re.search(rf"\b(?:at|for|with|join)\s+({NAMES})", text)
    if pattern:
        return pattern.group(1).strip(".,;:!?")
    title_words = {w.lower() for w in (title or "").split()}
    kept = []
    for token in _tokens(text):
        word = _clean(token)
        if not word or word in words_of.filler or word in title_words:
            continue
        if word in words_of.seniority_words:
            continue
        if word.rstrip("s") in words_of.role_nouns or ontology.is_skill_name(word):
            continue
        kept.append(token.strip('.,;:!?"()'))
    if not kept or len(kept) > 5:
        return None
    return " ".join(kept)


def rejection_reason(text: str) -> str | None:
    if INJECTION.search(text):
        return "injection"
    if HARMFUL.search(text):
        return "harmful"
    return None


def posting_signals(text: str) -> int:
    """How many of the job-posting signals (JD_SIGNALS) a text shows."""
    return sum(1 for p in JD_SIGNALS if p.search(text))


def classify(query: str, kb: KnowledgeBase, ontology: Ontology) -> Classification:
    """Decide what the query is and pull out company, job title and skills."""
    text = query.strip()
    rejection = rejection_reason(text)
    if rejection == "injection":
        return Classification(
            "irrelevant",
            rejection="injection",
            reason="The query tries to change how the analysis works.",
        )
    if rejection == "harmful":
        return Classification(
            "irrelevant", rejection="harmful", reason="The query asks for help causing harm."
        )

    # job words first: most queries have one, and then the longer off-topic scan is not needed
    if not JOB_WORDS.search(text) and OFF_TOPIC.search(text) and not posting_signals(text):
        return Classification(
            "irrelevant",
            rejection="off_topic",
            reason="The query is not about an employer or a job.",
        )

    words = len(text.split())
    short = words <= 12 and "\n" not in text
    matches = ontology.skill_matches(text)  # one scan for the skills and for kb.mentions
    skills = tuple(names_of(matches))
    title = extract_title(text, ontology)
    mentioned = kb.mentions(text, short=short, skills=matches)
    # fewer than 12 words is never a posting, whatever its signals: those scans are skipped
    signals = posting_signals(text) if words >= 12 else 0
    is_jd = (words >= 25 and signals >= 2) or (words >= 12 and signals >= 1 and len(skills) >= 3)
    if is_jd:
        # The employer is the company that posts the ad; others it names are context.
        employer = kb.posting_employer(text)
        name, company = employer if employer else (None, None)
        passing = tuple(c.name for c in mentioned if c.name != name)
        return Classification(
            "job_description",
            name,
            title,
            skills,
            company,
            reason=f"A job description ({signals} job-posting signals).",
            named_in_passing=passing,
        )
    if mentioned:
        company = mentioned[0]
        return Classification(
            "company",
            company.name,
            title,
            skills,
            company,
            reason=f"Names the employer {company.name}.",
        )
    if title and len(skills) >= 2 and not re.search(r"\b(at|for|join)\s+[A-Z]", text):
        return Classification(
            "job_description",
            None,
            title,
            skills,
            reason="A role described by its title and skills.",
        )
    guess = _guess_company(text, title, ontology) if short else None
    if guess:
        return Classification(
            "company",
            guess,
            title,
            skills,
            reason="Names an employer that is not in the knowledge base.",
        )
    if title or skills:
        return Classification(
            "job_description", None, title, skills, reason="A role without an employer."
        )
    return Classification(
        "irrelevant", rejection="off_topic", reason="The query names no employer, role or skill."
    )
