"""Whether a screen that answers danger offers a line that is open, in the man's language, at
every moment of the week and on every listed holiday (a rule of `firstcontact flows check`).

The cards are resolved exactly as the bot shows them (`resolve_cards`): region choice by the
flow, verified alternatives and `when_closed` lines included. This module only decides which
moments to look at and whether what is shown then is enough.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date

from bot.referrals.cards import Card, resolve_cards
from bot.referrals.hours import DAY_NAMES
from bot.referrals.model import Directory, Entry
from bot.regions import COUNTRY_TIMEZONE, REGION_COUNTRY, REGION_LANGUAGE

ELSEWHERE_ZONE = "Europe/Brussels"  # ELDERS is shown Dutch and Belgian lines: tell their time
FIRST_MONDAY = date(2026, 1, 5)  # weeks are looked for from here: winter, so no clock change
ENGLISH = Locale("en")


@dataclass(frozen=True, slots=True)
class Screen:
    """What one step shows a man in one region, as the flow names it."""

    step: str  # the step id, for the message
    region: str
    keys: tuple[str, ...]
    alarm: bool = False  # answers an alarm intent: it must offer a line even if it names none


@dataclass(frozen=True, slots=True)
class Gap:
    """The first stretch of time a screen offers no usable line, and what it shows then."""

    start: datetime
    end: datetime | None  # None: the whole week
    cards: tuple[Card, ...]
    holiday: date | None = None


def gap_message(directory: Directory, screen: Screen) -> str | None:
    """Why the screen fails the rule, in words a volunteer can act on; None when it passes."""
    gap = find_gap(directory, screen)
    return None if gap is None else describe(screen, gap)


def find_gap(directory: Directory, screen: Screen) -> Gap | None:
    """The first gap in an ordinary week, else on the first listed holiday that has one."""
    entries = may_show(directory, screen.keys)
    zone = _zone(screen.region)
    holidays = _holidays(entries)
    week = _ordinary_week(set(holidays), zone)
    gap = _first_gap(directory, screen, entries, _window(week, 7, zone), cyclic=True)
    if gap is not None:
        return gap
    for day in holidays:  # the day in the region's clock, which the directory's lines share
        gap = _first_gap(directory, screen, entries, _window(day, 1, zone), cyclic=False)
        if gap is not None:
            return replace(gap, holiday=day)
    return None


def moments(directory: Directory, keys: tuple[str, ...], region: str | None) -> list[datetime]:
    """Each moment the cards for `keys` can change, in an ordinary week and on each listed
    holiday: resolving the cards at all of them sees everything the bot can show there."""
    entries = may_show(directory, keys)
    zone = _zone(region)
    holidays = _holidays(entries)
    found = _moments(entries, _window(_ordinary_week(set(holidays), zone), 7, zone))
    for day in holidays:
        found.extend(_moments(entries, _window(day, 1, zone)))
    return found


def may_show(directory: Directory, keys: tuple[str, ...]) -> list[Entry]:
    """Entries the cards may include: the named ones and, through `alternative` and
    `when_closed`, every entry they lead to. Only their hours can change what is shown."""
    found: dict[str, Entry] = {}
    todo = list(keys)
    while todo:
        entry = directory.get(todo.pop())
        if entry is not None and entry.key not in found:
            found[entry.key] = entry
            todo.extend(key for key in (entry.alternative, entry.when_closed) if key)
    return list(found.values())


def _holidays(entries: list[Entry]) -> list[date]:
    """Every date any of the entries lists as closed, in order."""
    return sorted({day for e in entries if e.hours for day in e.hours.holidays})


def _zone(region: str | None) -> ZoneInfo:
    return ZoneInfo(COUNTRY_TIMEZONE.get(REGION_COUNTRY.get(region, ""), ELSEWHERE_ZONE))


def _ordinary_week(holidays: set[date], zone: ZoneInfo) -> date:
    """The Monday of the first week in which each weekday stands for every other one."""
    monday = FIRST_MONDAY
    while not _ordinary(monday, holidays, zone):
        monday += timedelta(days=7)
    return monday


def _ordinary(monday: date, holidays: set[date], zone: ZoneInfo) -> bool:
    """No listed holiday and no clock change in the week from `monday`."""
    start, end = _window(monday, 7, zone)
    week = {monday + timedelta(days=offset) for offset in range(7)}
    return not week & holidays and start.utcoffset() == end.utcoffset()


def _window(first: date, days: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """From local midnight on `first` to local midnight `days` later."""
    start = datetime.combine(first, time(0), tzinfo=zone)
    return start, datetime.combine(first + timedelta(days=days), time(0), tzinfo=zone)


def _first_gap(
    directory: Directory,
    screen: Screen,
    entries: list[Entry],
    window: tuple[datetime, datetime],
    cyclic: bool,
) -> Gap | None:
    """Step from one opening or closing to the next; a week wraps round, a single day does not."""
    start, end = window
    times = _moments(entries, window)
    shown = [_failing(directory, screen, moment) for moment in times]
    run = _first_run([cards is not None for cards in shown], cyclic)
    if run is None:
        return None
    first, stop = run
    cards = shown[first] or ()
    if stop is None:
        return Gap(times[first], None if cyclic else end, cards)
    laps, index = divmod(stop, len(times))
    return Gap(times[first], times[index] + (end - start) * laps, cards)


def _moments(entries: list[Entry], window: tuple[datetime, datetime]) -> list[datetime]:
    """The window's start and each opening or closing in it, in order: in between, every line
    stays open or closed, so the cards stay the same."""
    start, end = window
    found = {start}
    for entry in entries:
        if entry.hours is not None:
            found.update(entry.hours.changes(start, end))
    return sorted(found)


def _first_run(failing: list[bool], cyclic: bool) -> tuple[int, int | None] | None:
    """Where the first gap starts and where it ends (an index past the last one when it runs
    into the next week); the end is None when nothing later passes."""
    count = len(failing)
    if all(failing):
        return 0, None
    before = [failing[i - 1] if i or cyclic else False for i in range(count)]
    first = next((i for i in range(count) if failing[i] and not before[i]), None)
    if first is None:
        return None
    later = range(first + 1, first + count if cyclic else count)
    return first, next((j for j in later if not failing[j % count]), None)


def _failing(directory: Directory, screen: Screen, moment: datetime) -> tuple[Card, ...] | None:
    """The cards shown at `moment` when none of them is a usable line, else None."""
    cards = resolve_cards(directory, screen.keys, screen.region, moment)
    language = REGION_LANGUAGE.get(screen.region)
    lines = [card for card in cards if not card.entry.emergency]
    if not lines and not (screen.alarm and language):
        return None  # only emergency numbers: a choice the flow made (ELDERS, 'praten_elders')
    if any(_usable(card, language) for card in lines):
        return None
    return tuple(cards)


def _usable(card: Card, language: str | None) -> bool:
    """Open now by its known hours, and speaking the region's language (if it has one)."""
    is_open = card.status is not None and card.status.is_open
    return is_open and (language is None or language in card.entry.languages)


