"""Turn flow YAML into model objects, reporting every problem with file, line and plain words."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from bot.engine.model import Choice, Flow, FreeText, ReferralItem, RegionReferrals, Route, Step
from bot.problems import ERROR, DataError, Problem, Where, suggest
from bot.regions import DEFAULT_REGION_KEY, REGIONS
from bot.yamlsource import line_of, read_yaml

ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
TARGET_RE = re.compile(r"^(?:[a-z][a-z0-9_]{0,39}:)?[a-z][a-z0-9_]{0,39}$")
FLOW_FIELDS = {"flow", "title", "start", "answers", "steps", "description"}
STEP_FIELDS = {"id", "text", "choices", "referrals", "route", "free_text", "end", "forget", "note"}
CHOICE_FIELDS = {"label", "next", "set", "intent"}
CHOICE_INTENTS = ("back", "menu", "stop", "help", "language", "emergency")
FREE_TEXT_FIELDS = {"next", "reply"}
REGION_KEYS = (*REGIONS, DEFAULT_REGION_KEY)


class _Reader:
    """Collects problems for one file while building its model."""

    def __init__(self, path: Path):
        self.path = path
        self.file = str(path)
        self.problems: list[Problem] = []

    def where(self, node: Any, key: Any = None) -> Where:
        return Where(self.file, line_of(node, key))

    def error(self, node: Any, key: Any, message: str) -> None:
        self.problems.append(Problem(ERROR, self.where(node, key), message))

    def unknown_fields(self, node: dict, allowed: set[str], what: str) -> None:
        for key in node:
            if key not in allowed:
                hint = suggest(key, allowed)
                self.error(node, key, f"{what} has a field '{key}' the bot does not know{hint}")

    def text(self, node: dict, key: str, what: str, required: bool = True) -> str:
        value = node.get(key)
        if value is None:
            if required:
                self.error(node, None, f"{what} needs a '{key}'")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.error(node, key, f"'{key}' of {what} must be text, written after '{key}:'")
            return ""
        return str(value).strip()

    def target(self, node: dict, key: str, what: str) -> str:
        value = node.get(key)
        if not isinstance(value, str) or not TARGET_RE.match(value):
            self.error(
                node,
                key if key in node else None,
                f"{what} needs '{key}:' with a step id (like 'menu' or 'other_flow:menu'),"
                f" got {value!r}",
            )
            return ""
        return value


def load_flow(path: Path) -> Flow:
    """Load and schema-check one flow file; raise DataError listing every problem found."""
    reader = _Reader(path)
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise DataError(
            [
                Problem(
                    ERROR,
                    Where(reader.file, 1),
                    "a flow file must start with 'flow:', 'title:', 'start:' and 'steps:'",
                )
            ]
        )
    reader.unknown_fields(data, FLOW_FIELDS, "the flow")
    flow_id = reader.text(data, "flow", "the flow")
    if flow_id and not ID_RE.match(flow_id):
        reader.error(data, "flow", f"flow name '{flow_id}' may only use a-z, 0-9 and _")
    if flow_id and flow_id != path.stem:
        reader.error(data, "flow", f"flow name '{flow_id}' must match the file name '{path.stem}'")
    title = reader.text(data, "title", "the flow", required=False) or flow_id
    start = data.get("start")
    answers = _answers(reader, data)
    steps = _steps(reader, data, answers)
    if start is None and steps:
        start = next(iter(steps))
    elif start is not None and (not isinstance(start, str) or start not in steps):
        hint = suggest(start, steps) if isinstance(start, str) else ""
        reader.error(data, "start", f"'start: {start}' names no step of this flow{hint}")
    if reader.problems:
        raise DataError(reader.problems)
    digest = hashlib.blake2s(path.read_bytes(), digest_size=3).hexdigest()
    return Flow(
        id=flow_id,
        title=title,
        start=str(start),
        steps=steps,
        answers=answers,
        file=reader.file,
        version=digest,
    )


def _answers(reader: _Reader, data: dict) -> dict[str, tuple[str, ...]]:
    raw = data.get("answers") or {}
    if not isinstance(raw, dict):
        reader.error(
            data, "answers", "'answers' must list each answer name with its allowed values"
        )
        return {}
    answers: dict[str, tuple[str, ...]] = {}
    for name, values in raw.items():
        if not ID_RE.match(str(name)) or name == "region":
            reader.error(raw, name, f"answer name '{name}' may only use a-z, 0-9 and _")
        elif not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            reader.error(
                raw, name, f"answer '{name}' needs a list of allowed values, like [ja, nee]"
            )
        else:
            answers[str(name)] = tuple(str(v) for v in values)
    return answers


def _steps(reader: _Reader, data: dict, answers: dict) -> dict[str, Step]:
    raw = data.get("steps")
    if not isinstance(raw, list) or not raw:
        reader.error(
            data,
            "steps" if "steps" in data else None,
            "the flow needs 'steps:' with a list of steps, each starting with '- id:'",
        )
        return {}
    steps: dict[str, Step] = {}
    for index, node in enumerate(raw):
        if not isinstance(node, dict):
            reader.error(raw, index, "each step must start with '- id:' followed by its fields")
            continue
        step = _step(reader, node, answers)
        if step is None:
            continue
        if step.id in steps:
            first = steps[step.id].where
            reader.error(
                node,
                "id",
                f"step id '{step.id}' is used twice (first at line "
                f"{first.line if first else '?'}); every id must be unique",
            )
            continue
        steps[step.id] = step
    return steps


def _step(reader: _Reader, node: dict, answers: dict) -> Step | None:
    step_id = node.get("id")
    if not isinstance(step_id, str) or not ID_RE.match(step_id):
        reader.error(
            node,
            "id" if "id" in node else None,
            f"a step needs 'id:' with a short name of a-z, 0-9 and _ (got {step_id!r})",
        )
        return None
    what = f"step '{step_id}'"
    reader.unknown_fields(node, STEP_FIELDS, what)
    route = _route(reader, node, what, answers) if "route" in node else None
    text = reader.text(node, "text", what, required=route is None)
    choices = _choices(reader, node, what, answers)
    free = _free_text(reader, node, what)
    end = _flag(reader, node, "end", what)
    forget = _flag(reader, node, "forget", what)
    referrals = _referrals(reader, node, what)
    if route and (choices or text or referrals):
        reader.error(
            node,
            "route",
            f"{what} has a 'route', so it cannot also show text, "
            "choices or referrals: it only passes the man on",
        )
    return Step(
        id=step_id,
        text=text,
        choices=choices,
        referrals=referrals,
        route=route,
        free_text=free,
        end=end,
        forget=forget,
        where=reader.where(node),
        note=note.strip() if isinstance(note := node.get("note"), str) else "",
    )


def _flag(reader: _Reader, node: dict, key: str, what: str) -> bool:
    value = node.get(key, False)
    if not isinstance(value, bool):
        reader.error(node, key, f"'{key}' of {what} must be true or false")
        return False
    return value


def _choices(reader: _Reader, node: dict, what: str, answers: dict) -> tuple[Choice, ...]:
    raw = node.get("choices")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        reader.error(
            node, "choices", f"'choices' of {what} must be a list of '- label: ... next: ...'"
        )
        return ()
    out: list[Choice] = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            reader.error(raw, i, f"each choice of {what} needs 'label:' and 'next:'")
            continue
        cwhat = f"a choice of {what}"
        reader.unknown_fields(item, CHOICE_FIELDS, cwhat)
        label = reader.text(item, "label", cwhat)
        intent = item.get("intent")
        if intent is not None:
            target = ""
            if "next" in item:
                reader.error(
                    item,
                    "intent",
                    f"choice '{label}' of {what} has both 'next' and 'intent': keep one",
                )
            if intent not in CHOICE_INTENTS:
                reader.error(
                    item,
                    "intent",
                    f"choice '{label}' of {what} has intent '{intent}'; "
                    f"use one of {', '.join(CHOICE_INTENTS)}"
                    f"{suggest(intent, CHOICE_INTENTS)}",
                )
                intent = None
        else:
            target = reader.target(item, "next", f"choice '{label}' of {what}")
        sets = _sets(reader, item, f"choice '{label}' of {what}", answers)
        out.append(
            Choice(label=label, next=target, set=sets, where=reader.where(item), intent=intent)
        )
    return tuple(out)


def _sets(reader: _Reader, item: dict, what: str, answers: dict) -> tuple[tuple[str, str], ...]:
    raw = item.get("set")
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        reader.error(item, "set", f"'set' of {what} must be like 'set: {{region: NL}}'")
        return ()
    out = []
    for name, value in raw.items():
        value = str(value)
        if name == "region":
            if value not in REGIONS:
                reader.error(
                    raw,
                    name,
                    f"region '{value}' of {what} is not one of "
                    f"{', '.join(REGIONS)}{suggest(value, REGIONS)}",
                )
        elif name == "locale":
            pass
        elif name not in answers:
            reader.error(
                raw,
                name,
                f"{what} sets '{name}', which is not listed under 'answers:'"
                f" at the top of the file{suggest(name, answers)}",
            )
        elif value not in answers[name]:
            reader.error(
                raw,
                name,
                f"{what} sets {name} to '{value}', allowed are: {', '.join(answers[name])}",
            )
        out.append((str(name), value))
    return tuple(out)


def _free_text(reader: _Reader, node: dict, what: str) -> FreeText | None:
    raw = node.get("free_text")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        reader.error(node, "free_text", f"'free_text' of {what} needs 'next:' or 'reply:'")
        return None
    reader.unknown_fields(raw, FREE_TEXT_FIELDS, f"'free_text' of {what}")
    target = reader.target(raw, "next", f"'free_text' of {what}") if "next" in raw else None
    reply = reader.text(raw, "reply", f"'free_text' of {what}", required=False) or None
    if not target and not reply:
        reader.error(node, "free_text", f"'free_text' of {what} needs 'next:' or 'reply:'")
    return FreeText(next=target or None, reply=reply)


def _route(reader: _Reader, node: dict, what: str, answers: dict) -> Route | None:
    raw = node.get("route")
    if not isinstance(raw, dict) or "by" not in raw:
        reader.error(
            node,
            "route",
            f"'route' of {what} needs 'by: region' (or an answer name) "
            "and one line per value, like 'NL: step_nl'",
        )
        return None
    by = str(raw["by"])
    allowed = REGION_KEYS if by == "region" else (*answers.get(by, ()), DEFAULT_REGION_KEY)
    if by != "region" and by not in answers:
        reader.error(
            raw,
            "by",
            f"{what} routes by '{by}', which is neither 'region' nor an "
            f"answer listed under 'answers:'{suggest(by, answers)}",
        )
    cases = []
    for value, target in raw.items():
        if value == "by":
            continue
        if str(value) not in allowed:
            reader.error(
                raw,
                value,
                f"route of {what} has a case '{value}' that cannot happen; "
                f"use one of {', '.join(allowed)}{suggest(value, allowed)}",
            )
        if not isinstance(target, str) or not TARGET_RE.match(target):
            reader.error(raw, value, f"route case '{value}' of {what} must name a step")
            continue
        cases.append((str(value), target))
    if DEFAULT_REGION_KEY not in dict(cases):
        reader.error(raw, None, f"route of {what} needs a 'default:' line for every other case")
        return None
    return Route(by=by, cases=tuple(cases))


def _referrals(reader: _Reader, node: dict, what: str) -> tuple[ReferralItem, ...]:
    raw = node.get("referrals")
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw_items: list[Any] = [raw]
    elif isinstance(raw, list):
        raw_items = list(raw)
    else:
        reader.error(node, "referrals", f"'referrals' of {what} must be a list of referral keys")
        return ()
    items: list[ReferralItem] = []
    for i, item in enumerate(raw_items):
        if isinstance(item, str):
            items.append(item)
        elif isinstance(item, dict):
            by_region = []
            for region, keys in item.items():
                if region not in REGION_KEYS:
                    reader.error(
                        item,
                        region,
                        f"'{region}' in the referrals of {what} is not a "
                        f"region{suggest(region, REGION_KEYS)}",
                    )
                keys = [keys] if isinstance(keys, str) else keys
                if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
                    reader.error(item, region, f"referrals for {region} in {what} must be keys")
                    continue
                by_region.append((str(region), tuple(keys)))
            items.append(RegionReferrals(tuple(by_region)))
        else:
            reader.error(
                raw if isinstance(raw, list) else node,
                i,
                f"a referral of {what} must be a key like 'veilig_thuis'",
            )
    return tuple(items)
