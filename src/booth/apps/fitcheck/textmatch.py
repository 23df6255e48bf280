"""Fast regular expressions for long lists of phrases (skills, employer names, job titles).

Python's `re` tries the alternatives of `a|b|c…` one by one at every position, so a list of a
thousand names costs a thousand tries per character. A trie of the phrases ("go|golang|google"
becomes "go(?:lang|ogle)?") shares their prefixes and keeps the longest match first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_END = ""


def alternation(phrases: Iterable[str]) -> str:
    """A regex body matching any of `phrases` (as written), the longest first at each point."""
    trie: dict = {}
    for phrase in phrases:
        if not phrase:
            continue
        node = trie
        for char in phrase:
            node = node.setdefault(char, {})
        node[_END] = {}
    return _body(trie) if trie else "(?!)"


def _body(node: dict) -> str:
    ends = _END in node
    branches = [re.escape(char) + _body(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    inner = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends:  # the phrase may stop here, but a longer one is tried first
        return f"(?:{inner})?" if len(branches) > 1 or len(inner) > 1 else f"{inner}?"
    return inner
