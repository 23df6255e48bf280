"""Growing lists (a thread's messages) stored as an append-only log of segments.

LangGraph hands a saver the whole value of every channel that changed, so a chat thread's
`messages` list arrives whole on every step: stored as is, each turn would write - and the store
would keep - the entire conversation again. Here a list that only grew since the last value this
process saved or read (the same element objects, in order, and more after them) is stored as
one new segment with just the new elements, and its version as a reference `(log, upto)`: the
value is segments `0 … upto-1` of `log`, concatenated. A list that changed otherwise (an
element removed or replaced) starts a new log.

`Heads` remembers, per (thread, namespace, channel), the latest value this process saw and where
it lives, so a turn neither re-reads nor re-writes what it already has. A head is only a hint: a
version names immutable content (versions are unique), so a head is used only for its exact
version, and a process that did not see the last write simply reads the segments again.
LangGraph treats state as immutable (nodes return updates rather than change values in place),
which is what the identity check relies on.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

LOG_TYPE = "booth.listlog"  # the serializer type of a blob that is a (log, upto) reference
DEFAULT_HEADS = 4096  # lists remembered per process …
DEFAULT_HEAD_ITEMS = 200_000  # … holding at most this many elements in all


@dataclass(frozen=True)
class Head:
    version: str
    log: str
    upto: int
    items: tuple[Any, ...]

    def extended_by(self, value: list[Any]) -> bool:
        """`value` is these items, the very same objects in order, and possibly more."""
        if not self.items or len(value) < len(self.items):
            return False
        return all(new is old for new, old in zip(value, self.items, strict=False))


def reference(log: str, upto: int) -> tuple[str, bytes]:
    return LOG_TYPE, json.dumps({"log": log, "upto": upto}).encode()


def read_reference(data: bytes) -> tuple[str, int]:
    ref = json.loads(data)
    return str(ref["log"]), int(ref["upto"])


class Heads:
    """A bounded map of (thread, ns, channel) → the latest list value seen (least recent out).

    Bounded by count and by elements held, so memory stays flat however many threads a process
    serves. A forgotten head costs one read of the list's segments at the thread's next turn.
    """

    def __init__(self, capacity: int = DEFAULT_HEADS, max_items: int = DEFAULT_HEAD_ITEMS) -> None:
        self.capacity = capacity
        self.max_items = max_items
        self.items = 0
        self._heads: OrderedDict[tuple[str, str, str], Head] = OrderedDict()

    def get(self, key: tuple[str, str, str]) -> Head | None:
        head = self._heads.get(key)
        if head is not None:
            self._heads.move_to_end(key)
        return head

    def put(self, key: tuple[str, str, str], head: Head) -> None:
        self._drop(key)
        if len(head.items) > self.max_items:
            return  # too big to hold: its segments are read again when needed
        self._heads[key] = head
        self.items += len(head.items)
        while len(self._heads) > self.capacity or self.items > self.max_items:
            self._drop(next(iter(self._heads)))

    def forget_thread(self, thread_id: str) -> None:
        for key in [k for k in self._heads if k[0] == thread_id]:
            self._drop(key)

    def _drop(self, key: tuple[str, str, str]) -> None:
        head = self._heads.pop(key, None)
        if head is not None:
            self.items -= len(head.items)
