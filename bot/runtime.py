"""What a channel is handed (Runtime: engine, catalogs, directory, renderer) and the directory's
facts the flow checks use; bot.application builds the Runtime."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.definitions.handoffs import ReferralFacts
from bot.engine.engine import Engine
from bot.engine.model import Say, Step
from bot.i18n import Catalogs
from bot.problems import DataError, Problem
from bot.referrals.cards import EntryText, NGettext, card_text, resolve_cards
from bot.referrals.checks import check_directory
from bot.referrals.load import default_path, load_directory
from bot.referrals.model import Directory
from bot.render import CardView, Message, Renderer

log = logging.getLogger(__name__)
# A weekday night in winter: many lines are closed, so cards are at their longest.
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
