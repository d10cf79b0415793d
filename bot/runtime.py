"""Everything a channel needs, loaded once at start-up: engine, catalogs, directory, renderer."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.definitions.bundle import DEFAULT_FLOWS_DIR, build_engine
from bot.definitions.checks import check_flows
from bot.definitions.handoffs import ReferralFacts
from bot.engine.engine import Engine
from bot.engine.model import Say, Step
from bot.i18n import DEFAULT_LOCALES_DIR, Catalogs, load_catalogs, referral_context
from bot.lru import BoundedLRU
from bot.problems import DataError, Problem
from bot.referrals.cards import EntryText, NGettext, card_text, resolve_cards
from bot.referrals.checks import check_directory
from bot.referrals.load import default_path, load_directory
from bot.referrals.model import Directory
from bot.referrals.watch import DirectoryWatcher
from bot.render import CardView, Message, Renderer

log = logging.getLogger(__name__)
# A weekday night in winter: many lines are closed, so cards are at their longest.
CARD_CACHE_SIZE = 1024  # (directory, keys, region, locale, minute) combinations kept
LONGEST_MOMENT = datetime(2026, 1, 5, 2, 0, tzinfo=ZoneInfo("Europe/Brussels"))


@dataclass
class Runtime:
    engine: Engine
    catalogs: Catalogs
    renderer: Renderer
    directory: Callable[[], Directory]

    def render(self, say: Say, now: datetime) -> Message:
        return self.renderer.render(say, now)


@dataclass(frozen=True, slots=True)
class DirectoryFacts(ReferralFacts):
    """ReferralFacts for the checks, keeping the directory to measure rendered cards."""

    directory: Directory | None = None


def facts_of(directory: Directory) -> DirectoryFacts:
    def status(key: str) -> str | None:
        """defunct and temporarily closed count as inactive: never shown, so never named."""
        entry = directory.get(key)
        if entry is None:
            return None
        return entry.status if entry.active else "inactive"

    def is_emergency(key: str) -> bool:
        entry = directory.get(key)
        return bool(entry and entry.emergency and entry.active)

    return DirectoryFacts(
        status=status,
        is_emergency=is_emergency,
        keys=lambda: list(directory.keys()),
        directory=directory,
    )


def directory_facts(
    path: Path | None, today: date | None = None
) -> tuple[DirectoryFacts | None, list[Problem]]:
    """The directory's facts for `flows check`, and its own problems (errors and warnings)."""
    path = path or default_path()
    try:
        directory = load_directory(path)
    except DataError as exc:
        return None, exc.problems
    return facts_of(directory), list(check_directory(directory, today or date.today()))


def card_views(
    directory: Directory,
    keys: Sequence[str],
    region: str | None,
    now: datetime,
    locale: str,
    gettext: Callable[[str], str] | None = None,
    entry_text: EntryText | None = None,
    ngettext: NGettext | None = None,
) -> list[CardView]:
    """The cards a step shows now, as title, fact lines and links, translated."""
    cards = resolve_cards(directory, keys, region, now)
    return [card_text(c, locale, gettext, entry_text, ngettext) for c in cards]


def message_length(facts: ReferralFacts | None) -> Callable[[Step, str | None], int] | None:
    """For the checks: how long a step gets with its cards, at the longest moment of the week."""
    directory = getattr(facts, "directory", None)
    if directory is None:
        return None

    def length(step: Step, region: str | None) -> int:
        keys = step.referral_keys(region)
        cards = card_views(directory, keys, region, LONGEST_MOMENT, "nl") if keys else []
        return len(Message(text=step.text, cards=tuple(cards)).plain())

    return length


def load_runtime(
    flows_dir: Path = DEFAULT_FLOWS_DIR,
    locales_dir: Path = DEFAULT_LOCALES_DIR,
    referrals_file: Path | None = None,
    referrals_source: Any = None,
) -> Runtime:
    """Load and check everything; raises bot.problems.DataError when the bot must not start.

    The directory is `referrals_source` (bot.referrals.source: the database for a deployment)
    or else the file; a database is watched by a thread of its own.
    """
    catalogs = load_catalogs(locales_dir)
    watcher = DirectoryWatcher(referrals_source or referrals_file or default_path())
    facts = facts_of(watcher.current())
    engine = build_engine(
        flows_dir,
        facts=facts,
        locales=catalogs.locales,
        render_length=message_length(facts),
        translate=catalogs.pgettext,
        unreviewed=catalogs.unreviewed,
    )
    flows = {flow_id: compiled.flow for flow_id, compiled in engine.flows.items()}

    def fits_the_flows(directory: Directory) -> list[Problem]:
        """A coordinator's edit must not break a hand-off: same checks as at start-up."""
        return check_flows(flows, engine.intents, facts_of(directory))

    watcher.accept = fits_the_flows
    if watcher.source.kind == "database":
        watcher.start_polling()

    cache: BoundedLRU[tuple, list[CardView]] = BoundedLRU(CARD_CACHE_SIZE)
    cached_for: list[Directory] = []  # the directory the cache was filled from

    def cards(
        keys: Sequence[str], region: str | None, now: datetime, locale: str
    ) -> list[CardView]:
        """Cards change only by the minute (opening hours) or when the directory reloads, so
        the same hand-off for many men is rendered once a minute, not per message."""
        directory = watcher.current()
        if not cached_for or cached_for[0] is not directory:
            cache.clear()  # a coordinator's edit shows from the next message on
            cached_for[:] = [directory]
        minute = now.replace(second=0, microsecond=0)

        def render() -> list[CardView]:
            def gettext(msgid: str) -> str:
                return catalogs.pgettext(locale, "referrals", msgid)

            def entry_text(entry_key: str, text: str) -> str:
                return catalogs.pgettext(locale, referral_context(entry_key), text)

            def ngettext(singular: str, plural: str, n: int) -> str:
                return catalogs.npgettext(locale, "referrals", singular, plural, n)

            return card_views(
                directory,
                keys,
                region,
                minute,
                catalogs.format_locale(locale),
                gettext,
                entry_text,
                ngettext,
            )

        return cache.entry((tuple(keys), region, locale, minute), render)

    def emergency_number(region: str | None) -> str:
        found = watcher.current().emergency_for(region)
        return found[0].phone if found and found[0].phone else "112"

    return Runtime(
        engine=engine,
        catalogs=catalogs,
        renderer=Renderer(catalogs, cards, emergency_number),
        directory=watcher.current,
    )
