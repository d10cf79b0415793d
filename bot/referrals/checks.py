"""Checks across entries and against today's date: what makes a directory safe to show."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from bot.problems import ERROR, WARNING, Problem, Where, suggest
from bot.referrals.model import UNVERIFIED, Directory, Entry

# A run of digits as people write numbers: 0800-3200032, +31 800 320 00 32, 0800/320.00.32.
NUMBER_RE = re.compile(r"\+?\d[\d ()./-]{5,}\d")


@dataclass(frozen=True, slots=True)
class Retired:
    """A number that no longer answers: it must never appear in the directory again."""

    digits: str  # the number without its leading 0 or country code: what every spelling ends in
    written: str
    name: str
    since: str
    source: str


RETIRED = (
    # Hart van Nederland, 2020-09: the line "is sinds 1 juli uit de lucht" (too little money);
    # checked 2026-11-29 with the search tool against stored copies of web pages, not phoned.
    Retired(
        "8003200032",
        "0800-3200032",
        "Hear my Voice",
        "1 July 2020",
        "https://www.hartvannederland.nl/nieuws/2020/slachtoffers-van-huiselijk-geweld-starten-"
        "crowdfunding-om-hulplijn-te-heropenen-een-luisterend-oor-is-zo-belangrijk/",
    ),
)


def check_retired_numbers(text: str, file: str) -> list[Problem]:
    """Every line, comments too: a number out of service must not return from an old list."""
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        for found in NUMBER_RE.finditer(line):
            retired = _retired(found.group())
            if retired is not None:
                problems.append(Problem(ERROR, Where(file, number), _retired_message(retired)))
    return problems


def is_retired(written: str) -> bool:
    """True for a number out of service, however it is written (its own error names it)."""
    return _retired(written) is not None


def _retired(written: str) -> Retired | None:
    digits = re.sub(r"\D", "", written)
    return next((r for r in RETIRED if digits.endswith(r.digits)), None)


def _retired_message(retired: Retired) -> str:
    return (
        f"{retired.written} ({retired.name}) has been out of service since {retired.since}: "
        "it must never appear in this file, not even in a comment; remove it"
    )


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


def next_check_due(entry: Entry) -> date | None:
    """When the entry should be checked again: its own check_every_days after the last check."""
    if entry.last_verified is None:
        return None
    return entry.last_verified + timedelta(days=entry.check_every_days)


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
        elif entry.active and (due := next_check_due(entry)) is not None and today > due:
            days = (today - entry.last_verified).days
            message = (
                f"{entry.key}: its check was due on {due} (last checked {days} days ago, "
                f"{entry.last_verified.isoformat()}; due every {entry.check_every_days} days); "
                f"please check it again and run `firstcontact referrals verify {entry.key}`"
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
    if not target.active:
        return f"{entry.key}: {field} '{key}' is {target.status}; name an entry that is in use"
    return None
