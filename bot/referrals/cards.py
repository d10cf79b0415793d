"""What a step shows: the entries it names, each with a verified backup and an open-now option."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlparse

from babel.dates import format_date, format_time

from bot.referrals.hours import OpenStatus
from bot.referrals.model import DOCUMENT, NEWS, PHONED, WEBSITE, Directory, Entry

logger = logging.getLogger(__name__)

ASKED = "asked"  # the step named it
ALTERNATIVE = "alternative"  # verified backup for an unverified entry
OPEN_NOW = "open_now_instead"  # offered because the entry before it is closed now
MAX_WHEN_CLOSED_HOPS = 3


@dataclass(frozen=True, slots=True)
class Card:
    """One entry as shown now: its open status, why it is there, and its verified backup."""

    entry: Entry
    status: OpenStatus | None  # None when the directory has no hours for it
    reason: str = ASKED
    because_of: Entry | None = None  # the entry that made us add this one
    fallback: Entry | None = None  # for an unverified entry: the verified one to call instead
    at: datetime | None = None  # the moment `status` describes


def resolve_cards(
    directory: Directory,
    keys: Iterable[str],
    region: str | None,
    now: datetime,
    language: str | None = None,
) -> list[Card]:
    """Cards for a step's keys, in order; unverified ones get their backup right after them.

    The keys are the flow's choice for this region and are all shown (inactive ones and
    unknown keys are skipped and logged by key). `region` limits which `when_closed`
    entries may be offered as "open now instead". With the man's `language` (a locale such
    as "fr" or "fr_BE"), the lines that speak it come first (see `in_his_language_first`).
    """
    cards: list[Card] = []
    shown: set[str] = set()

    def add(entry: Entry, reason: str, because_of: Entry | None = None) -> None:
        shown.add(entry.key)
        status = entry.hours.status(now) if entry.hours else None
        fallback = _fallback(directory, entry)
        cards.append(Card(entry, status, reason, because_of, fallback, now))
        if fallback is not None and fallback.key not in shown:
            add(fallback, ALTERNATIVE, entry)
        if status is not None and not status.is_open:
            instead = _open_instead(directory, entry, region, now, shown)
            if instead is not None:
                add(instead, OPEN_NOW, entry)

    for key in keys:
        if key in shown:
            continue
        entry = directory.get(key)
        if entry is None:
            logger.warning("referral %s is not in the directory; not shown", key)
            continue
        if not entry.active:
            logger.warning("referral %s is inactive; not shown", key)
            continue
        add(entry, ASKED)
    return in_his_language_first(cards, language) if language else cards


def in_his_language_first(cards: list[Card], locale: str) -> list[Card]:
    """His language's lines first, each with the cards it brought, so he need not scroll past."""
    language = locale.replace("-", "_").split("_")[0].lower()
    groups: list[list[Card]] = []
    for card in cards:
        if card.reason == ASKED or not groups:
            groups.append([card])
        else:
            groups[-1].append(card)
    ordered = sorted(groups, key=lambda group: language not in group[0].entry.languages)
    return [card for group in ordered for card in group]


def _fallback(directory: Directory, entry: Entry) -> Entry | None:
    """The verified alternative an unverified entry must always be shown with."""
    if entry.verified or entry.alternative is None:
        return None
    target = directory.get(entry.alternative)
    if target is None or not target.verified:
        logger.warning("referral %s has no usable verified alternative", entry.key)
        return None
    return target


def _open_instead(
    directory: Directory, entry: Entry, region: str | None, now: datetime, shown: set[str]
) -> Entry | None:
    """Follow `when_closed` to the first active entry open now, for the region, not yet shown."""
    current = entry
    for _ in range(MAX_WHEN_CLOSED_HOPS):
        if current.when_closed is None:
            return None
        target = directory.get(current.when_closed)
        if target is None or not target.active:
            return None
        if target.key in shown:
            return None
        serves = region is None or target.serves_region(region)
        if serves and target.hours is not None and target.hours.status(now).is_open:
            return target
        current = target
    return None


# ---- text ------------------------------------------------------------------------------------


def _identity(message: str) -> str:
    return message


