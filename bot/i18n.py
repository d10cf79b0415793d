"""Translations: Dutch flow text is the msgid, "flow:step" the context; catalogs load once.

Catalogs are gettext .po files in locales/<lang>/LC_MESSAGES/firstcontact.po, read with Babel
at start-up (no compile step, so a translator's edit shows after a restart). A missing or
fuzzy translation falls back to the Dutch source text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from gettext import c2py
from pathlib import Path

from babel.messages.pofile import read_po

from bot.languages import negotiate
from bot.shipped import LOCALES_DIR

log = logging.getLogger(__name__)

Plurals = dict[tuple[str | None, str], tuple[str, ...]]  # (context, singular) -> the forms

SOURCE_LOCALE = "nl"
DOMAIN = "firstcontact"
FORMAT_LOCALES = {"en": "en_GB", "fr": "fr_BE"}
# The order languages are offered in: the countries' own first, then the languages men read.
LANGUAGE_ORDER = ("nl", "fr", "en", "ar", "tr", "pl")


def review_status(header_comment: str) -> str:
    """The catalog header's 'Review:' line ('not reviewed by a native speaker (...)'), or
    'unknown' when a catalog does not say; the README and `i18n stats` repeat it."""
    for line in header_comment.splitlines():
        text = line.lstrip("# ").strip()
        if text.lower().startswith("review:"):
            return text.split(":", 1)[1].strip()
    return "unknown"


def is_reviewed(status: str) -> bool:
    """Only a header that says 'reviewed by ...' counts: anything else is not reviewed."""
    return status.lower().startswith("reviewed by")


def referral_context(key: str) -> str:
    """The msgctxt of a directory entry's own words (its name and `serves` line)."""
    return f"referral:{key}"


# This checkout's locales/; a deployment's folder is Settings.locales_dir (bot.config), passed in.
DEFAULT_LOCALES_DIR = LOCALES_DIR


class Catalogs:
    """Every language's (context, msgid) -> text table, plus Babel locales for formatting."""

    def __init__(
        self,
        tables: dict[str, dict[tuple[str | None, str], str]],
        reviews: dict[str, str] | None = None,
        plurals: dict[str, tuple[Callable[[int], int], Plurals]] | None = None,
    ):
        self._tables = tables
        self._plurals = {k: forms for k, (_, forms) in (plurals or {}).items()}
        self._plural_rules = {k: rule for k, (rule, _) in (plurals or {}).items()}
        # each language's 'Review:' header line; only "reviewed by ..." counts as reviewed
        self.reviews = reviews or {}
        self.unreviewed = frozenset(k for k in tables if not is_reviewed(self.reviews.get(k, "")))
        known = {SOURCE_LOCALE, *tables}
        self.locales = tuple(
            sorted(known, key=lambda k: (LANGUAGE_ORDER.index(k) if k in LANGUAGE_ORDER else 99, k))
        )

    def pgettext(self, locale: str, context: str | None, msgid: str) -> str:
        if locale == SOURCE_LOCALE or not msgid:
            return msgid
        table = self._tables.get(locale)
        if not table:
            return msgid
        return table.get((context, msgid)) or table.get((None, msgid)) or msgid

    def npgettext(
        self, locale: str, context: str | None, singular: str, plural: str, n: int
    ) -> str:
        """The form for `n` in `locale` (gettext's Plural-Forms rule of its catalog); the
        Dutch singular or plural when the language has none."""
        forms = self._plurals.get(locale, {}).get((context, singular))
        rule = self._plural_rules.get(locale)
        if forms and rule is not None:
            index = rule(n)
            if 0 <= index < len(forms) and forms[index]:
                return forms[index]
        return singular if n == 1 else plural

    def translated(self, locale: str, context: str | None, msgid: str) -> bool:
        """True when `locale` shows its own words for this text (always for Dutch)."""
        if locale == SOURCE_LOCALE:
            return True
        table = self._tables.get(locale) or {}
        return (context, msgid) in table or (None, msgid) in table

    @staticmethod
    def format_locale(locale: str) -> str:
        """The Babel locale for dates and times: English as written in Europe (23 November,
        09:00), not the US default."""
        return FORMAT_LOCALES.get(locale, locale)

    def negotiate(self, wanted: str | None) -> str:
        """The best locale we have for a client's language tag or Accept-Language header
        ('en-GB' -> 'en', 'de-DE,fr;q=0.8' -> 'fr'); Dutch when none fits."""
        return negotiate(wanted, self.locales) or SOURCE_LOCALE


def load_catalogs(locales_dir: Path = DEFAULT_LOCALES_DIR) -> Catalogs:
    tables: dict[str, dict[tuple[str | None, str], str]] = {}
    reviews: dict[str, str] = {}
    plurals: dict[str, tuple[Callable[[int], int], Plurals]] = {}
    for po in sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        lang = po.parts[-3]
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        table: dict[tuple[str | None, str], str] = {}
        forms: Plurals = {}
        for message in catalog:
            if not message.id or not message.string or message.fuzzy:
                continue
            if isinstance(message.id, tuple | list):  # ngettext: (singular, plural) forms
                strings = tuple(str(s) for s in message.string)
                if all(strings):
                    forms[(message.context, str(message.id[0]))] = strings
                continue
            table[(message.context, str(message.id))] = str(message.string)
        plurals[lang] = (c2py(catalog.plural_expr), forms)
        tables[lang] = table
        reviews[lang] = review_status(catalog.header_comment or "")
        log.info("loaded %d translations for %s", len(table), lang)
    return Catalogs(tables, reviews, plurals)
