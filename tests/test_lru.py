"""The one bounded LRU: never more than its size, the least recently used entry goes first."""

from __future__ import annotations

import pytest

from bot.lru import BoundedLRU


def test_the_least_recently_used_entry_goes_first() -> None:
    table: BoundedLRU[str, int] = BoundedLRU(2)
    table.put("a", 1)
    table.put("b", 2)
    assert table.get("a") == 1  # a is now newer than b
    table.put("c", 3)
    assert "b" not in table and table.peek("a") == 1 and table.peek("c") == 3
    assert len(table) == 2


def test_entry_makes_once_and_peek_does_not_refresh() -> None:
    table: BoundedLRU[str, list[int]] = BoundedLRU(2)
    made = table.entry("a", list)
    assert table.entry("a", lambda: [9]) is made
    table.put("b", [])
    table.peek("a")  # not a use: a stays the oldest
    table.put("c", [])
    assert "a" not in table and list(table) == ["b", "c"]


def test_size_zero_keeps_nothing_and_a_negative_size_is_refused() -> None:
    table: BoundedLRU[str, int] = BoundedLRU(0)
    table.put("a", 1)
    assert len(table) == 0 and table.entry("a", lambda: 5) == 5 and "a" not in table
    with pytest.raises(ValueError):
        BoundedLRU(-1)


def test_items_is_a_snapshot_that_may_be_changed_while_walked() -> None:
    table: BoundedLRU[int, int] = BoundedLRU(10)
    for i in range(5):
        table.put(i, i)
    for key, value in table.items():
        if value % 2:
            table.pop(key)
    assert list(table) == [0, 2, 4]
    table.clear()
    assert len(table) == 0