@dataclass(frozen=True, slots=True)
class CardText:
    """A card in words: title, short fact lines, and (label, URL) links a channel may turn into
    buttons. Plain text only; channels add their own markup."""

    key: str
    title: str
    lines: tuple[str, ...] = ()
    links: tuple[tuple[str, str], ...] = ()
    phone: str = ""  # as written in its "Bel ..." line, so a web page can make it a tel: link


# (Dutch singular, Dutch plural, n) -> the right form in the reader's language
NGettext = Callable[[str, str, int], str]
CLOSING_SOON = 3600  # seconds: a card says "closes in N minutes" from an hour before closing

# (entry key, Dutch name or serves text) -> that text in the reader's language
EntryText = Callable[[str, str], str]


def _entry_identity(key: str, text: str) -> str:
    return text


def card_text(
    card: Card,
    locale: str = "nl",
    gettext: Callable[[str], str] | None = None,
    entry_text: EntryText | None = None,
    ngettext: NGettext | None = None,
) -> CardText:
    """The card's parts, each Dutch string marked with `_` so the lead can translate them.

    `entry_text` translates the directory's own words (an entry's name and `serves` line); a
    coordinator's edit changes the Dutch text, so an old translation no longer matches and the
    Dutch is shown until a translator catches up, never a translation of the old facts.
    """
    _ = gettext or _identity
    tr = entry_text or _entry_identity
    entry = card.entry
    lines: list[str] = []
    if card.reason == OPEN_NOW and card.because_of is not None:
        other = card.because_of
        lines.append(_("Nu open, in plaats van {name}").format(name=tr(other.key, other.name)))
    if entry.phone:
        lines.append(_("Bel {phone}").format(phone=entry.phone))
    status_line = _status_line(card.status, locale, _, card.at, ngettext or _dutch_plural)
    if status_line:
        lines.append(status_line)
    flags = [_("gratis")] if entry.free else []
    if entry.anonymous:
        flags.append(_("anoniem"))
    if flags:
        lines.append(" · ".join(flags).capitalize())
    if entry.serves:
        lines.append(tr(entry.key, entry.serves))
    if not entry.verified and card.fallback is not None:
        lines.append(_unverified_line(entry, card.fallback, _, tr))
    checked = _checked_line(entry, locale, _)
    if checked:
        lines.append(checked)
    links: list[tuple[str, str]] = []
    if entry.website:
        links.append((_("Website"), entry.website))
    if entry.chat_url:
        links.append((_("Chat"), entry.chat_url))
    return CardText(
        entry.key, tr(entry.key, entry.name), tuple(lines), tuple(links), entry.phone or ""
    )


def render_card_text(
    card: Card,
    locale: str = "nl",
    gettext: Callable[[str], str] | None = None,
    entry_text: EntryText | None = None,
) -> str:
    """The card as short plain-text lines (no markup), for any channel to send as is."""
    parts = card_text(card, locale, gettext, entry_text)
    links = (f"{label}: {url}" for label, url in parts.links)
    return "\n".join((parts.title, *parts.lines, *links))


