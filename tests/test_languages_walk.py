"""Every shipped flow walked in every language through the engine (issue 12, item 6): from
each flow's start, in each preset region, every button is pressed once and every answer is
rendered with its cards. No Dutch leaks into another language, every hand-off shows the same
lines with the same numbers as in Dutch, and Arabic isolates every number, address and
placeholder."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.definitions.bundle import DEFAULT_FLOWS_DIR
from bot.engine.model import Press, Say
from bot.i18n_checks import FSI, PDI, not_isolated, right_to_left
from bot.i18n_extract import build_template
from bot.regions import REGIONS
from bot.render import Message
from bot.runtime import Runtime

LANGUAGES = ("en", "fr", "ar", "tr", "pl")
MAX_MESSAGE = 4096  # characters in one Telegram message
# A Sunday night: most lines are closed, so cards say when they open and add what is open now.
NOW = datetime(2026, 11, 29, 23, 30, tzinfo=ZoneInfo("Europe/Amsterdam"))
DUTCH_DATES = re.compile(
    r"\b(maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|januari|februari|maart|"
    r"mei|juni|juli|augustus|oktober|vandaag|morgen)\b"
)


@pytest.fixture(scope="module")
def dutch_only(runtime: Runtime) -> dict[str, set[str]]:
    """Per language: the Dutch texts a reader of that language must never see: each one
    translated differently, unless a translation keeps it (a name like "Veilig Thuis")."""
    template = [m for m in build_template(DEFAULT_FLOWS_DIR) if m.id and len(str(m.id)) >= 8]
    found: dict[str, set[str]] = {}
    for locale in LANGUAGES:
        shown = {m.id: runtime.catalogs.pgettext(locale, m.context, str(m.id)) for m in template}
        everything = "\n".join(shown.values())
        found[locale] = {str(k) for k, v in shown.items() if v != k and str(k) not in everything}
    return found


def _walk(runtime: Runtime, locale: str) -> Iterator[tuple[str, str | None, Message]]:
    """Every answer a button can reach from each flow's start, in each preset region, as the
    engine says it and the renderer shows it (the same order in every language)."""
    engine = runtime.engine
    now = NOW.timestamp()
    for region in (None, *REGIONS):
        seen: set[tuple[str, int]] = set()
        queue = [
            engine.begin(now, flow=flow_id, locale=locale, region=region)
            for flow_id in engine.flows
            if flow_id != "system"
        ]
        while queue:
            session, replies = queue.pop(0)
            for reply in replies:
                if not isinstance(reply, Say):
                    continue
                yield reply.context, session.region, runtime.render(reply, NOW)
                for button in reply.buttons:
                    event = button.event
                    if not isinstance(event, Press) or (event.at, event.index) in seen:
                        continue
                    seen.add((event.at, event.index))
                    after, said = engine.resume(session, event, now)
                    if after is not None:
                        queue.append((after, said))


def _parts(message: Message) -> list[str]:
    parts = [message.text, *(b.label for b in message.buttons)]
    for card in message.cards:
        parts.extend((card.title, *card.lines))
    return parts


@pytest.mark.parametrize("locale", LANGUAGES)
def test_no_dutch_leaks_into_another_language(runtime, dutch_only, locale) -> None:
    walked = 0
    for where, region, message in _walk(runtime, locale):
        walked += 1
        assert len(message.plain()) <= MAX_MESSAGE, (locale, where, region)  # with its cards
        for part in _parts(message):
            leaks = [d for d in dutch_only[locale] if d in part]
            assert not leaks, (locale, where, region, leaks[:2])
            assert not DUTCH_DATES.search(part), (locale, where, region, part)
    assert walked > 300


@pytest.mark.parametrize("locale", LANGUAGES)
def test_hand_offs_show_the_same_lines_and_numbers_in_every_language(runtime, locale) -> None:
    directory = runtime.directory()
    compared = 0
    for (where, region, dutch), (_, _, other) in zip(
        _walk(runtime, "nl"), _walk(runtime, locale), strict=True
    ):
        assert [c.key for c in other.cards] == [c.key for c in dutch.cards], (where, region)
        for card in other.cards:
            entry = directory.get(card.key)
            if entry is not None and entry.phone:
                shown = "\n".join(card.lines).replace(FSI, "").replace(PDI, "")
                assert entry.phone in shown, (locale, where, card.key)
                compared += 1
    assert compared > 100


def test_arabic_isolates_every_number_address_and_placeholder(runtime) -> None:
    assert right_to_left("ar")
    checked = 0
    for where, region, message in _walk(runtime, "ar"):
        for part in _parts(message):
            assert part.count(FSI) == part.count(PDI), (where, part)
            assert not not_isolated(part), (where, region, part)
            checked += 1
    assert checked > 1000
