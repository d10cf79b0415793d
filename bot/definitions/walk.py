"""Walking a flow set: every step, where each leads, which steps answer danger or crisis."""

from __future__ import annotations

from collections.abc import Iterator

from bot.engine.engine import MAIN, SYSTEM
from bot.engine.intents import ALARMS, Intents
from bot.engine.machine import qualify
from bot.engine.model import Flow, Step
from bot.problems import Where


def steps(flows: dict[str, Flow]) -> Iterator[tuple[Flow, Step]]:
    """(flow, step) for every step of every flow."""
    for flow in flows.values():
        for step in flow.steps.values():
            yield flow, step


def targets(flow: Flow, step: Step) -> list[tuple[str, Where | None]]:
    """('flow:step', where) for each place a step's choices, free text and route lead."""
    out = [(qualify(flow.id, c.next), c.where or step.where) for c in step.choices if c.next]
    if step.free_text and step.free_text.next:
        out.append((qualify(flow.id, step.free_text.next), step.where))
    if step.route:
        out.extend((qualify(flow.id, t), step.where) for _, t in step.route.cases)
    return out


def exists(flows: dict[str, Flow], target: str) -> bool:
    """Whether 'flow:step' names a step of the flow set."""
    flow_id, _, step_id = target.partition(":")
    return flow_id in flows and step_id in flows[flow_id].steps


def alarm_steps(flows: dict[str, Flow], intents: Intents) -> Iterator[tuple[str, str, Step]]:
    """(intent, flow:step, step) for each step an alarm intent leads to or answers with."""
    for name in ALARMS:
        spec = intents.specs.get(name)
        for field, base in (("goto", MAIN), ("notice", SYSTEM)):
            target = getattr(spec, field) if spec else None
            full = qualify(base, target) if target else ""
            if full and exists(flows, full):
                flow_id, _, step_id = full.partition(":")
                yield name, full, flows[flow_id].steps[step_id]
