"""Checks for single field values, each answering with a sentence a coordinator can act on."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from babel import Locale, UnknownLocaleError
from phonenumbers import PhoneNumberType, shortnumberinfo
from phonenumbers.shortnumberinfo import ShortNumberCost

from bot.problems import suggest
from bot.referrals.model import (
    CHECK_EVERY_DAYS,
    CHECK_EVERY_FEWEST,
    CHECK_EVERY_MOST,
    CHECK_METHODS,
    SourceDate,
)
from bot.regions import REGIONS

COUNTRY_NAMES = {"NL": "the Netherlands", "BE": "Belgium"}
KNOWN_TIMEZONES = ("Europe/Amsterdam", "Europe/Brussels")
PHONE_CHARS_RE = re.compile(r"^\+?[0-9][0-9 ()/.-]*$")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}$")
BEFORE_RE = re.compile(r"^(?:before|voor|vóór)\s+(\d{4})$", re.IGNORECASE)
YEAR_RE = re.compile(r"^\d{4}$")
CHECKED_BY_LONGEST = 60
METHOD_WORDS = (
    "phoned, website (the organisation's own page), document or news "
    "(a news item or another site's page)"
)
COSTLY_TYPES = {PhoneNumberType.PREMIUM_RATE, PhoneNumberType.SHARED_COST}


def text_value(value: Any) -> str | None:
    """A non-empty piece of text, or None."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def phone_problem(phone: Any, countries: tuple[str, ...]) -> str | None:
    """Why `phone` cannot be dialled in every country of the entry, or None when it can."""
    if not isinstance(phone, str):
        return (
            f'write the phone number in quotes, like phone: "0{phone}" or phone: "{phone}" '
            "(without quotes a leading 0 gets lost)"
        )
    hint = ""
    text = phone.strip()
    if not PHONE_CHARS_RE.match(text):
        return f"phone '{text}' is not a phone number; write it as you would dial it{hint}"
    for country in countries:
        try:
            parsed = phonenumbers.parse(text, country)
        except phonenumbers.NumberParseException:
            return f"phone '{text}' is not a phone number; write it as you would dial it{hint}"
        if phonenumbers.is_valid_number_for_region(parsed, country):
            continue
        if shortnumberinfo.is_valid_short_number_for_region(parsed, country):
            continue
        return (
            f"phone '{text}' is not a valid number in {COUNTRY_NAMES[country]}; write it as "
            f"you would dial it there, e.g. 0800-2000 or 1712 (check for a missing digit){hint}"
        )
    return None


def canonical_phone(text: str, countries: tuple[str, ...]) -> str:
    """One spelling per number however it was typed, so lists, cards and searches agree.

    The national form of the first country: 0800-2000 in the Netherlands (its own convention,
    as Veilig Thuis writes it), 0800 99 533 in Belgium; a short number as bare digits (1712);
    a number that cannot be read is returned as typed, for validation to name.
    """
    typed = text.strip()
    if not countries or not PHONE_CHARS_RE.match(typed):
        return typed
    country = countries[0]
    try:
        parsed = phonenumbers.parse(typed, country)
    except phonenumbers.NumberParseException:
        return typed
    if shortnumberinfo.is_valid_short_number_for_region(parsed, country):
        return str(parsed.national_number)
    if not phonenumbers.is_valid_number_for_region(parsed, country):
        return typed
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    if country == "NL":
        prefix, _, rest = national.partition(" ")
        return f"{prefix}-{rest.replace(' ', '')}" if rest else prefix
    return national


def phone_costs_money(phone: str, countries: tuple[str, ...]) -> bool:
    """True when the numbering plan says a call costs more than a normal call (0900 and such)."""
    for country in countries:
        try:
            parsed = phonenumbers.parse(phone, country)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number_for_region(parsed, country):
            if phonenumbers.number_type(parsed) in COSTLY_TYPES:
                return True
        elif shortnumberinfo.is_valid_short_number_for_region(parsed, country):
            cost = shortnumberinfo.expected_cost_for_region(parsed, country)
            if cost in (ShortNumberCost.PREMIUM_RATE, ShortNumberCost.STANDARD_RATE):
                return True
    return False


def is_emergency_number(phone: str, countries: tuple[str, ...]) -> bool:
    """True when the number is an emergency number in one of the countries."""
    return any(shortnumberinfo.is_emergency_number(phone, c) for c in countries)