def _dutch_plural(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


def _status_line(
    status: OpenStatus | None,
    locale: str,
    _: Callable[[str], str],
    now: datetime | None,
    ngettext: NGettext = _dutch_plural,
) -> str:
    if status is None:
        return ""
    if status.always:
        return _("24/7 bereikbaar")
    if status.is_open:
        if status.closes_at is None:
            return _("Nu open")
        left = _minutes_left(status.closes_at, now)
        if left is not None:  # closing within the hour: say how long, he may want to call now
            return ngettext(
                "Nu open — sluit over {n} minuut", "Nu open — sluit over {n} minuten", left
            ).format(n=left)
        return _("Nu open — tot {time}").format(time=_clock(status.closes_at, locale))
    if status.opens_at is None:
        return _("Nu gesloten")
    when = _day_words(status.opens_at, now, locale, _)
    return _("Nu gesloten — opent {day} om {time}").format(
        day=when, time=_clock(status.opens_at, locale)
    )


def _minutes_left(closes_at: datetime, now: datetime | None) -> int | None:
    """Whole minutes until closing when that is within the hour (at least 1), else None."""
    if now is None:
        return None
    seconds = (closes_at - now).total_seconds()
    return max(1, int(seconds // 60)) if 0 < seconds <= CLOSING_SOON else None


def _clock(moment: datetime, locale: str) -> str:
    return format_time(moment, format="short", tzinfo=moment.tzinfo, locale=locale)


def _day_words(moment: datetime, now: datetime | None, locale: str, _: Callable[[str], str]) -> str:
    """'vandaag', 'morgen', a weekday name, or a weekday with date when further away."""
    if now is not None:
        today = now.astimezone(moment.tzinfo).date()
        days = (moment.date() - today).days
        if days == 0:
            return _("vandaag")
        if days == 1:
            return _("morgen")
        if 1 < days < 7:
            return format_date(moment.date(), format="EEEE", locale=locale)
    return format_date(moment.date(), format="EEEE d MMMM", locale=locale)


def _unverified_line(
    entry: Entry, fallback: Entry, _: Callable[[str], str], tr: EntryText = _entry_identity
) -> str:
    """Whole sentences (not glued pieces) so each can be translated as a unit."""
    if fallback.phone:
        if fallback.phone in fallback.name:  # "1712 — hulplijn ...": the number says it all
            if entry.phone:
                text = _("Dit nummer konden we nog niet bevestigen — bel bij twijfel {phone}")
            else:
                text = _("Deze gegevens konden we nog niet bevestigen — bel bij twijfel {phone}")
        elif entry.phone:
            text = _("Dit nummer konden we nog niet bevestigen — bel bij twijfel {phone} ({name})")
        else:
            text = _(
                "Deze gegevens konden we nog niet bevestigen — bel bij twijfel {phone} ({name})"
            )
        return text.format(phone=fallback.phone, name=tr(fallback.key, fallback.name))
    where = fallback.website or fallback.chat_url or tr(fallback.key, fallback.name)
    if entry.phone:
        text = _("Dit nummer konden we nog niet bevestigen — kijk bij twijfel op {where}")
    else:
        text = _("Deze gegevens konden we nog niet bevestigen — kijk bij twijfel op {where}")
    return text.format(where=where)


def _checked_line(entry: Entry, locale: str, _: Callable[[str], str]) -> str:
    """How the facts were checked, in words a man can weigh; an old source says how old."""
    if entry.last_verified is None:
        return ""
    day = format_date(entry.last_verified, format="long", locale=locale)
    if entry.checked_how == PHONED:
        return _("Gebeld door een coördinator op {date}").format(date=day)
    age = entry.source_date if entry.source_date and entry.source_date.old else None
    kind = "before" if age and age.before else "year" if age else "now"
    texts = _checked_texts(_).get(entry.checked_how)
    if texts is None:
        return ""
    year = age.year if age else ""
    return texts[kind].format(date=day, year=year, site=_short_source(entry.source))


def _checked_texts(_: Callable[[str], str]) -> dict[str, dict[str, str]]:
    """Whole sentences per way of checking and age of the source, so each is translated whole."""
    return {
        WEBSITE: {
            "now": _("Volgens de website van {site}, nagekeken op {date}"),
            "year": _(
                "Volgens een pagina uit {year} op de website van {site}, nagekeken op {date}"
            ),
            "before": _(
                "Volgens een pagina van vóór {year} op de website van {site}, nagekeken op {date}"
            ),
        },
        NEWS: {
            "now": _("Volgens een bericht op {site}, nagekeken op {date}"),
            "year": _("Volgens een bericht uit {year} op {site}, nagekeken op {date}"),
            "before": _("Volgens een bericht van vóór {year} op {site}, nagekeken op {date}"),
        },
        DOCUMENT: {
            "now": _("Volgens een document ({site}), nagekeken op {date}"),
            "year": _("Volgens een document uit {year} ({site}), nagekeken op {date}"),
            "before": _("Volgens een document van vóór {year} ({site}), nagekeken op {date}"),
        },
    }


def _short_source(source: str) -> str:
    """A web address shortened to its site name; a document name as written."""
    if "://" in source:
        host = urlparse(source).hostname or source
        return host.removeprefix("www.")
    return source
