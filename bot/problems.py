"""Where a data file says something and what is wrong there, worded for the people who fix it."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Where:
    """Where something was written: file and 1-based line, for messages a volunteer can act on."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding: how bad, where (file and line), and what to do about it in plain words."""

    level: str
    where: Where | None
    message: str

    def __str__(self) -> str:
        place = f"{self.where}: " if self.where else ""
        return f"{place}{self.level}: {self.message}"


class DataError(Exception):
    """A data file (flow, intents, referrals, config) is unusable; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.level == ERROR]


def suggest(word: object, options: list[str] | tuple[str, ...] | set[str]) -> str:
    """A ' (did you mean ...?)' hint for a misspelt name, or ''."""
    close = difflib.get_close_matches(str(word), sorted(map(str, options)), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
