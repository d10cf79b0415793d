"""A coordinator's change to the directory (set, verify, add, retire, import), worked out,
checked, previewed and saved the same way by `firstcontact referrals ...` and the coordinator
page: nothing the running bot would refuse is saved, and each save writes its history rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from ruamel.yaml.comments import CommentedMap

from bot.directory_impact import FlowUse, StepChange
from bot.referrals.changes import field_changes
from bot.referrals.edit import (
    Accept,
    EditPlan,
    EditRefused,
    checked_plan,
    document,
    plan_edit,
    set_fields,
)
from bot.referrals.load import KEY_RE
from bot.referrals.model import DEFUNCT, VERIFIED
from bot.referrals.yamlio import dump_yaml

Planner = Callable[[str, str, Accept | None], EditPlan]
NO_NAME = (
    "say who you are with --by NAME (a name or a role such as coordinator; the history "
    "keeps it, nothing else about you)"
)


@dataclass
class Prepared:
    """A change worked out on one version of the directory, checked, not saved yet."""

    plan: EditPlan
    base: Any  # the version it was worked out on: a save on top of another one is refused
    preview: list[StepChange] = field(default_factory=list)  # what a man sees differently
    flows_checked: bool = False  # False: the flows could not be read, so only the directory's

    @property
    def unchanged(self) -> bool:
        return self.plan.text == self.plan.original

    def rows(self) -> list[tuple[str, str, str, str]]:
        """(key, field, before, after) of every field the change touches."""
        plan = self.plan
        if plan.key:
            return [(plan.key, name, was, now) for name, was, now in plan.changes]
        return field_changes(plan.original, plan.text)


def set_values(
    key: str,
    values: dict[str, str],
    today: date,
    *,
    verified_today: bool = False,
    source: str | None = None,
) -> Planner:
    """`referrals set KEY FIELD=VALUE...`: some fields of one entry."""

    def planner(original: str, file: str, accept: Accept | None) -> EditPlan:
        return plan_edit(
            original, file, key, values, today,
            verified_today=verified_today, source=source or None, accept=accept,
        )  # fmt: skip

    return planner


def verify_entry(
    key: str, method: str, source: str, by: str, today: date, source_date: str | None = None
) -> Planner:
    """`referrals verify`: checked today, how, against what and by whom."""
    checked = {
        "checked_how": method,
        "checked_by": by,
        "source_date": source_date or "",  # a date of an earlier source would mislead
    }

    def planner(original: str, file: str, accept: Accept | None) -> EditPlan:
        return plan_edit(
            original, file, key, checked, today,
            verified_today=True, mark_verified=True, source=source, accept=accept,
        )  # fmt: skip

    return planner


def add_entry(
    key: str, values: dict[str, str], method: str, source: str, by: str, today: date
) -> Planner:
    """`referrals add`: a new entry, checked today."""
    values = dict(values)
    values.setdefault("status", VERIFIED)
    values.update(checked_how=method, checked_by=by, source=source, last_verified="today")

    def planner(original: str, file: str, accept: Accept | None) -> EditPlan:
        if not KEY_RE.match(key):
            raise EditRefused(
                f"'{key}' cannot be used as a key; use lower-case letters, digits and _, "
                "starting with a letter (e.g. veilig_thuis)"
            )
        data = document(original, file)
        if key in data:
            raise EditRefused(f"there is already an entry '{key}'; change it with set")
        node = CommentedMap()
        set_fields(node, values, today)
        data[key] = node
        changes = [(name, "(not set)", str(node[name])) for name in node]
        return checked_plan(original, dump_yaml(data), file, key, today, changes, accept)

    return planner


def retire_entry(key: str, today: date) -> Planner:
    """`referrals retire`: HSDS's defunct, kept for the record and never shown."""

    def planner(original: str, file: str, accept: Accept | None) -> EditPlan:
        return plan_edit(original, file, key, {"status": DEFUNCT}, today, accept=accept)

    return planner


def import_text(new_text: str, name: str, today: date) -> Planner:
    """`referrals import`: the whole directory replaced by a reviewed file."""

    def planner(original: str, file: str, accept: Accept | None) -> EditPlan:
        return checked_plan(original, new_text, name, "", today, [], accept)

    return planner


def prepare(where: Any, planner: Planner, use: FlowUse | None, now: datetime | None = None):
    """Work the change out on the newest version, with the flows' checks when they could be
    read, and the cards it changes. EditRefused or DataError say why it cannot be saved."""
    original, base = where.read()
    plan = planner(original, where.name, use.refusals if use else None)
    prepared = Prepared(plan, base, flows_checked=use is not None)
    if use is not None and plan.before is not None and not prepared.unchanged:
        keys = {plan.key} if plan.key else set(plan.after.keys()) | set(plan.before.keys())
        prepared.preview = use.preview(plan.before, plan.after, keys, now or datetime.now(UTC))
    return prepared


def save(where: Any, prepared: Prepared, *, by: str, action: str, note: str = "") -> str:
    """Save on top of the version it was worked out on (SavedMeanwhileError if that is not the
    newest any more), with one history row per changed field; returns what was done."""
    rows = change_rows(prepared.plan, by, note, action)
    return where.save(
        prepared.base, prepared.plan.text, by=by, action=action, note=note, changes=rows
    )


def change_rows(plan: EditPlan, by: str, source: str, action: str) -> list:
    """One HSDS-style row per changed field: who, what, from which value to which, why."""
    from storage.directory import ChangeRow

    return [
        ChangeRow(key, name, before, after, by, source, action)
        for key, name, before, after in field_changes(plan.original, plan.text)
    ]
