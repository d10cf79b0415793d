"""Where a step's words come from, so a reviewer can hold the text against its source.

Two places say it: the table in flows/README.md ("rests on", per step) and the quotes in a
step's `note:`. A quote found in one of the background documents (the project's seeds) is
shown with the sentence around it, so the reviewer need not search the document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# The background documents, by the first words of their text (the seed files are numbered).
DOCUMENTS = {
    "Factsheet huiselijk geweld tegen mannen": "[F] Factsheet huiselijk geweld tegen mannen",
    "Op donderdag 7 november organiseerde Kadera": "[K] Verslag Kadera / LNMO (2024)",
    "Partnergeweld bij mannen": "[V] Vlaams antwoord: Partnergeweld bij mannen (2017)",
}
_CELL_STEPS = re.compile(r"`([a-z_]+):\s*([^`]+)`")
_QUOTE = re.compile(r"[\"“„]([^\"”“]{12,}?)[\"”]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True, slots=True)
class Passage:
    """A quote from a step's note, found in a background document, with its sentence."""

    quote: str
    document: str
    sentence: str


@dataclass(frozen=True, slots=True)
class Sources:
    """What each step rests on (flows/README.md) and the background documents' text."""

    rests_on: dict[str, tuple[str, ...]]  # "flow:step" -> cells of the README table
    documents: dict[str, str]  # title -> whole text, whitespace folded

    def for_step(self, at: str) -> tuple[str, ...]:
        return self.rests_on.get(at, ())

    def passages(self, note: str) -> list[Passage]:
        """Each quote of the note found in a document, with the sentence it stands in."""
        found: list[Passage] = []
        for quote in _QUOTE.findall(note):
            wanted = _fold(quote).strip(" .,;…")
            for title, text in self.documents.items():
                at = text.lower().find(wanted.lower())
                if at >= 0:
                    found.append(Passage(quote, title, _sentence(text, at, len(wanted))))
                    break
        return found


def load_sources(readme: Path, seeds: Path | None, step_order: dict[str, list[str]]) -> Sources:
    """The README's table and, when the background documents are at hand, their text."""
    rests_on: dict[str, tuple[str, ...]] = {}
    if readme.is_file():
        for row in readme.read_text("utf-8").splitlines():
            cells = [c.strip() for c in row.strip().strip("|").split("|")]
            if len(cells) != 3 or not row.startswith("|"):
                continue
            for at in _steps_named(cells[0], step_order):
                rests_on[at] = (*rests_on.get(at, ()), f"{cells[1]}: {cells[2]}")
    documents: dict[str, str] = {}
    for path in sorted(seeds.glob("*.txt")) if seeds and seeds.is_dir() else ():
        text = _fold(path.read_text("utf-8", errors="replace"))
        title = next((t for start, t in DOCUMENTS.items() if text.startswith(start)), path.name)
        documents[title] = text
    return Sources(rests_on, documents)


def _steps_named(cell: str, step_order: dict[str, list[str]]) -> list[str]:
    """'`feiten: start … familie`' -> every step from start to familie in file order."""
    named: list[str] = []
    for flow, steps in _CELL_STEPS.findall(cell):
        order = step_order.get(flow, [])
        for part in steps.split(","):
            ends = [p.strip() for p in part.split("…")]
            if len(ends) == 2 and ends[0] in order and ends[1] in order:
                first, last = order.index(ends[0]), order.index(ends[1])
                named += [f"{flow}:{s}" for s in order[first : last + 1]]
            elif ends[0]:
                named.append(f"{flow}:{ends[0]}")
    return named


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _sentence(text: str, start: int, length: int) -> str:
    """The sentence(s) holding text[start:start+length]."""
    begin = 0
    for match in _SENTENCE_END.finditer(text, 0, start):
        begin = match.end()
    end_match = _SENTENCE_END.search(text, start + length)
    end = end_match.start() if end_match else len(text)
    return text[begin:end].strip()
