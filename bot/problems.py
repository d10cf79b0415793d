"""Findings from checking data files, worded for the volunteers and coordinators who fix them."""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.model import Where

ERROR = "error"
WARNING = "warning"


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
