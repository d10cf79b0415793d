"""The one bounded LRU table: every cache and per-chat table in the bot stays this size at most."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class BoundedLRU(Generic[K, V]):
    """A mapping of at most `size` entries; the least recently used one goes first.

    Reads with `get` and `entry` mark an entry as used; `peek` does not. Size 0 keeps nothing.
    """

    def __init__(self, size: int):
        if size < 0:
            raise ValueError("size must be 0 (keep nothing) or more")
        self.size = size
        self._table: OrderedDict[K, V] = OrderedDict()

    def __len__(self) -> int:
        return len(self._table)

    def __contains__(self, key: object) -> bool:
        return key in self._table

    def __iter__(self) -> Iterator[K]:
        return iter(list(self._table))

    def get(self, key: K) -> V | None:
        """The value, marked newest; None if absent."""
        found = self._table.get(key)
        if found is not None:
            self._table.move_to_end(key)
        return found

    def peek(self, key: K) -> V | None:
        """The value without marking it used."""
        return self._table.get(key)

    def put(self, key: K, value: V) -> None:
        """Store and mark newest; the oldest entry goes when the table is full."""
        if not self.size:
            return
        self._table[key] = value
        self._table.move_to_end(key)
        if len(self._table) > self.size:
            self._table.popitem(last=False)

    def entry(self, key: K, make: Callable[[], V]) -> V:
        """The value under key, made and stored if missing; marked newest either way."""
        found = self.get(key)
        if found is None:
            found = make()
            self.put(key, found)
        return found

    def pop(self, key: K) -> V | None:
        return self._table.pop(key, None)

    def clear(self) -> None:
        self._table.clear()

    def items(self) -> list[tuple[K, V]]:
        """A snapshot, oldest first (safe to change the table while going through it)."""
        return list(self._table.items())
