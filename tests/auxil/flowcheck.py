"""`flows check` on the shipped flows against a directory file, for the rule tests that pin its
messages; and where a step is, read from the flows so edits above it do not break the pins."""

from __future__ import annotations

from pathlib import Path

from bot.definitions.bundle import DEFAULT_FLOWS_DIR, check_all
from bot.engine.model import Flow
from bot.problems import Problem
from bot.runtime import directory_facts, message_length


def check_with(referrals: Path | None) -> tuple[dict[str, Flow], list[Problem]]:
    """The shipped flows and every problem `flows check` finds with this directory."""
    facts, problems = directory_facts(referrals)
    assert facts is not None, problems
    flows, _, found = check_all(DEFAULT_FLOWS_DIR, facts, message_length(facts))
    return flows, found


def step_where(flows: dict[str, Flow], full: str) -> str:
    """file:line of a step named "flow:step"."""
    flow_id, _, step_id = full.partition(":")
    return str(flows[flow_id].steps[step_id].where)
