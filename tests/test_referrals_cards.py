"""What a step shows: verified backups, open-now alternatives, and the card's plain text."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.referrals import (
    default_path,
    load_directory,
    parse_directory,
    render_card_text,
    resolve_cards,
)
from bot.referrals.cards import ALTERNATIVE, ASKED, OPEN_NOW, card_text
from tests.auxil.directory import BASE, replace_line

BRUSSELS = ZoneInfo("Europe/Brussels")
MONDAY_MORNING = datetime(2026, 11, 23, 10, 0, tzinfo=BRUSSELS)
FRIDAY_EVENING = datetime(2026, 11, 27, 19, 0, tzinfo=BRUSSELS)
TUESDAY_EVENING = datetime(2026, 11, 24, 19, 0, tzinfo=BRUSSELS)


@pytest.fixture
def directory():
    return parse_directory(BASE, "referrals.yaml")


def keys(cards):
    return [(c.entry.key, c.reason) for c in cards]


def test_keys_are_shown_in_the_order_given(directory):
    cards = resolve_cards(directory, ["tele", "vt"], None, MONDAY_MORNING)
    assert keys(cards) == [("tele", ASKED), ("vt", ASKED)]


def test_unverified_entry_brings_its_verified_alternative_right_after(directory):
    cards = resolve_cards(directory, ["lijn", "tele"], "NL", MONDAY_MORNING)
    assert keys(cards) == [("lijn", ASKED), ("vt", ALTERNATIVE), ("tele", ASKED)]
    assert cards[0].fallback.key == "vt"
    assert cards[1].because_of.key == "lijn"


def test_alternative_already_shown_is_not_repeated(directory):
    before = resolve_cards(directory, ["vt", "lijn"], "NL", MONDAY_MORNING)
    assert keys(before) == [("vt", ASKED), ("lijn", ASKED)]
    after = resolve_cards(directory, ["lijn", "vt"], "NL", MONDAY_MORNING)
    assert keys(after) == [("lijn", ASKED), ("vt", ALTERNATIVE)]


def test_closed_entry_brings_the_line_that_is_open_now(directory):
    evening = resolve_cards(directory, ["vlg"], "BE-VLG", FRIDAY_EVENING)
    assert keys(evening) == [("vlg", ASKED), ("tele", OPEN_NOW)]
    assert evening[1].because_of.key == "vlg"
    morning = resolve_cards(directory, ["vlg"], "BE-VLG", MONDAY_MORNING)
    assert keys(morning) == [("vlg", ASKED)]


def test_open_now_alternative_must_serve_the_region(directory):
    cards = resolve_cards(directory, ["vlg"], "NL", FRIDAY_EVENING)
    assert keys(cards) == [("vlg", ASKED)]


def test_inactive_and_unknown_keys_are_skipped_and_logged_by_key_only(caplog):
    text = replace_line(BASE, 45, "  status: inactive")
    text = replace_line(text, 32, "  # no when_closed")
    directory = parse_directory(text, "referrals.yaml")
    with caplog.at_level(logging.WARNING, logger="bot.referrals.cards"):
        cards = resolve_cards(directory, ["tele", "nope", "vt"], None, MONDAY_MORNING)
    assert keys(cards) == [("vt", ASKED)]
    logged = [r.getMessage() for r in caplog.records]
    assert logged == [
        "referral tele is inactive; not shown",
        "referral nope is not in the directory; not shown",
    ]


def test_card_text_open_until_and_flags(directory):
    (card,) = resolve_cards(directory, ["tele"], None, MONDAY_MORNING)
    text = render_card_text(card)
    assert text.splitlines() == [
        "Tele-Onthaal",
        "Bel 106",
        "24/7 bereikbaar",
        "Gratis · anoniem",
        "Volgens een bericht op tele-onthaal.be, nagekeken op 1 november 2026",
    ]
    (open_card,) = resolve_cards(directory, ["vlg"], None, MONDAY_MORNING)
    assert "Nu open — tot 17:00" in render_card_text(open_card).splitlines()


def test_card_text_closed_names_the_day_it_opens(directory):
    friday = resolve_cards(directory, ["vlg"], None, FRIDAY_EVENING)
    lines = render_card_text(friday[0]).splitlines()
    assert "Nu gesloten — opent maandag om 09:00" in lines
    tuesday = resolve_cards(directory, ["vlg"], None, TUESDAY_EVENING)
    assert "Nu gesloten — opent morgen om 09:00" in render_card_text(tuesday[0]).splitlines()
    instead = render_card_text(friday[1]).splitlines()
    assert instead[:3] == ["Tele-Onthaal", "Nu open, in plaats van 1712", "Bel 106"]


def test_unverified_card_says_whom_to_call_instead(directory):
    cards = resolve_cards(directory, ["lijn"], "NL", MONDAY_MORNING)
    text = render_card_text(cards[0])
    assert (
        "Dit nummer konden we nog niet bevestigen — bel bij twijfel 0800-2000 (Veilig Thuis)"
        in text.splitlines()
    )
    assert "bevestigen" not in render_card_text(cards[1])


def test_card_text_is_plain_and_links_are_separate():
    text = replace_line(
        BASE, 6, '  source: "https://veiligthuis.nl"\n  website: "https://veiligthuis.nl"'
    )
    directory = parse_directory(text, "referrals.yaml")
    (card,) = resolve_cards(directory, ["vt"], None, MONDAY_MORNING)
    parts = card_text(card)
    assert parts.title == "Veilig Thuis"
    assert parts.links == (("Website", "https://veiligthuis.nl"),)
    rendered = render_card_text(card)
    assert rendered.endswith("Website: https://veiligthuis.nl")
    assert "<" not in rendered and "*" not in rendered


def test_strings_go_through_the_given_gettext_and_locale(directory):
    english = {
        "Bel {phone}": "Call {phone}",
        "Nu gesloten — opent {day} om {time}": "Closed now — opens {day} at {time}",
        "Volgens de website van {site}, nagekeken op {date}": (
            "According to the website of {site}, checked on {date}"
        ),
    }
    (card, _) = resolve_cards(directory, ["vlg"], None, FRIDAY_EVENING)
    text = render_card_text(card, locale="en", gettext=lambda s: english.get(s, s))
    assert "Call 1712" in text
    assert "Closed now — opens Monday at 9:00\u202fAM" in text
    assert "According to the website of 1712.be, checked on November 1, 2026" in text


# ---- how it was checked: the last line says how, and how old the source is ------------------


def checked_line(*fields: str) -> str:
    """The check line of Tele-Onthaal's card after replacing its source and check fields."""
    text = BASE.replace('  source: "https://www.tele-onthaal.be"\n', "").replace(
        "  checked_how: news\n", "".join(f"  {field}\n" for field in fields)
    )
    (card,) = resolve_cards(parse_directory(text, "referrals.yaml"), ["tele"], None, MONDAY_MORNING)
    return render_card_text(card).splitlines()[4]


