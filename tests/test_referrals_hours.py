"""Opening hours: open or closed at chosen moments, the next change, and summer/winter time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.referrals.hours import describe_hours, parse_hours

BRUSSELS = ZoneInfo("Europe/Brussels")
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def hours(value, zone="Europe/Brussels", holidays=frozenset()):
    parsed, problems = parse_hours(value, zone, holidays)
    assert problems == [], problems
    return parsed


WEEKDAYS = {"mon-fri": "09:00-17:00"}


def test_weekday_morning_is_open_until_five():
    now = datetime(2026, 11, 23, 10, 15, tzinfo=BRUSSELS)  # a Monday
    status = hours(WEEKDAYS).status(now)
    assert status.is_open and not status.always
    assert status.closes_at == datetime(2026, 11, 23, 17, 0, tzinfo=BRUSSELS)
    assert status.opens_at is None


def test_early_morning_opens_the_same_day():
    status = hours(WEEKDAYS).status(datetime(2026, 11, 24, 7, 59, tzinfo=BRUSSELS))
    assert not status.is_open
    assert status.opens_at == datetime(2026, 11, 24, 9, 0, tzinfo=BRUSSELS)


def test_friday_evening_opens_on_monday():
    status = hours(WEEKDAYS).status(datetime(2026, 11, 27, 18, 30, tzinfo=BRUSSELS))
    assert not status.is_open
    assert status.opens_at == datetime(2026, 11, 30, 9, 0, tzinfo=BRUSSELS)
    assert status.opens_at.weekday() == 0


def test_closing_time_itself_counts_as_closed():
    status = hours(WEEKDAYS).status(datetime(2026, 11, 27, 17, 0, tzinfo=BRUSSELS))
    assert not status.is_open
    assert status.opens_at.date() == date(2026, 11, 30)


def test_round_the_clock_is_always_open():
    for value in ("24/7", {"mon-sun": "00:00-24:00"}):
        status = hours(value).status(datetime(2026, 12, 25, 3, 0, tzinfo=BRUSSELS))
        assert status.is_open and status.always
        assert status.closes_at is None and status.opens_at is None


def test_a_moment_in_another_zone_is_converted():
    """07:30 UTC is 08:30 in Brussels in winter (closed) but 09:30 in summer (open)."""
    winter = hours(WEEKDAYS).status(datetime(2026, 3, 27, 7, 30, tzinfo=UTC))
    summer = hours(WEEKDAYS).status(datetime(2026, 3, 30, 7, 30, tzinfo=UTC))
    assert not winter.is_open
    assert summer.is_open
    assert summer.closes_at == datetime(2026, 3, 30, 15, 0, tzinfo=UTC)


def test_overnight_line_across_the_spring_clock_change():
    """Saturday 22:00 to Sunday 06:00 over 29 March 2026: from 23:00 only six real hours left."""
    night = hours({"sat": "22:00-06:00"})
    now = datetime(2026, 3, 28, 23, 0, tzinfo=BRUSSELS)
    status = night.status(now)
    assert status.is_open
    assert status.closes_at == datetime(2026, 3, 29, 6, 0, tzinfo=BRUSSELS)
    assert status.closes_at.utcoffset() == timedelta(hours=2)
    # same-zone subtraction is wall-clock time in Python; real time needs UTC
    assert status.closes_at.astimezone(UTC) - now.astimezone(UTC) == timedelta(hours=6)


def test_overnight_line_across_the_autumn_clock_change():
    night = hours({"sat": "22:00-06:00"})
    now = datetime(2026, 10, 24, 23, 0, tzinfo=BRUSSELS)
    status = night.status(now)
    assert status.closes_at.utcoffset() == timedelta(hours=1)
    assert status.closes_at.astimezone(UTC) - now.astimezone(UTC) == timedelta(hours=8)
    later = night.status(datetime(2026, 10, 25, 7, 0, tzinfo=BRUSSELS))
    assert not later.is_open
    assert later.opens_at == datetime(2026, 10, 31, 22, 0, tzinfo=BRUSSELS)


def test_closed_dates_are_skipped():
    christmas = frozenset({date(2026, 12, 25)})
    line = hours(WEEKDAYS, holidays=christmas)
    status = line.status(datetime(2026, 12, 24, 17, 30, tzinfo=BRUSSELS))
    assert status.opens_at == datetime(2026, 12, 28, 9, 0, tzinfo=BRUSSELS)
    assert not line.status(datetime(2026, 12, 25, 10, 0, tzinfo=BRUSSELS)).is_open


def test_split_days_and_several_ranges():
    line = hours({"mon-wed,fri": "09:00-12:00, 13:00-17:00", "sat": "10:00-14:00", "sun": "closed"})
    lunch = line.status(datetime(2026, 11, 23, 12, 30, tzinfo=BRUSSELS))
    assert not lunch.is_open
    assert lunch.opens_at == datetime(2026, 11, 23, 13, 0, tzinfo=BRUSSELS)
    thursday = line.status(datetime(2026, 11, 26, 10, 0, tzinfo=BRUSSELS))
    assert thursday.opens_at == datetime(2026, 11, 27, 9, 0, tzinfo=BRUSSELS)
    saturday = line.status(datetime(2026, 11, 28, 13, 0, tzinfo=BRUSSELS))
    assert saturday.is_open and saturday.closes_at.hour == 14


def test_adjoining_periods_merge_over_midnight():
    line = hours({"fri": "20:00-24:00", "sat": "00:00-02:00"})
    status = line.status(datetime(2026, 11, 27, 23, 0, tzinfo=AMSTERDAM))
    assert status.closes_at == datetime(2026, 11, 28, 2, 0, tzinfo=AMSTERDAM)


def test_dutch_day_names_and_the_one_line_form_mean_the_same():
    dutch = hours("ma-vr 09:00-17:00; za 10:00-12:00")
    english = hours({"mon-fri": "09:00-17:00", "sat": "10:00-12:00"})
    assert dutch == english
    assert describe_hours(dutch) == "mon-fri 09:00-17:00; sat 10:00-12:00"


def test_never_open_has_no_next_opening():
    status = hours({"mon-sun": "closed"}).status(datetime(2026, 11, 23, 10, 0, tzinfo=BRUSSELS))
    assert not status.is_open and status.opens_at is None


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ({"mon-fri": "9-17"}, "is not a time range"),
        ({"mon-fri": "09:00-09:00"}, "same time"),
        ({"mon-fri": "09:60-10:00"}, "does not exist"),
        ({"weekdays": "09:00-17:00"}, "is not a day"),
        ({"mon-fri": "09:00-17:00", "fri": "18:00-19:00"}, "friday is given twice"),
        ({"mon": "09:00-13:00, 12:00-14:00"}, "overlap"),
        ("mon-fri", "needs days and times"),
        (" ; ", "hours are empty"),
        (42, "hours must be written like"),
    ],
)
def test_bad_hours_are_explained(value, words):
    parsed, problems = parse_hours(value, "Europe/Brussels")
    assert parsed is None
    assert any(words in p.message for p in problems), problems


def test_a_moment_without_zone_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        hours(WEEKDAYS).status(datetime(2026, 11, 23, 10, 0))


def test_changes_are_the_openings_and_closings_in_a_window():
    start = datetime(2026, 11, 23, 0, 0, tzinfo=BRUSSELS)  # a Monday
    changes = hours(WEEKDAYS).changes(start, start + timedelta(days=2))
    assert [c.astimezone(BRUSSELS) for c in changes] == [
        datetime(2026, 11, 23, 9, 0, tzinfo=BRUSSELS),
        datetime(2026, 11, 23, 17, 0, tzinfo=BRUSSELS),
        datetime(2026, 11, 24, 9, 0, tzinfo=BRUSSELS),
        datetime(2026, 11, 24, 17, 0, tzinfo=BRUSSELS),
    ]


def test_changes_skip_midnight_joins_and_keep_closed_dates():
    nights = hours({"mon-sun": "20:00-08:00"}, holidays=frozenset({date(2026, 11, 25)}))
    start = datetime(2026, 11, 24, 0, 0, tzinfo=BRUSSELS)  # Tuesday
    changes = nights.changes(start, start + timedelta(days=3))
    assert [c.astimezone(BRUSSELS).strftime("%a %H:%M") for c in changes] == [
        "Tue 08:00",  # Monday night ends
        "Tue 20:00",
        "Wed 00:00",  # Wednesday is a closed date, its early hours too
        "Thu 00:00",
        "Thu 08:00",
        "Thu 20:00",
    ]
    assert hours("24/7").changes(start, start + timedelta(days=7)) == []
