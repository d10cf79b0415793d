"""A text a channel says itself (Telegram's menu and profile, a flood note, the web page's
buttons): its Dutch words, the catalog context it is translated under, and where it shows.

The Dutch is the msgid, as in the flows; `bot/i18n_extractors.py` (extract_wording) finds every
`Wording(...)` in a channel's texts.py, so `firstcontact i18n` and `pybabel extract` put them in
the catalogs with `note` as the translator comment and, where Telegram sets one, the length
Telegram allows (`least`-`most` characters), which `i18n check` holds every language to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class Translations(Protocol):
    """The part of bot.i18n.Catalogs a channel's own words need."""

    def pgettext(self, locale: str, context: str | None, msgid: str) -> str: ...


@dataclass(frozen=True, slots=True)
class Wording:
    context: str  # msgctxt: "telegram:slow_down", "web:exit", ...
    dutch: str  # the msgid, and what Dutch speakers read
    note: str  # for translators: where he sees it
    least: int = 0
    most: int | None = None  # characters, when Telegram limits the field

    def __post_init__(self) -> None:
        if self.most is not None and not self.least <= len(self.dutch) <= self.most:
            raise ValueError(f"{self.context}: {len(self.dutch)} characters, not {self.span}")

    @property
    def name(self) -> str:
        """The part of the context after the channel: 'slow_down', 'command:start'."""
        return self.context.partition(":")[2]

    @property
    def span(self) -> str:
        return f"{self.least}-{self.most} characters"

    def text(self, catalogs: Translations, locale: str, **facts: str) -> str:
        """In `locale` (the Dutch where the catalog has none), with `{name}` facts filled in."""
        said = catalogs.pgettext(locale, self.context, self.dutch)
        for name, value in facts.items():
            said = said.replace("{" + name + "}", value)
        return said
