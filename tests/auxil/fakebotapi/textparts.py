"""Pieces every parse mode shares: the error, UTF-16 counting and the entity collector."""

from __future__ import annotations

from dataclasses import dataclass, field


class FormatError(ValueError):
    """Markup Telegram would refuse with "can't parse entities: ..."."""


def utf16_len(text: str) -> int:
    """Entity offsets and lengths are counted in UTF-16 code units."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


@dataclass(slots=True)
class Builder:
    """Collects visible text and entities while a parser walks the markup."""

    parts: list[str] = field(default_factory=list)
    offset: int = 0  # UTF-16 offset of the end of the text so far
    entities: list[dict] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.offset += utf16_len(text)

    def entity(self, kind: str, start: int, **extra: object) -> None:
        if self.offset > start:
            self.entities.append(
                {
                    "type": kind,
                    "offset": start,
                    "length": self.offset - start,
                    **{k: v for k, v in extra.items() if v},
                }
            )

    def result(self) -> tuple[str, list[dict]]:
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), self.entities
