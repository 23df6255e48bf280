"""One run's reading of a source text: what the ontology and the condition patterns find in it.

A pasted job description is read by three phases: deep_research lists its skills, the research
reranker counts its signals, content_enrich turns it into requirements. Each asks about the same
text, so a run keeps one `TextReading` per text (`Analysis.readings`) and each part is found once,
when first asked. A reading belongs to its run and is dropped with it; nothing here outlives it.
"""

from __future__ import annotations

from functools import cached_property

from booth.apps.fitcheck.conditions import PostingText
from booth.apps.fitcheck.ontology import Ontology


class TextReading:
    """Skills, competencies, domain markers and condition cues of one text."""

    def __init__(self, text: str, ontology: Ontology) -> None:
        self.text = text
        self._ontology = ontology

    @cached_property
    def skills(self) -> tuple[str, ...]:
        """Canonical skills named, in order of first mention."""
        return tuple(self._ontology.find_skills(self.text))

    @cached_property
    def competencies(self) -> tuple[str, ...]:
        """Competencies asked for, in ontology order."""
        return tuple(self._ontology.competencies_asked(self.text))

    @cached_property
    def markers(self) -> dict[str, set[str]]:
        """Domain -> the distinct markers of it that appear."""
        return self._ontology.domain_markers(self.text)

    @property
    def domains(self) -> set[str]:
        """Domains whose markers appear (as Ontology.domains_in_text)."""
        return set(self.markers)

    def domain_hits(self) -> dict[str, int]:
        """For each domain the text touches, how many distinct markers and skills of it appear."""
        skills = set(self.skills)
        hits = {}
        for key, domain in self._ontology.domains.items():
            count = len(self.markers.get(key, ())) + len(skills & domain.skills)
            if count:
                hits[key] = count
        return hits

    @cached_property
    def posting(self) -> PostingText:
        """The text as a posting: what its whole text holds, for conditions and their count."""
        return PostingText(self.text, self._ontology.lexicon)


def read(text: str, ontology: Ontology, readings: dict[str, TextReading] | None) -> TextReading:
    """The run's reading of `text`: the one in `readings` (Analysis.readings), else a new one
    kept there. Without `readings` (a caller outside a run), a reading of its own."""
    if readings is None:
        return TextReading(text, ontology)
    if text not in readings:
        readings[text] = TextReading(text, ontology)
    return readings[text]
