"""Whether every card a step can show gives a man a way to act on it: a phone number, a website
or a chat (a rule of `firstcontact flows check`). A card without one is not a hand-off.

The cards are resolved exactly as the bot shows them (`resolve_cards`), at each moment that
can change them (`coverage.moments`): the entries the step names, the verified alternative of
an unverified one, and the `when_closed` line offered while another is closed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.referrals.cards import ALTERNATIVE, ASKED, OPEN_NOW, Card, resolve_cards
from bot.referrals.coverage import may_show, moments
from bot.referrals.model import Directory
from bot.regions import REGIONS

# How a card came to be shown, and what fixes it besides giving the entry a way to reach it.
SHOWN_AS = {
    ASKED: "",
    ALTERNATIVE: " next to the unconfirmed {other}",
    OPEN_NOW: " while {other} is closed",
}
OTHER_FIX = {
    ASKED: "or take it off this step",
    ALTERNATIVE: "or give {other} another alternative",
    OPEN_NOW: "or give {other} another when_closed line",
}
NO_REGION = "before a region is chosen"


@dataclass(frozen=True, slots=True)
class Unreachable:
    """A card a step shows with no way to reach its line, and the regions it is shown in."""

    card: Card
    regions: tuple[str | None, ...]


def unreachable_on(
    directory: Directory, keys_for: Callable[[str | None], tuple[str, ...]]
) -> list[Unreachable]:
    """Each entry a step shows somewhere with no way to reach it, once, with its regions;
    `keys_for(region)` gives the keys the step names in a region.

    A region where the step names an unknown or inactive key is left out, as the open-line
    rule does: that is already an error of its own.
    """
    found: dict[str, tuple[Card, list[str | None]]] = {}
    for region in (None, *REGIONS):
        keys = keys_for(region)
        if not _all_active(directory, keys):
            continue
        for card in unreachable_cards(directory, keys, region):
            found.setdefault(card.entry.key, (card, []))[1].append(region)
    return [Unreachable(card, tuple(regions)) for card, regions in found.values()]


def unreachable_cards(
    directory: Directory, keys: tuple[str, ...], region: str | None
) -> list[Card]:
    """The first card of each entry the keys can show in the region, at any moment, that has
    no phone, website or chat_url."""
    if all(entry.reachable or not entry.active for entry in may_show(directory, keys)):
        return []  # the usual case: nothing the cards could hold lacks a way to reach it
    found: dict[str, Card] = {}
    for moment in moments(directory, keys, region):
        for card in resolve_cards(directory, keys, region, moment):
            if not card.entry.reachable:
                found.setdefault(card.entry.key, card)
    return list(found.values())


def _all_active(directory: Directory, keys: tuple[str, ...]) -> bool:
    """True when there are keys and each names an entry in use (so every card is resolved)."""
    entries = [directory.get(key) for key in keys]
    return bool(entries) and all(entry is not None and entry.active for entry in entries)


# ---- words -----------------------------------------------------------------------------------


def describe(step_id: str, found: Unreachable) -> str:
    """One sentence a volunteer or coordinator can act on: the card, where it is shown, the
    file and line of its entry, and the two ways to fix it."""
    card, entry = found.card, found.card.entry
    other = card.because_of.name if card.because_of is not None else ""
    shown_as = SHOWN_AS[card.reason].format(other=other)
    return (
        f"step '{step_id}' shows {entry.name}{shown_as} {_regions(found.regions)}, but its "
        f"entry ({entry.key}, {entry.where}) has no phone, website or chat_url: a man cannot "
        f"act on that card. Add one of them in referrals.yaml, "
        f"{OTHER_FIX[card.reason].format(other=other)}"
    )


def _regions(regions: tuple[str | None, ...]) -> str:
    """'in every region', 'in BE-VLG, BE-LEUVEN and before a region is chosen', ..."""
    if set(REGIONS) <= set(regions):
        return "in every region"
    named = [code for code in regions if code]
    parts = [f"in {', '.join(named)}"] if named else []
    if None in regions:
        parts.append(NO_REGION)
    return " and ".join(parts)
