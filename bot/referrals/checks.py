"""Checks across entries and against today's date: what makes a directory safe to show."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

from bot.problems import ERROR, WARNING, Problem
from bot.referrals.fields import suggest
from bot.referrals.model import INACTIVE, UNVERIFIED, Directory, Entry

STALE_AFTER = timedelta(days=180)


def check_references(directory: Directory, rejected: Collection[str] = ()) -> list[Problem]:
    """`alternative` and `when_closed` point at usable entries; every entry can be reached.

    Pointers at `rejected` entries (which have errors of their own) are not reported again:
    one broken phone number gives one message, not one per entry that leans on it.
    """
    problems: list[Problem] = []
    for entry in directory.entries:
        if entry.alternative in rejected or entry.when_closed in rejected:
            continue
        problems.extend(_alternative(directory, entry))
        problems.extend(_when_closed(directory, entry))
        if entry.verified and not entry.reachable:
            message = (
                f"{entry.key}: a verified entry needs a phone, website or chat_url, "
                "or the bot has nothing to offer"
            )
            problems.append(Problem(ERROR, entry.where, message))
    return problems


def check_directory(directory: Directory, today: date) -> list[Problem]:
    """Everything a coordinator should see: load warnings plus date checks for `today`.

    A Directory from load_directory has already passed the structural and reference checks;
    errors here (a date in the future, a missing date) mean it should not be used.
    """
    problems = list(directory.notes)
    for entry in directory.entries:
        where = entry.where_of("last_verified")
        if entry.last_verified is None:
            message = f"{entry.key}: 'last_verified' is missing; write the date you checked it"
            problems.append(Problem(ERROR, where, message))
        elif entry.last_verified > today:
            message = (
                f"{entry.key}: last_verified {entry.last_verified.isoformat()} is in the future; "
                f"write the date you actually checked it (today is {today.isoformat()})"
            )
            problems.append(Problem(ERROR, where, message))
        elif entry.active and today - entry.last_verified > STALE_AFTER:
            days = (today - entry.last_verified).days
            message = (
                f"{entry.key}: last checked {days} days ago ({entry.last_verified.isoformat()}); "
                "please check it again and run `firstcontact referrals verify "
                f"{entry.key}`"
            )
            problems.append(Problem(WARNING, where, message))
    problems.sort(key=lambda p: (p.where.line if p.where else 0, p.level != ERROR))
    return problems


def _alternative(directory: Directory, entry: Entry) -> list[Problem]:
    where = entry.where_of("alternative")
    if entry.alternative is None:
        if entry.status == UNVERIFIED:
            message = (
                f"{entry.key} is unverified, so it needs an 'alternative': the key of a verified "
                "entry for the same region, which the bot shows right next to it"
            )
            return [Problem(ERROR, entry.where, message)]
        return []
    problem = _target_problem(directory, entry, entry.alternative, "alternative")
    if problem:
        return [Problem(ERROR, where, problem)]
    target = directory.get(entry.alternative)
    assert target is not None  # _target_problem checked it exists
    if not target.verified:
        message = (
            f"{entry.key}: alternative '{target.key}' is {target.status}; "
            "the alternative must be a verified entry"
        )
        return [Problem(ERROR, where, message)]
    if not entry.shares_region_with(target):
        message = (
            f"{entry.key}: alternative '{target.key}' does not serve any of its regions "
            f"({', '.join(entry.regions)}); pick one for the same region"
        )
        return [Problem(ERROR, where, message)]
    return []


def _when_closed(directory: Directory, entry: Entry) -> list[Problem]:
    if entry.when_closed is None:
        return []
    where = entry.where_of("when_closed")
    problem = _target_problem(directory, entry, entry.when_closed, "when_closed")
    if problem:
        return [Problem(ERROR, where, problem)]
    target = directory.get(entry.when_closed)
    assert target is not None
    problems = []
    if entry.hours is None or entry.hours.always:
        why = "has no hours" if entry.hours is None else "is open 24/7"
        message = f"{entry.key}: when_closed is never used because this entry {why}"
        problems.append(Problem(WARNING, where, message))
    if not entry.shares_region_with(target):
        message = f"{entry.key}: when_closed '{target.key}' does not serve the same regions"
        problems.append(Problem(WARNING, where, message))
    return problems


def _target_problem(directory: Directory, entry: Entry, key: str, field: str) -> str | None:
    """Why `key` cannot be used as this entry's alternative / when_closed, or None."""
    if key == entry.key:
        return f"{entry.key}: {field} points at the entry itself; name another entry"
    target = directory.get(key)
    if target is None:
        hint = suggest(key, directory.keys())
        return f"{entry.key}: {field} '{key}' is not an entry in this file{hint}"
    if target.status == INACTIVE:
        return f"{entry.key}: {field} '{key}' is inactive; name an entry that is in use"
    return None
