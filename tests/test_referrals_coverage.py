"""The danger rule on small directories: a screen that answers danger must offer a line that is
open, in the region's language, at every moment of the week and on every listed holiday.

Messages are pinned whole: they are what a volunteer reads in `firstcontact flows check`."""

from __future__ import annotations

from bot.referrals import parse_directory
from bot.referrals.coverage import Screen, gap_message
from bot.referrals.model import Directory

# Facts here are test data, not the real directory.
EMERGENCY = """\
sos:
  name: "112"
  phone: "112"
  hours: "24/7"
  regions: [NL, BE-VLG, BE-WAL-BRU, ELDERS]
  emergency: true
  languages: [nl, fr, en]
  source: "https://example.org"
  last_verified: 2026-11-01
  checked_how: website
  checked_by: coordinator
  status: verified
"""
ADVICE_NL = "add a Dutch line that is open then, or correct the hours in referrals.yaml"


def line(key, name, hours=None, *more, languages="[nl]", regions="[NL]", status="verified"):
    """One entry as YAML; `more` adds field lines such as 'when_closed: nacht'."""
    fields = [
        f'name: "{name}"',
        'website: "https://example.org"',
        f"regions: {regions}",
        'source: "https://example.org"',
        "last_verified: 2026-11-01",
        "checked_how: website",
        "checked_by: coordinator",
        f"status: {status}",
        *([f"hours: {hours}"] if hours else []),
        f"languages: {languages}",
        *more,
    ]
    return f"{key}:\n" + "".join(f"  {field}\n" for field in fields)


def directory(*entries: str) -> Directory:
    return parse_directory(EMERGENCY + "".join(entries), "referrals.yaml")


def danger(region: str, *keys: str, alarm: bool = True) -> Screen:
    return Screen("gevaar", region, ("sos", *keys), alarm)


def test_a_line_closed_at_night_fails_from_its_closing_time():
    found = directory(line("lijn", "Lijn", '"mon-fri 09:00-17:00"'))
    assert gap_message(found, danger("NL", "lijn")) == (
        "step 'gevaar' shows no Dutch line open in NL besides 112 from Monday 17:00 to "
        f"Tuesday 09:00 (Lijn is closed then); {ADVICE_NL}"
    )


def test_a_gap_over_the_weekend_ends_on_the_next_monday():
    found = directory(line("lijn", "Lijn", '"mon-fri 00:00-24:00"'))
    assert gap_message(found, danger("NL", "lijn")) == (
        "step 'gevaar' shows no Dutch line open in NL besides 112 from Saturday 00:00 to "
        f"Monday 00:00 (Lijn is closed then); {ADVICE_NL}"
    )


def test_an_open_when_closed_line_passes():
    found = directory(
        line("lijn", "Lijn", '"mon-fri 09:00-17:00"', "when_closed: nacht"),
        line("nacht", "Nachtlijn", '"24/7"'),
    )
    assert gap_message(found, danger("NL", "lijn")) is None


def test_a_line_open_only_in_another_language_fails():
    found = directory(line("ligne", "Ligne", '"24/7"', languages="[fr]"))
    assert gap_message(found, danger("NL", "ligne")) == (
        "step 'gevaar' shows no Dutch line open in NL besides 112 at any time of the week "
        "(Ligne is open but speaks French); add a Dutch line that is open, or correct the hours "
        "in referrals.yaml"
    )


def test_a_when_closed_line_in_another_language_does_not_count():
    found = directory(
        line("lijn", "Lijn", '"mon-fri 09:00-17:00"', "when_closed: nuit"),
        line("nuit", "Ligne de nuit", '"24/7"', languages="[fr, en]"),
    )
    assert gap_message(found, danger("NL", "lijn")) == (
        "step 'gevaar' shows no Dutch line open in NL besides 112 from Monday 17:00 to "
        "Tuesday 09:00 (Lijn is closed then; Ligne de nuit is open but speaks French and "
        f"English); {ADVICE_NL}"
    )


def test_the_verified_alternative_of_an_unverified_line_counts():
    unsure = line("onzeker", "Onzeker", None, "alternative: vt", status="unverified")
    always = directory(unsure, line("vt", "Veilig", '"24/7"'))
    assert gap_message(always, danger("NL", "onzeker")) is None
    weekdays = directory(unsure, line("vt", "Veilig", '"mon-fri 09:00-17:00"'))
    assert gap_message(weekdays, danger("NL", "onzeker")) == (
        "step 'gevaar' shows no Dutch line open in NL besides 112 from Monday 17:00 to Tuesday "
        "09:00 (Onzeker has no opening hours in referrals.yaml; Veilig is closed then); "
        f"{ADVICE_NL}"
    )