@pytest.mark.parametrize(
    ("fields", "line"),
    [
        (
            ('source: "called 106 and asked"', "checked_how: phoned"),
            "Gebeld door een coördinator op 1 november 2026",
        ),
        (
            ('source: "https://www.tele-onthaal.be/over-ons"', "checked_how: website"),
            "Volgens de website van tele-onthaal.be, nagekeken op 1 november 2026",
        ),
        (
            ('source: "https://www.vrt.be/nieuws"', "checked_how: news"),
            "Volgens een bericht op vrt.be, nagekeken op 1 november 2026",
        ),
        (
            ('source: "Jaarverslag Tele-Onthaal 2024"', "checked_how: document"),
            "Volgens een document (Jaarverslag Tele-Onthaal 2024), nagekeken op 1 november 2026",
        ),
    ],
)
def test_the_card_says_how_the_entry_was_checked(fields, line):
    assert checked_line(*fields) == line


@pytest.mark.parametrize(
    ("fields", "line"),
    [
        (
            ('source: "Vlaams Parlement, antwoord (2017)"', "source_date: 2017"),
            "Volgens een document uit 2017 (Vlaams Parlement, antwoord (2017)), nagekeken op "
            "1 november 2026",
        ),
        (
            ('source: "https://www.vrt.be/nieuws"', "source_date: 2019-12-20"),
            "Volgens een bericht uit 2019 op vrt.be, nagekeken op 1 november 2026",
        ),
        (
            ('source: "https://www.arosa-zhz.nl/nieuws"', 'source_date: "before 2020"'),
            "Volgens een bericht van vóór 2020 op arosa-zhz.nl, nagekeken op 1 november 2026",
        ),
        (
            ('source: "https://www.vrt.be/nieuws"', "source_date: 2020"),
            "Volgens een bericht op vrt.be, nagekeken op 1 november 2026",
        ),
    ],
)
def test_a_source_from_before_2020_says_how_old_it_is(fields, line):
    method = "checked_how: document" if "Parlement" in fields[0] else "checked_how: news"
    assert checked_line(*fields, method) == line


def test_an_old_page_of_the_organisation_itself_says_so_too():
    fields = ('source: "https://www.arosa-zhz.nl/nieuws"', "checked_how: website")
    assert checked_line(*fields, 'source_date: "before 2020"') == (
        "Volgens een pagina van vóór 2020 op de website van arosa-zhz.nl, nagekeken op "
        "1 november 2026"
    )
    assert checked_line(*fields, "source_date: 2015") == (
        "Volgens een pagina uit 2015 op de website van arosa-zhz.nl, nagekeken op 1 november 2026"
    )


