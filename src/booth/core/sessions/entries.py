"""Entries: each session's own ordered key-value space, for data an app keeps per record.

A session's context is one JSON object rewritten whole, and its turns are an append-only list:
both fit a conversation summary, neither fits state that grows by many small records (a
framework's checkpoints, an agent's message items). Entries are keyed records (`str` key →
`bytes` value) scoped to one session, kept in key order, read by key or by key range and deleted
by range. Writing one costs the same however many the session holds, and they live and die with
their session: an expired or deleted session's entries are gone with it, and a new session under
the same id starts with none.

Keys compare as strings (by code point, which is also UTF-8 byte order), so fixed-width numbers
and time-ordered ids sort as they should.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


def prefix_end(prefix: str) -> str:
    """The smallest key greater than every key that starts with `prefix` (a range's end)."""
    return prefix + "\U0010ffff"


@dataclass
class SortedEntries:
    """One session's entries in memory: values by key and the keys in order."""

    values: dict[str, bytes] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)

    def put(self, entries: Mapping[str, bytes]) -> None:
        for key, value in entries.items():
            if key not in self.values:
                bisect.insort(self.keys, key)
            self.values[key] = bytes(value)

    def get(self, keys: Sequence[str]) -> dict[str, bytes]:
        return {key: self.values[key] for key in keys if key in self.values}

    def _span(self, start: str, end: str | None) -> tuple[int, int]:
        low = bisect.bisect_left(self.keys, start)
        high = len(self.keys) if end is None else bisect.bisect_left(self.keys, end)
        return low, max(low, high)

    def scan(
        self, start: str, end: str | None, limit: int | None, reverse: bool
    ) -> list[tuple[str, bytes]]:
        low, high = self._span(start, end)
        chosen = self.keys[low:high]
        if reverse:
            chosen.reverse()
        if limit is not None:
            chosen = chosen[: max(0, limit)]
        return [(key, self.values[key]) for key in chosen]

    def delete(self, start: str, end: str | None) -> int:
        low, high = self._span(start, end)
        for key in self.keys[low:high]:
            del self.values[key]
        del self.keys[low:high]
        return high - low