def test_a_listed_holiday_is_checked_on_its_own_date():
    christmas = ('"mon-sun 00:00-24:00"', "holidays: [2026-12-25]")
    found = directory(line("lijn", "Lijn", *christmas))
    assert gap_message(found, danger("NL", "lijn")) == (
        "step 'gevaar' shows no Dutch line open in NL besides 112 on Friday 25 December 2026, "
        f"a listed holiday, from 00:00 to 24:00 (Lijn is closed then); {ADVICE_NL}"
    )
    covered = directory(
        line("lijn", "Lijn", *christmas, "when_closed: vt"),
        line("vt", "Veilig", '"24/7"'),
    )
    assert gap_message(covered, danger("NL", "lijn")) is None


def test_a_holiday_does_not_make_its_weekday_look_closed_every_week():
    """The week stepped through has no listed holiday; the holiday gets a turn of its own. The
    night line is closed by day, so it is not shown then (as in the bot)."""
    found = directory(
        line(
            "lijn", "Lijn", '"mon-sun 08:00-20:00"', "holidays: [2026-01-06]", "when_closed: nacht"
        ),
        line("nacht", "Nachtlijn", '"mon-sun 20:00-08:00"'),
    )
    assert gap_message(found, danger("NL", "lijn")) == (
        "step 'gevaar' shows no Dutch line open in NL besides 112 on Tuesday 6 January 2026, "
        f"a listed holiday, from 08:00 to 20:00 (Lijn is closed then); {ADVICE_NL}"
    )


def test_hours_are_stepped_in_each_lines_own_timezone():
    """08:00 in London is 09:00 in Amsterdam: an hour with neither line open."""
    found = directory(
        line("vroeg", "Vroeg", '"mon-sun 00:00-08:00"'),
        line("laat", "Laat", '"mon-sun 08:00-24:00"', "timezone: Europe/London"),
    )
    assert gap_message(found, danger("NL", "vroeg", "laat")) == (
        "step 'gevaar' shows no Dutch line open in NL besides 112 from Monday 08:00 to Monday "
        f"09:00 (Vroeg is closed then; Laat is closed then); {ADVICE_NL}"
    )


def test_brussels_and_wallonia_need_a_french_line():
    ecoute = line(
        "ecoute", "Écoute", '"mon-fri 09:00-19:00"', languages="[fr]", regions="[BE-WAL-BRU]"
    )
    tele = line("tele", "Tele-Onthaal", '"24/7"', regions="[BE-VLG, BE-WAL-BRU]")
    found = directory(ecoute, tele)
    assert gap_message(found, danger("BE-WAL-BRU", "ecoute", "tele")) == (
        "step 'gevaar' shows no French line open in BE-WAL-BRU besides 112 from Monday 19:00 "
        "to Tuesday 09:00 (Écoute is closed then; Tele-Onthaal is open but speaks Dutch); "
        "add a French line that is open then, or correct the hours in referrals.yaml"
    )
    assert gap_message(found, danger("BE-VLG", "tele")) is None


def test_elsewhere_any_language_will_do_but_a_line_shown_must_be_open():
    def elsewhere(hours):
        return line(
            "abroad", "Abroad", hours, "timezone: UTC", languages="[en]", regions="[ELDERS]"
        )

    assert gap_message(directory(elsewhere('"24/7"')), danger("ELDERS", "abroad")) is None
    weekdays = directory(elsewhere('"mon-fri 09:00-17:00"'))
    assert gap_message(weekdays, danger("ELDERS", "abroad")) == (
        "step 'gevaar' shows no line open in ELDERS besides 112 from Monday 18:00 to Tuesday "
        "10:00 (Abroad is closed then); add a line that is open then, or correct the hours in "
        "referrals.yaml"
    )


def test_only_the_emergency_number_is_enough_only_where_the_flow_chose_it():
    found = directory()
    assert gap_message(found, danger("NL")) == (
        "step 'gevaar' shows no Dutch line open in NL besides 112 at any time of the week (it "
        "shows no other line there); add a Dutch line that is open, or correct the hours in "
        "referrals.yaml"
    )
    assert gap_message(found, danger("ELDERS")) is None  # no language to ask for
    assert gap_message(found, Screen("praten_elders", "NL", ("sos",), alarm=False)) is None


def test_a_line_without_hours_is_not_counted():
    """Unknown is not open. (A line without languages cannot be loaded at all.)"""
    found = directory(line("lijn", "Lijn"))
    assert gap_message(found, danger("NL", "lijn")) == (
        "step 'gevaar' shows no Dutch line open in NL besides 112 at any time of the week "
        "(Lijn has no opening hours in referrals.yaml); add a Dutch line that is open, or "
        "correct the hours in referrals.yaml"
    )
