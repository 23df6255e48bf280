"""The per-process memory of growing lists: what counts as growth, and its bounds."""

from __future__ import annotations

from booth.agents.listlog import Head, Heads


def head(items, version: str = "v1") -> Head:
    return Head(version, "log", 1, tuple(items))


def test_growth_means_the_same_objects_in_order_then_more():
    a, b, c = object(), object(), object()
    assert head([a, b]).extended_by([a, b, c])
    assert head([a, b]).extended_by([a, b])
    assert not head([a, b]).extended_by([b, a, c])  # reordered
    assert not head([a, b]).extended_by([a])  # shrunk
    assert not head([{"x": 1}]).extended_by([{"x": 1}])  # equal is not the same object
    assert not head([]).extended_by([a])  # an empty head proves nothing


def test_heads_are_bounded_by_count_and_by_elements():
    heads = Heads(capacity=2, max_items=5)
    heads.put(("t1", "", "m"), head(range(2)))
    heads.put(("t2", "", "m"), head(range(2)))
    heads.put(("t3", "", "m"), head(range(2)))  # over the count: t1 goes
    assert heads.get(("t1", "", "m")) is None
    heads.put(("t4", "", "m"), head(range(4)))  # over the elements: the oldest go
    assert heads.get(("t4", "", "m")) is not None and heads.items <= 5
    heads.put(("t5", "", "m"), head(range(6)))  # bigger than the budget: not held
    assert heads.get(("t5", "", "m")) is None
    heads.forget_thread("t4")
    assert heads.get(("t4", "", "m")) is None and heads.items == 0
