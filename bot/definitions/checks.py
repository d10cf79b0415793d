"""The checks behind `firstcontact flows check`: the flow set as a whole, its targets and
intents; graph, text and hand-off rules live beside it (graph.py, text.py, handoffs.py)."""

from __future__ import annotations

from collections.abc import Callable

from bot.definitions.graph import check_graph
from bot.definitions.handoffs import (
    ReferralFacts,
    check_claims,
    check_contacts,
    check_open_lines,
    check_referrals,
)
from bot.definitions.linecount import too_many_lines
from bot.definitions.text import MAX_MESSAGE, check_text
from bot.definitions.walk import alarm_steps, exists, steps, targets
from bot.engine.engine import MAIN, SYSTEM, SYSTEM_STEPS
from bot.engine.intents import ALARMS, Intents
from bot.engine.machine import qualify
from bot.engine.model import Flow, Step
from bot.problems import ERROR, Problem, Where, suggest
from bot.regions import REGIONS


def check_flows(
    flows: dict[str, Flow],
    intents: Intents,
    facts: ReferralFacts | None,
    render_length: Callable[[Step, str | None], int] | None = None,
) -> list[Problem]:
    """Every problem across the flow set; errors stop the bot, warnings are for review."""
    problems: list[Problem] = []
    add = problems.append
    if MAIN not in flows:
        add(Problem(ERROR, None, f"there is no flows/{MAIN}.yaml: the conversation has no start"))
        return problems
    if SYSTEM not in flows:
        add(Problem(ERROR, None, f"there is no flows/{SYSTEM}.yaml with the bot's own messages"))
    else:
        system = flows[SYSTEM]
        for name in SYSTEM_STEPS:
            if name not in system.steps:
                add(
                    Problem(
                        ERROR,
                        Where(system.file, 1),
                        f"{SYSTEM}.yaml needs a step '{name}'{suggest(name, system.steps)}",
                    )
                )
    _check_targets(flows, add)
    _check_intents(flows, intents, facts, add)
    if any(p.level == ERROR for p in problems):
        return problems  # graph checks need every target to exist
    check_graph(flows, intents, add)
    for flow in flows.values():
        for step in flow.steps.values():
            check_text(flow, step, add)
            if facts:
                check_referrals(flow, step, facts, add)
            if render_length:
                for region in (None, *REGIONS):
                    length = render_length(step, region)
                    if length > MAX_MESSAGE:
                        add(
                            Problem(
                                ERROR,
                                step.where,
                                f"step '{step.id}' becomes {length} "
                                f"characters for region {region or 'unknown'} with its "
                                f"referral cards; Telegram allows {MAX_MESSAGE}: split it",
                            )
                        )
                        break
    if facts:
        check_open_lines(flows, intents, facts, add)
        check_contacts(flows, facts, add)
        check_claims(flows, facts, add)
        for problem in too_many_lines(flows, facts.is_emergency):
            add(problem)
    return problems


def _check_targets(flows: dict[str, Flow], add) -> None:
    for flow, step in steps(flows):
        for target, where in targets(flow, step):
            if not exists(flows, target):
                flow_id, _, step_id = target.partition(":")
                if flow_id not in flows:
                    hint = f"there is no flow '{flow_id}'{suggest(flow_id, flows)}"
                else:
                    hint = f"flow '{flow_id}' has no step '{step_id}'" + suggest(
                        step_id, flows[flow_id].steps
                    )
                add(Problem(ERROR, where, f"step '{step.id}' leads to '{target}', but {hint}"))


def _check_intents(flows, intents: Intents, facts: ReferralFacts | None, add) -> None:
    for name, spec in intents.specs.items():
        for field, target in (("goto", spec.goto), ("notice", spec.notice)):
            if not target:
                continue
            full = qualify(SYSTEM if field == "notice" else MAIN, target)
            if not exists(flows, full):
                add(Problem(ERROR, spec.where, f"intent '{name}' {field} '{target}' is no step"))
    required = {"emergency": "goto", "stop": "goto", "menu": "goto", "help": "goto"}
    for name, field in required.items():
        spec = intents.specs.get(name)
        if spec and not getattr(spec, field):
            add(Problem(ERROR, spec.where, f"intent '{name}' needs '{field}:' naming a step"))
    stop = intents.specs.get("stop")
    if stop and stop.goto and exists(flows, qualify(MAIN, stop.goto)):
        flow_id, _, step_id = qualify(MAIN, stop.goto).partition(":")
        step = flows[flow_id].steps[step_id]
        if not step.forget:
            add(
                Problem(
                    ERROR,
                    step.where,
                    f"step '{step_id}' is where 'stop' leads, so it needs 'forget: true'",
                )
            )
    if facts is None:
        return
    for name in ALARMS:
        spec = intents.specs.get(name)
        if spec and name != "emergency" and not spec.notice:
            add(Problem(ERROR, spec.where, f"intent '{name}' needs 'notice:' naming a step"))
    for name, _, step in alarm_steps(flows, intents):
        for region in (None, *REGIONS):
            keys = step.referral_keys(region)
            if not keys or not facts.is_emergency(keys[0]):
                add(
                    Problem(
                        ERROR,
                        step.where,
                        f"step '{step.id}' answers intent '{name}', "
                        f"so its first referral must be the emergency number (for region "
                        f"{region or 'unknown'} it is {keys[0] if keys else 'missing'})",
                    )
                )
                break