# ---- words -----------------------------------------------------------------------------------


def describe(screen: Screen, gap: Gap) -> str:
    """One sentence: which step, region and time, what is shown then, and what to do."""
    language = REGION_LANGUAGE.get(screen.region)
    kind = f"{_language_names((language,))} line" if language else "line"
    numbers = list(dict.fromkeys(c.entry.phone for c in gap.cards if c.entry.emergency))
    besides = f" besides {' and '.join(n for n in numbers if n)}" if any(numbers) else ""
    then = "" if gap.end is None else " then"
    return (
        f"step '{screen.step}' shows no {kind} open in {screen.region}{besides} "
        f"{_when(gap, _zone(screen.region))} ({_why(gap.cards, language)}); "
        f"add a {kind} that is open{then}, or correct the hours in referrals.yaml"
    )


def _when(gap: Gap, zone: ZoneInfo) -> str:
    if gap.end is None:
        return "at any time of the week"
    start, end = gap.start.astimezone(zone), gap.end.astimezone(zone)
    if gap.holiday is not None:
        day = format_date(gap.holiday, format="EEEE d MMMM y", locale=ENGLISH)
        until = "24:00" if end.date() > gap.holiday else f"{end:%H:%M}"
        return f"on {day}, a listed holiday, from {start:%H:%M} to {until}"
    return f"from {_weekday(start)} {start:%H:%M} to {_weekday(end)} {end:%H:%M}"


def _weekday(moment: datetime) -> str:
    return DAY_NAMES[moment.weekday()].capitalize()


def _why(cards: tuple[Card, ...], language: str | None) -> str:
    lines = [card for card in cards if not card.entry.emergency]
    if not lines:
        return "it shows no other line there"
    return "; ".join(_why_not(card, language) for card in lines)


def _why_not(card: Card, language: str | None) -> str:
    name = card.entry.name
    if card.status is None:
        return f"{name} has no opening hours in referrals.yaml"
    if not card.status.is_open:
        return f"{name} is closed then"
    return f"{name} is open but speaks {_language_names(card.entry.languages)}"


def _language_names(codes: tuple[str | None, ...]) -> str:
    """'French', 'Dutch and English': language codes in words a volunteer reads."""
    return " and ".join(ENGLISH.languages.get(code, code) for code in codes if code)
