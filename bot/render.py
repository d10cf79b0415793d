"""Engine replies -> channel-neutral messages: translated text, referral cards and buttons.

Channels only format what comes out of here (HTML for Telegram, plain text for the terminal),
so what a man reads is the same on every channel and in the golden transcripts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.engine import callback
from bot.engine.model import Intent, Press, Say
from bot.i18n import Catalogs
from bot.referrals.cards import CardText as CardView  # title, lines, (label, url) links


@dataclass(frozen=True, slots=True)
class ButtonView:
    label: str
    event: Press | Intent
    data: str  # compact callback data, <= 64 bytes


@dataclass(frozen=True, slots=True)
class Message:
    text: str
    cards: tuple[CardView, ...] = ()
    buttons: tuple[ButtonView, ...] = ()
    urgent: bool = False  # answers danger or crisis: sent ahead of every queue

    def plain(self) -> str:
        """The message as plain text (terminal, transcripts, length checks)."""
        parts = [self.text.strip()] if self.text.strip() else []
        for card in self.cards:
            links = (f"{label}: {url}" for label, url in card.links)
            parts.append("\n".join((card.title, *card.lines, *links)))
        return "\n\n".join(parts)


# (keys, region, now, locale) -> cards; the directory decides order, alternatives and hours.
CardSource = Callable[[Sequence[str], str | None, datetime, str], list[CardView]]
# region -> the emergency number as the directory has it ("112"), for "{noodnummer}" in text.
EmergencyNumber = Callable[[str | None], str]
EMERGENCY_PLACEHOLDER = "{noodnummer}"


class Renderer:
    def __init__(
        self,
        catalogs: Catalogs,
        cards: CardSource,
        emergency_number: EmergencyNumber | None = None,
    ):
        self.catalogs = catalogs
        self.cards = cards
        self.emergency_number = emergency_number or (lambda region: "112")

    def render(self, say: Say, now: datetime) -> Message:
        tr = self.catalogs.pgettext
        buttons = tuple(
            ButtonView(tr(say.locale, b.context, b.label), b.event, callback.encode(b.event))
            for b in say.buttons
        )
        cards = (
            tuple(self.cards(say.referrals, say.region, now, say.locale)) if say.referrals else ()
        )
        text = tr(say.locale, say.context, say.text)
        if EMERGENCY_PLACEHOLDER in text:
            # One line of text may name the emergency number; the number is the directory's.
            text = text.replace(EMERGENCY_PLACEHOLDER, self.emergency_number(say.region))
        return Message(
            text=text,
            cards=cards,
            buttons=buttons,
            urgent=say.urgent,
        )
