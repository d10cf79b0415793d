"""Graph checks: every step can be reached, none is a dead end, every path reaches a way out."""

from __future__ import annotations

from bot.definitions.walk import steps, targets
from bot.engine.engine import MAIN, SYSTEM
from bot.engine.intents import Intents
from bot.engine.machine import qualify
from bot.engine.model import Flow
from bot.problems import ERROR, Problem


def check_graph(flows: dict[str, Flow], intents: Intents, add) -> None:
    """Reachability from the start and the intents, dead ends, route circles, loops."""
    edges: dict[str, list[str]] = {}
    by_intent = {name: qualify(MAIN, s.goto) for name, s in intents.specs.items() if s.goto}
    for flow, step in steps(flows):
        if flow.id != SYSTEM:
            leads = [t for t, _ in targets(flow, step)]
            leads += [by_intent[c.intent] for c in step.choices if c.intent in by_intent]
            edges[f"{flow.id}:{step.id}"] = leads
    roots = [f"{MAIN}:{flows[MAIN].start}"]
    roots += [qualify(MAIN, s.goto) for s in intents.specs.values() if s.goto]
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        at = todo.pop()
        if at in seen or at not in edges:
            continue
        seen.add(at)
        todo.extend(edges[at])
    for flow, step in steps(flows):
        at = f"{flow.id}:{step.id}"
        if flow.id == SYSTEM:
            continue
        if at not in seen:
            add(
                Problem(
                    ERROR,
                    step.where,
                    f"step '{step.id}' cannot be reached: no choice, route or intent leads to it",
                )
            )
        if not edges[at] and not (step.end or step.forget or step.is_handoff or step.choices):
            add(
                Problem(
                    ERROR,
                    step.where,
                    f"step '{step.id}' is a dead end: give it choices, "
                    "referrals (a hand-off) or 'end: true'",
                )
            )
        if step.route and at in _route_cycle(flows, at):
            add(
                Problem(
                    ERROR,
                    step.where,
                    f"the routes from step '{step.id}' go round in a "
                    "circle and never show a message",
                )
            )
    _check_exits(flows, edges, seen, add)


def _route_cycle(flows: dict[str, Flow], start: str) -> set[str]:
    """Route steps reachable from `start` through routes only."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        at = todo.pop()
        flow_id, _, step_id = at.partition(":")
        step = flows[flow_id].steps[step_id]
        if not step.route:
            continue
        for _, target in step.route.cases:
            nxt = qualify(flow_id, target)
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _check_exits(flows: dict[str, Flow], edges: dict[str, list[str]], seen: set[str], add) -> None:
    """From every step a hand-off or an end must be reachable (loops alone trap a man)."""
    good = {at for at in edges if _is_exit(flows, at)}
    reverse: dict[str, list[str]] = {}
    for src, leads in edges.items():
        for t in leads:
            reverse.setdefault(t, []).append(src)
    todo = list(good)
    while todo:
        at = todo.pop()
        for src in reverse.get(at, ()):
            if src not in good:
                good.add(src)
                todo.append(src)
    for at in sorted(seen - good):
        flow_id, _, step_id = at.partition(":")
        step = flows[flow_id].steps[step_id]
        add(
            Problem(
                ERROR,
                step.where,
                f"from step '{step_id}' no path leads to a hand-off or an "
                "end: the choices only go round in a loop",
            )
        )


def _is_exit(flows: dict[str, Flow], at: str) -> bool:
    flow_id, _, step_id = at.partition(":")
    step = flows[flow_id].steps[step_id]
    # 'back' returns to where he came from, which already had a way on
    back = any(c.intent in ("back", "language") for c in step.choices)
    return step.end or step.forget or step.is_handoff or back
