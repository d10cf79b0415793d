"""Opening hours a coordinator can read and write, and whether a line is open at a given moment."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

ALWAYS = "24/7"
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# English and Dutch abbreviations, so a coordinator can write either.
DAY_CODES = {
    **{code: i for i, code in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
    **{code: i for i, code in enumerate(("ma", "di", "wo", "do", "vr", "za", "zo"))},
}
CLOSED_WORDS = {"closed", "gesloten"}
RANGE_RE = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")
MINUTES_PER_DAY = 24 * 60
HORIZON_DAYS = 8  # a week ahead is enough to find the next opening of any weekly schedule

Interval = tuple[int, int]  # minutes since local midnight, start < end <= 1440


@dataclass(frozen=True, slots=True)
class OpenStatus:
    """Whether a line is open at a moment, and when that changes (times in the line's zone)."""

    is_open: bool
    always: bool = False
    closes_at: datetime | None = None
    opens_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """A weekly schedule in one time zone, or round the clock, with optional closed dates."""

    timezone: str
    always: bool = False
    week: tuple[tuple[Interval, ...], ...] = ((),) * 7  # Monday first
    holidays: frozenset[date] = frozenset()

    def status(self, now: datetime) -> OpenStatus:
        """Open or closed at `now` (must carry a time zone), with the next change if one is near."""
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError("OpeningHours.status needs a timezone-aware datetime")
        if self.always:
            return OpenStatus(is_open=True, always=True)
        zone = ZoneInfo(self.timezone)
        moment = now.astimezone(UTC)
        first = now.astimezone(zone).date() - timedelta(days=1)
        days = HORIZON_DAYS + min(len(self.holidays), 366)
        for start, end in self._spans(first, days, zone):
            if start <= moment < end:
                return OpenStatus(is_open=True, closes_at=end.astimezone(zone))
            if start > moment:
                return OpenStatus(is_open=False, opens_at=start.astimezone(zone))
        return OpenStatus(is_open=False)

    def changes(self, start: datetime, end: datetime) -> list[datetime]:
        """Moments in [start, end) when the line opens or closes (UTC); in between, `status`
        stays the same, so a check can step from change to change instead of minute by minute."""
        if self.always:
            return []
        zone = ZoneInfo(self.timezone)
        first = start.astimezone(zone).date() - timedelta(days=1)
        days = (end - start).days + 3  # a span may start the day before or end the day after
        found = {moment for span in self._spans(first, days, zone) for moment in span}
        return sorted(moment for moment in found if start <= moment < end)

    def _spans(self, first: date, days: int, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
        """Open periods as UTC (start, end) pairs from `first` on, adjoining periods merged."""
        spans: list[tuple[datetime, datetime]] = []
        for offset in range(days):
            day = first + timedelta(days=offset)
            if day in self.holidays:
                continue
            for start, end in self.week[day.weekday()]:
                begin = _at(day, start, zone)
                finish = _at(day, end, zone)
                if spans and begin <= spans[-1][1]:
                    spans[-1] = (spans[-1][0], max(finish, spans[-1][1]))
                else:
                    spans.append((begin, finish))
        return spans


def _at(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """The UTC moment of a local wall-clock time; minute 1440 is the next midnight."""
    day = day + timedelta(days=minutes // MINUTES_PER_DAY)
    minutes %= MINUTES_PER_DAY
    local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)
    return local.astimezone(UTC)


# ---- parsing -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HoursProblem:
    """A mistake in an hours value; `part` is the day key it concerns (for its line), or None."""

    part: str | None
    message: str


def parse_hours(
    value: Any, timezone: str, holidays: frozenset[date] = frozenset()
) -> tuple[OpeningHours | None, list[HoursProblem]]:
    """Read "24/7", {mon-fri: "09:00-17:00", sat: closed} or "mon-fri 09:00-17:00; sat closed"."""
    if isinstance(value, str) and value.strip().lower() == ALWAYS:
        return OpeningHours(timezone=timezone, always=True, holidays=holidays), []
    if isinstance(value, str):
        parts, problems = _split_line(value)
    elif isinstance(value, dict):
        parts = [(str(k), v) for k, v in value.items()]
        problems = []
    else:
        example = 'hours: "24/7" or hours: {mon-fri: "09:00-17:00", sat: closed}'
        return None, [HoursProblem(None, f"hours must be written like {example}")]
    week: list[list[Interval]] = [[] for _ in range(7)]
    seen: dict[int, str] = {}
    for days_text, ranges_value in parts:
        days, problem = _parse_days(days_text)
        if problem:
            problems.append(HoursProblem(days_text, problem))
            continue
        for day in days:
            if day in seen:
                message = f"{DAY_NAMES[day]} is given twice (also in '{seen[day]}')"
                problems.append(HoursProblem(days_text, message))
            seen[day] = days_text
        intervals, problem = _parse_ranges(ranges_value)
        if problem:
            problems.append(HoursProblem(days_text, f"hours for '{days_text}': {problem}"))
            continue
        for day in days:
            for start, end in intervals:
                if end > start:
                    week[day].append((start, end))
                else:  # runs past midnight into the next day
                    week[day].append((start, MINUTES_PER_DAY))
                    if end > 0:
                        week[(day + 1) % 7].append((0, end))
    for day, intervals in enumerate(week):
        intervals.sort()
        for (_, end), (start, _) in pairwise(intervals):
            if start < end:
                message = f"the opening times on {DAY_NAMES[day]} overlap"
                problems.append(HoursProblem(None, message))
    if problems:
        return None, problems
    if all(intervals == [(0, MINUTES_PER_DAY)] for intervals in week) and not holidays:
        return OpeningHours(timezone=timezone, always=True), []
    frozen = tuple(tuple(intervals) for intervals in week)
    return OpeningHours(timezone=timezone, week=frozen, holidays=holidays), []


def _split_line(text: str) -> tuple[list[tuple[str, Any]], list[HoursProblem]]:
    """`"mon-fri 09:00-17:00; sat closed"` -> [("mon-fri", "09:00-17:00"), ("sat", "closed")]."""
    parts: list[tuple[str, Any]] = []
    problems: list[HoursProblem] = []
    for chunk in (c.strip() for c in text.split(";")):
        if not chunk:
            continue
        days, _, ranges = chunk.partition(" ")
        if not ranges.strip():
            problems.append(
                HoursProblem(None, f"'{chunk}' needs days and times, like 'mon-fri 09:00-17:00'")
            )
            continue
        parts.append((days.strip(), ranges.strip()))
    if not parts and not problems:
        problems.append(HoursProblem(None, 'hours are empty; write "24/7" or days and times'))
    return parts, problems


def _parse_days(text: str) -> tuple[list[int], str | None]:
    """`"mon-fri"`, `"sat,sun"` or `"ma-vr"` -> weekday numbers (Monday is 0)."""
    days: list[int] = []
    for piece in (p.strip().lower() for p in text.split(",")):
        first, dash, last = piece.partition("-")
        if first not in DAY_CODES or (dash and last not in DAY_CODES):
            codes = "mon tue wed thu fri sat sun (or ma di wo do vr za zo)"
            return [], f"'{text}' is not a day or range of days; use {codes}, e.g. mon-fri"
        start = DAY_CODES[first]
        stop = DAY_CODES[last] if dash else start
        if stop < start:
            return [], f"'{piece}' runs backwards; write the earlier day first, e.g. mon-fri"
        days.extend(range(start, stop + 1))
    return days, None


def _parse_ranges(value: Any) -> tuple[list[Interval], str | None]:
    """`"09:00-12:00, 13:00-17:00"` or `closed` -> intervals in minutes."""
    if not isinstance(value, str):
        return [], 'write the times in quotes, like "09:00-17:00", or the word closed'
    text = value.strip().lower()
    if text in CLOSED_WORDS:
        return [], None
    intervals: list[Interval] = []
    for piece in (p.strip() for p in text.split(",")):
        match = RANGE_RE.match(piece)
        if not match:
            return [], f"'{piece}' is not a time range; write it like 09:00-17:00"
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2):
            return [], f"'{piece}' has a time that does not exist"
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if start == end:
            return [], f"'{piece}' opens and closes at the same time"
        intervals.append((start, end))  # end < start means it runs past midnight
    return intervals, None


def describe_hours(hours: OpeningHours | None) -> str:
    """One line for listings: '24/7', 'mon-fri 09:00-17:00' or 'unknown'."""
    if hours is None:
        return "unknown"
    if hours.always:
        return ALWAYS
    codes = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    groups: list[tuple[int, int, tuple[Interval, ...]]] = []
    for day, intervals in enumerate(hours.week):
        if groups and groups[-1][2] == intervals and groups[-1][1] == day - 1:
            groups[-1] = (groups[-1][0], day, intervals)
        else:
            groups.append((day, day, intervals))
    parts = []
    for first, last, intervals in groups:
        if not intervals:
            continue
        days = codes[first] if first == last else f"{codes[first]}-{codes[last]}"
        times = ", ".join(f"{_hhmm(s)}-{_hhmm(e)}" for s, e in intervals)
        parts.append(f"{days} {times}")
    return "; ".join(parts) or "always closed"


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
