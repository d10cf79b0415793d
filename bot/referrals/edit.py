"""Work out a coordinator's change before saving it: the new text, its changes and its risks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from bot.problems import ERROR, DataError, Problem, errors, suggest
from bot.referrals.checks import check_directory
from bot.referrals.fields import canonical_phone
from bot.referrals.load import FIELDS, parse_directory
from bot.referrals.model import VERIFIED, Directory, countries_of
from bot.referrals.risks import edit_risks
from bot.referrals.yamledit import assign, convert_value, show_value
from bot.referrals.yamlio import dump_yaml
from bot.yamlsource import parse_round_trip

Accept = Callable[[Directory], list[Problem]]
Change = tuple[str, str, str]  # field, value before, value after (as a coordinator writes it)


class EditRefused(Exception):
    """The edit was not made; the message says why in plain words. Nothing was saved."""


@dataclass
class EditPlan:
    """An edit worked out but not saved: the new text, what it changes, and what it risks."""

    key: str
    original: str
    text: str
    before: Directory | None  # None when the current text cannot be used
    after: Directory
    changes: list[Change] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    risks: list[str] = field(default_factory=list)  # why it needs --force (bot.referrals.risks)


def parse_assignments(pairs: list[str]) -> dict[str, str]:
    """`["phone=0800-2000", "free=true"]` -> {"phone": "0800-2000", "free": "true"}."""
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise EditRefused(f"'{pair}' is not FIELD=VALUE (for example phone=0800-2000)")
        if name not in FIELDS:
            raise EditRefused(f"the bot does not know the field '{name}'{suggest(name, FIELDS)}")
        out[name] = value.strip()
    return out


def plan_edit(
    original: str,
    file: str,
    key: str,
    values: dict[str, str],
    today: date,
    *,
    verified_today: bool = False,
    mark_verified: bool = False,
    source: str | None = None,
    accept: Accept | None = None,
) -> EditPlan:
    """Apply field values to one entry of `original`; raise if the bot would refuse the result.

    `accept` is the running bot's own extra check (how the flows use the directory), so
    nothing is saved that the bot would then refuse to load.
    """
    data = document(original, file)
    node = data.get(key)
    if not isinstance(node, CommentedMap):
        hint = suggest(key, [str(k) for k in data])
        raise EditRefused(f"there is no entry '{key}' in {file}{hint}")
    wanted = dict(values)
    if source is not None:
        wanted["source"] = source
    if verified_today or mark_verified:
        wanted["last_verified"] = "today"
    if mark_verified:
        wanted["status"] = VERIFIED
    before = {name: show_value(node.get(name)) for name in wanted}
    set_fields(node, wanted, today)
    changes = [(n, before[n], show_value(node.get(n))) for n in wanted]
    changes = [change for change in changes if change[1] != change[2]]
    plan = checked_plan(original, dump_yaml(data), file, key, today, changes, accept)
    rechecked = any(name in wanted for name in ("source", "last_verified"))
    plan.risks = edit_risks(plan.after, key, changes, rechecked)
    return plan


def set_fields(node: CommentedMap, wanted: dict[str, str], today: date) -> None:
    """Write typed values into an entry; an empty value removes the field; phones canonical."""
    for name, text in wanted.items():
        if text == "":
            node.pop(name, None)
        else:
            assign(node, name, convert_value(name, text, today, node.get(name)))
    if "phone" in wanted and isinstance(node.get("phone"), str):
        countries = countries_of(tuple(str(r) for r in node.get("regions") or ()))
        node["phone"] = DoubleQuotedScalarString(canonical_phone(node["phone"], countries))


def document(text: str, file: str) -> CommentedMap:
    """The directory's YAML as an editable mapping, or EditRefused when it cannot be read."""
    try:
        data = parse_round_trip(text, file)
    except DataError as exc:
        found = "; ".join(str(p) for p in exc.problems)
        message = f"the directory cannot be read right now, fix this first: {found}"
        raise EditRefused(message) from None
    if not isinstance(data, CommentedMap):
        raise EditRefused(f"{file} does not hold entries; fix it by hand first")
    return data


def checked_plan(
    original: str,
    new_text: str,
    file: str,
    key: str,
    today: date,
    changes: list[Change],
    accept: Accept | None,
) -> EditPlan:
    """Every check the bot makes before it uses a directory; DataError when one fails."""
    try:
        directory = parse_directory(new_text, file)
    except DataError as exc:
        raise DataError(errors(exc.problems)) from None
    problems = check_directory(directory, today)
    if accept is not None:
        problems += accept(directory)
    if any(p.level == ERROR for p in problems):
        raise DataError(errors(problems))
    try:
        before = parse_directory(original, file)
    except DataError:
        before = None
    plan = EditPlan(key, original, new_text, before, directory, changes)
    plan.warnings = [p for p in problems if p.level != ERROR]
    return plan
