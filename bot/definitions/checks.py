"""The checks behind `firstcontact flows check`: graph, referrals, open lines, contacts and
Telegram limits."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.definitions.claims import contradictions
from bot.engine import callback
from bot.engine.engine import MAIN, SYSTEM, SYSTEM_STEPS
from bot.engine.intents import ALARMS, Intents
from bot.engine.machine import qualify
from bot.engine.model import Flow, Press, Step
from bot.problems import ERROR, WARNING, Problem, Where, suggest
from bot.referrals.contact import describe as describe_unreachable
from bot.referrals.contact import unreachable_on
from bot.referrals.coverage import Screen, gap_message
from bot.regions import REGIONS

if TYPE_CHECKING:
    from bot.referrals.model import Directory

MAX_LABEL = 64  # Telegram cuts long button labels; above this we refuse
WARN_LABEL = 32  # above this a label wraps or is cut on a phone
MAX_MESSAGE = 4096
# A phone number typed into text: 3+ digits, or digit groups joined by - or space (0800-2000).
PHONE_IN_TEXT = re.compile(r"(?<![\w.])(?:\+?\d[\d\- ]{1,14}\d)(?![\w.])")
YEAR = re.compile(r"^(?:19|20)\d\d$")  # "sinds 2016" is a year, not a phone number
# Danger screens whose gap the directory cannot close: the flow itself must name another line
# (a French-speaking crisis line for Brussels and Wallonia; docs/referrals.md). Reported as
# warnings until then; a test fails once one is closed, so this list can only shrink.


@dataclass(frozen=True, slots=True)
class ReferralFacts:
    """What the checks need from the directory: lookups by key, and the directory itself for
    the rule that resolves cards through the week (bot/referrals/coverage.py)."""

    status: Callable[[str], str | None]  # key -> verified/unverified/inactive, None if unknown
    is_emergency: Callable[[str], bool]
    keys: Callable[[], list[str]]
    directory: Directory | None = None


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
    _check_graph(flows, intents, add)
    for flow in flows.values():
        for step in flow.steps.values():
            _check_text(flow, step, add)
            if facts:
                _check_referrals(flow, step, facts, add)
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
        _check_open_lines(flows, intents, facts, add)
        _check_contacts(flows, facts, add)
        _check_claims(flows, facts, add)
    return problems


def _steps(flows: dict[str, Flow]):
    for flow in flows.values():
        for step in flow.steps.values():
            yield flow, step


def _targets(flow: Flow, step: Step) -> list[tuple[str, Where | None]]:
    out = [(qualify(flow.id, c.next), c.where or step.where) for c in step.choices if c.next]
    if step.free_text and step.free_text.next:
        out.append((qualify(flow.id, step.free_text.next), step.where))
    if step.route:
        out.extend((qualify(flow.id, t), step.where) for _, t in step.route.cases)
    return out


def _exists(flows: dict[str, Flow], target: str) -> bool:
    flow_id, _, step_id = target.partition(":")
    return flow_id in flows and step_id in flows[flow_id].steps


def _check_targets(flows: dict[str, Flow], add) -> None:
    for flow, step in _steps(flows):
        for target, where in _targets(flow, step):
            if not _exists(flows, target):
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
            if not _exists(flows, full):
                add(Problem(ERROR, spec.where, f"intent '{name}' {field} '{target}' is no step"))
    required = {"emergency": "goto", "stop": "goto", "menu": "goto", "help": "goto"}
    for name, field in required.items():
        spec = intents.specs.get(name)
        if spec and not getattr(spec, field):
            add(Problem(ERROR, spec.where, f"intent '{name}' needs '{field}:' naming a step"))
    stop = intents.specs.get("stop")
    if stop and stop.goto and _exists(flows, qualify(MAIN, stop.goto)):
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
    for name, _, step in _alarm_steps(flows, intents):
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


def _alarm_steps(flows: dict[str, Flow], intents: Intents) -> Iterator[tuple[str, str, Step]]:
    """(intent, flow:step, step) for each step an alarm intent leads to or answers with."""
    for name in ALARMS:
        spec = intents.specs.get(name)
        for field, base in (("goto", MAIN), ("notice", SYSTEM)):
            target = getattr(spec, field) if spec else None
            full = qualify(base, target) if target else ""
            if full and _exists(flows, full):
                flow_id, _, step_id = full.partition(":")
                yield name, full, flows[flow_id].steps[step_id]


def _check_open_lines(flows: dict[str, Flow], intents: Intents, facts: ReferralFacts, add) -> None:
    """Every screen that answers danger or crisis offers, besides the emergency number, a line
    that is open in the man's language at every moment of the week (bot/referrals/coverage.py).

    Such a screen is an alarm intent's step in every region, and any step in a region where
    it shows an emergency number.
    """
    if facts.directory is None:
        return
    alarms = {full for _, full, _ in _alarm_steps(flows, intents)}
    for flow, step in _steps(flows):
        full = f"{flow.id}:{step.id}"
        for region in REGIONS:
            keys = step.referral_keys(region)
            alarm = full in alarms
            if not (alarm or any(facts.is_emergency(key) for key in keys)):
                continue
            if any(facts.status(key) in (None, "inactive") for key in keys):
                continue  # already an error of its own: unknown or inactive referral
            message = gap_message(facts.directory, Screen(step.id, region, keys, alarm))
            if message is None:
                continue
            add(Problem(ERROR, step.where, message))


def _check_contacts(flows: dict[str, Flow], facts: ReferralFacts, add) -> None:
    """A card a man cannot act on is not a hand-off: every entry a step shows, in any region
    and at any moment, has a phone, website or chat_url (bot/referrals/contact.py)."""
    if facts.directory is None:
        return
    for _, step in _steps(flows):
        if step.referrals:
            for found in unreachable_on(facts.directory, step.referral_keys):
                add(Problem(ERROR, step.where, describe_unreachable(step.id, found)))


def _check_claims(flows: dict[str, Flow], facts: ReferralFacts, add) -> None:
    """Flow text that states a directory fact ("dag en nacht", "gratis") must stay true when
    a coordinator changes the directory (bot/definitions/claims.py)."""
    if facts.directory is None:
        return
    for _, step in _steps(flows):
        for message in contradictions(facts.directory, step):
            add(Problem(ERROR, step.where, message))


def _check_graph(flows: dict[str, Flow], intents: Intents, add) -> None:
    edges: dict[str, list[str]] = {}
    by_intent = {name: qualify(MAIN, s.goto) for name, s in intents.specs.items() if s.goto}
    for flow, step in _steps(flows):
        if flow.id != SYSTEM:
            targets = [t for t, _ in _targets(flow, step)]
            targets += [by_intent[c.intent] for c in step.choices if c.intent in by_intent]
            edges[f"{flow.id}:{step.id}"] = targets
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
    for flow, step in _steps(flows):
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
    for src, targets in edges.items():
        for t in targets:
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


def _check_text(flow: Flow, step: Step, add) -> None:
    at = f"{flow.id}:{step.id}"
    texts = [("text", step.text)]
    if step.free_text and step.free_text.reply:
        texts.append(("free_text reply", step.free_text.reply))
    for what, text in texts:
        found = next((m for m in PHONE_IN_TEXT.finditer(text) if not YEAR.match(m.group())), None)
        if found:
            add(
                Problem(
                    ERROR,
                    step.where,
                    f"the {what} of step '{step.id}' contains the number "
                    f"'{found.group().strip()}': numbers come from referrals.yaml, "
                    "add 'referrals: [key]' instead",
                )
            )
        if len(text) > MAX_MESSAGE:
            add(
                Problem(
                    ERROR,
                    step.where,
                    f"the {what} of step '{step.id}' is {len(text)} "
                    f"characters; Telegram allows {MAX_MESSAGE}",
                )
            )
    for i, choice in enumerate(step.choices):
        where = choice.where or step.where
        if len(choice.label) > MAX_LABEL:
            add(
                Problem(
                    ERROR,
                    where,
                    f"button '{choice.label[:20]}…' of step '{step.id}' is "
                    f"{len(choice.label)} characters; keep it under {WARN_LABEL}",
                )
            )
        elif len(choice.label) > WARN_LABEL:
            add(
                Problem(
                    WARNING,
                    where,
                    f"button '{choice.label}' of step '{step.id}' is "
                    f"{len(choice.label)} characters; phones cut it after about {WARN_LABEL}",
                )
            )
        if PHONE_IN_TEXT.search(choice.label):
            add(Problem(ERROR, where, f"button '{choice.label}' contains a number; use referrals"))
        data = callback.encode(Press(at, i, flow.version))
        if len(data.encode()) > callback.MAX_BYTES:
            add(
                Problem(
                    ERROR,
                    where,
                    f"the button data for step '{step.id}' would be "
                    f"{len(data.encode())} bytes (Telegram allows {callback.MAX_BYTES}): "
                    "use a shorter step id or flow name",
                )
            )


def _check_referrals(flow: Flow, step: Step, facts: ReferralFacts, add) -> None:
    known = facts.keys()
    keys = {
        k
        for item in step.referrals
        for k in ((item,) if isinstance(item, str) else item.all_keys())
    }
    for key in sorted(keys):
        status = facts.status(key)
        if status is None:
            add(
                Problem(
                    ERROR,
                    step.where,
                    f"step '{step.id}' shows referral '{key}', which is "
                    f"not in referrals.yaml{suggest(key, known)}",
                )
            )
        elif status == "inactive":
            add(
                Problem(
                    ERROR,
                    step.where,
                    f"step '{step.id}' shows referral '{key}', which is "
                    "marked inactive in referrals.yaml",
                )
            )