def url_problem(value: Any, field: str) -> str | None:
    """Why `value` is not a web address the bot can link to, or None."""
    text = text_value(value)
    if text is None:
        return f"{field} must be a web address, like https://www.example.nl"
    parsed = urlparse(text)
    if parsed.scheme not in ("http", "https"):
        return f"{field} '{text}' must start with https://"
    host = parsed.hostname or ""
    if "." not in host or any(ch.isspace() for ch in text):
        return f"{field} '{text}' is not a complete web address, like https://www.example.nl"
    return None


def plain_http(value: Any) -> bool:
    """An http:// address: what he opens can be read or changed by anyone on his network."""
    return isinstance(value, str) and value.strip().lower().startswith("http://")


def looks_like_url(text: str) -> bool:
    return "://" in text or text.lower().startswith("www.")


def date_value(value: Any) -> date | None:
    """A calendar date from YAML (2026-11-23, quoted or not), or None."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def bool_problem(value: Any, field: str) -> str | None:
    if isinstance(value, bool):
        return None
    return f"{field} must be true or false (not '{value}')"


def region_problem(code: Any) -> str | None:
    if isinstance(code, str) and code in REGIONS:
        return None
    hint = suggest(str(code).upper(), REGIONS) or f" (use one of {', '.join(REGIONS)})"
    return f"'{code}' is not a region code{hint}"


def language_problem(code: Any) -> str | None:
    text = str(code)
    if isinstance(code, str) and LANGUAGE_RE.match(text):
        try:
            Locale.parse(text)
            return None
        except (UnknownLocaleError, ValueError):
            pass
    return f"'{text}' is not a language code; use two letters like nl, fr or en"


def timezone_problem(value: Any) -> str | None:
    text = text_value(value)
    if text is not None:
        try:
            ZoneInfo(text)
            return None
        except (ZoneInfoNotFoundError, ValueError):
            pass
    hint = suggest(value, KNOWN_TIMEZONES) or f" (use {' or '.join(KNOWN_TIMEZONES)})"
    return f"timezone '{value}' is not a time zone{hint}"


def method_problem(value: Any) -> str | None:
    """Why `value` is not one of the ways an entry can have been checked, or None."""
    if value in CHECK_METHODS:
        return None
    hint = suggest(value, CHECK_METHODS) or f"; use {METHOD_WORDS}"
    return f"checked_how '{value}' is not known{hint}"


def checked_by_problem(value: Any) -> str | None:
    """Why `value` is not a coordinator's name or role: the public file names no one else."""
    text = text_value(value)
    plain = text is not None and len(text) <= CHECKED_BY_LONGEST
    if plain and not any(ch.isdigit() for ch in text) and "@" not in text and "/" not in text:
        return None
    return (
        f"checked_by '{value}' must be a name or a role, like coordinator, in at most "
        f"{CHECKED_BY_LONGEST} characters: no e-mail address, phone number or web address"
    )


def check_every_problem(value: Any) -> str | None:
    """Why `value` is not a number of days between two checks a coordinator can keep, or None."""
    if isinstance(value, bool) or not isinstance(value, int):
        shown = str(value).lower() if isinstance(value, bool) else value
        return (
            f"check_every_days must be a whole number of days, like 90 (not '{shown}'); "
            f"leave it out for every {CHECK_EVERY_DAYS} days"
        )
    if value < CHECK_EVERY_FEWEST:
        return (
            f"check_every_days is {value}; the shortest is {CHECK_EVERY_FEWEST} (a check every "
            "week): nobody keeps up a shorter one, and the entry would be overdue most days"
        )
    if value > CHECK_EVERY_MOST:
        return (
            f"check_every_days is {value}; the longest is {CHECK_EVERY_MOST} (a check every "
            "year): an older check is no check of a line a man may call in danger"
        )
    return None


def source_date_value(value: Any) -> SourceDate | None:
    """2017, 2017-03-08 or "before 2020" as a SourceDate, or None when it is none of those."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) or (isinstance(value, str) and YEAR_RE.match(value.strip())):
        return SourceDate(int(value))
    day = date_value(value)
    if day is not None:
        return SourceDate(day.year, day=day)
    found = BEFORE_RE.match(value.strip()) if isinstance(value, str) else None
    return SourceDate(int(found.group(1)), before=True) if found else None
