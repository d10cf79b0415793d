"""Checks that tie recognised topics to the flows: each topic leads to a step that exists,
and the "onderwerpen" buttons in system.yaml offer it."""

from __future__ import annotations

from bot.engine.model import Flow
from bot.problems import ERROR, Problem, Where
from bot.recognition.rules import Recogniser

SYSTEM = "system"
TOPIC_BUTTONS = "onderwerpen"


def check_topics(flows: dict[str, Flow], recogniser: Recogniser | None) -> list[Problem]:
    """Every problem with the topics' `goto:` in regels.yaml, in plain words."""
    if recogniser is None:
        return []
    problems = []
    system = flows.get(SYSTEM)
    buttons = system.steps.get(TOPIC_BUTTONS) if system else None
    offered = {c.next for c in buttons.choices} if buttons else set()
    for name, target in recogniser.topics.items():
        where = _where(target.rules[0].source) if target.rules else None
        flow_id, _, step_id = (target.goto or "").partition(":")
        if flow_id == SYSTEM or step_id not in getattr(flows.get(flow_id), "steps", {}):
            problems.append(
                Problem(
                    ERROR, where, f"topic '{name}' leads to '{target.goto}', a step no flow has"
                )
            )
        elif buttons is not None and target.goto not in offered:
            problems.append(
                Problem(
                    ERROR,
                    where,
                    f"topic '{name}' leads to '{target.goto}', but no button in "
                    f"system.yaml '{TOPIC_BUTTONS}' offers it",
                )
            )
    return problems


def _where(source: str) -> Where | None:
    """'flows/herkenning/regels.yaml:12' -> Where."""
    file, _, line = source.rpartition(":")
    return Where(file, int(line)) if file and line.isdigit() else None
