"""The 'two lines at a time' rule of `flows check` (issue 9, 'form'): a man takes in two
lines at once; the rest goes on a step behind a button ("Meer lijnen")."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from bot.definitions.walk import steps
from bot.engine.model import Flow
from bot.problems import ERROR, Problem
from bot.regions import REGIONS

MAX_LINES = 2  # helplines on one screen besides the emergency number


def too_many_lines(
    flows: dict[str, Flow], is_emergency: Callable[[str], bool]
) -> Iterator[Problem]:
    """One error per step and set of lines shown, naming the regions where it shows them."""
    for _, step in steps(flows):
        shown: dict[tuple[str, ...], list[str]] = {}
        for region in REGIONS:
            lines = tuple(k for k in step.referral_keys(region) if not is_emergency(k))
            if len(lines) > MAX_LINES:
                shown.setdefault(lines, []).append(region)
        for lines, regions in shown.items():
            where = (
                "in every region" if len(regions) == len(REGIONS) else "in " + ", ".join(regions)
            )
            yield Problem(
                ERROR,
                step.where,
                f"step '{step.id}' shows {len(lines)} lines at once {where} "
                f"({', '.join(lines)}); a man takes in {MAX_LINES}: keep {MAX_LINES} here "
                "and put the rest on a step behind a button such as 'Meer lijnen'",
            )
