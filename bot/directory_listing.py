"""The directory as a coordinator reads it, in the CLI and on the coordinator page alike: the
most overdue first, days since the last check, the next check due, fields as written."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from bot.referrals.checks import next_check_due
from bot.referrals.hours import describe_hours
from bot.referrals.model import Entry

NEVER = 10**6  # the age of an entry never checked: older than any


def age(entry: Entry, day: date) -> int:
    """Days since the last check (never checked counts as the oldest)."""
    return (day - entry.last_verified).days if entry.last_verified else NEVER


def stale_first(entries: Iterable[Entry], day: date) -> list[Entry]:
    """The most overdue first: the earliest next check due (each entry's own interval), never
    checked before everything."""
    return sorted(entries, key=lambda e: next_check_due(e) or date.min)


def overdue(entry: Entry, day: date) -> bool:
    due = next_check_due(entry)
    return bool(entry.active and due is not None and due < day)


def next_check(entry: Entry, day: date) -> str:
    """The day the next check is due, 'OVERDUE' after it when past; '-' when never shown."""
    due = next_check_due(entry)
    if due is None or not entry.active:
        return "-"
    return f"{due.isoformat()} OVERDUE" if due < day else due.isoformat()


def field_text(entry: Entry, name: str) -> str:
    """A field as the coordinator would write it."""
    if name == "hours":
        return describe_hours(entry.hours)
    if name == "timezone":
        return entry.hours.timezone if entry.hours else "-"
    if name == "holidays":
        days = sorted(entry.hours.holidays) if entry.hours else []
        return ", ".join(day.isoformat() for day in days)
    value = getattr(entry, name, None)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ", ".join(value)
    if isinstance(value, date):
        return value.isoformat()
    return "-" if value is None else str(value)