# ---- his language first ------------------------------------------------------------------------

BRUSSELS_LINES = """\
sos:
  name: "112"
  phone: "112"
  hours: "24/7"
  regions: [BE-WAL-BRU]
  emergency: true
  languages: [nl, fr, de, en]
  source: "https://example.org"
  last_verified: 2026-11-01
  checked_how: website
  checked_by: coordinator
  status: verified
lijn:
  name: "1712"
  phone: "1712"
  hours: "mon-fri 09:00-17:00"
  regions: [BE-WAL-BRU]
  languages: [nl]
  source: "https://example.org"
  last_verified: 2026-11-01
  checked_how: website
  checked_by: coordinator
  status: verified
  when_closed: nacht
nacht:
  name: "Tele-Onthaal"
  phone: "106"
  hours: "24/7"
  regions: [BE-WAL-BRU]
  languages: [nl]
  source: "https://example.org"
  last_verified: 2026-11-01
  checked_how: website
  checked_by: coordinator
  status: verified
ecoute:
  name: "Écoute Violences Conjugales"
  phone: "0800 30 030"
  hours: "24/7"
  regions: [BE-WAL-BRU]
  languages: [fr]
  source: "https://example.org"
  last_verified: 2026-11-01
  checked_how: website
  checked_by: coordinator
  status: verified
"""


def test_in_french_the_french_lines_come_first_each_with_what_it_brought_along():
    """The bot speaks nl and en today, so the renderer keeps the flow's order; this is the
    rule it follows once it speaks French (docs/referrals.md)."""
    found = parse_directory(BRUSSELS_LINES, "referrals.yaml")
    keys_ = ["sos", "lijn", "ecoute"]
    flow_order = [("sos", ASKED), ("lijn", ASKED), ("nacht", OPEN_NOW), ("ecoute", ASKED)]
    assert keys(resolve_cards(found, keys_, "BE-WAL-BRU", FRIDAY_EVENING)) == flow_order
    assert keys(resolve_cards(found, keys_, "BE-WAL-BRU", FRIDAY_EVENING, "nl")) == flow_order
    in_french = resolve_cards(found, keys_, "BE-WAL-BRU", FRIDAY_EVENING, "fr_BE")
    assert keys(in_french) == [
        ("sos", ASKED),
        ("ecoute", ASKED),
        ("lijn", ASKED),
        ("nacht", OPEN_NOW),
    ]


# ---- the shipped directory: 1712 on working days and public holidays ------------------------


def test_shipped_1712_is_open_until_six_on_a_working_day():
    directory = load_directory(default_path())
    afternoon = datetime(2026, 12, 1, 16, 30, tzinfo=BRUSSELS)  # a Tuesday
    (card,) = resolve_cards(directory, ["lijn_1712"], "BE-VLG", afternoon)
    assert "Nu open — tot 18:00" in render_card_text(card).splitlines()
    # in its last hour the card says how long is left (a plural, tests/test_formatting.py)
    evening = afternoon.replace(hour=17, minute=30)
    (card,) = resolve_cards(directory, ["lijn_1712"], "BE-VLG", evening)
    assert "Nu open — sluit over 30 minuten" in render_card_text(card).splitlines()


@pytest.mark.parametrize(
    ("day", "opens"),
    [
        (datetime(2026, 12, 25, 10, 0, tzinfo=BRUSSELS), "maandag"),  # Christmas, a Friday
        (datetime(2027, 5, 6, 10, 0, tzinfo=BRUSSELS), "morgen"),  # Ascension, a Thursday
    ],
)
def test_shipped_1712_is_closed_on_a_public_holiday_and_tele_onthaal_is_offered(day, opens):
    directory = load_directory(default_path())
    cards = resolve_cards(directory, ["lijn_1712"], "BE-VLG", day)
    assert keys(cards) == [("lijn_1712", ASKED), ("tele_onthaal", OPEN_NOW)]
    lines = render_card_text(cards[0]).splitlines()
    assert f"Nu gesloten — opent {opens} om 09:00" in lines
    assert not any(line.startswith("Nu open") for line in lines)


def test_shipped_veilig_thuis_chat_offers_the_phone_at_night():
    directory = load_directory(default_path())
    night = datetime(2026, 12, 1, 22, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    cards = resolve_cards(directory, ["veilig_thuis_chat"], "NL", night)
    assert keys(cards) == [("veilig_thuis_chat", ASKED), ("veilig_thuis", OPEN_NOW)]
    assert "Nu gesloten — opent morgen om 09:00" in render_card_text(cards[0]).splitlines()
    assert render_card_text(cards[0]).endswith("Chat: https://veiligthuis.nl")
