"""Checks on every shipped translation, for `flows check` and `firstcontact i18n check`: a
Dutch edit must never leak into another language, and a translation must never add facts.

Every catalog in locales/ is shipped (the bot loads them all), so each must translate every
current text, without fuzzy entries, with the same placeholders as the Dutch, no number the
Dutch does not have, buttons and messages within Telegram's limits, and, in a right-to-left
language, every number, web address and placeholder wrapped in Unicode isolates so that
0800-2000 reads as it is dialled.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from bot.i18n import DOMAIN, review_status
from bot.problems import ERROR, Problem, Where

MAX_LABEL = 32  # characters: Telegram cuts longer button labels off on a phone
MAX_TEXT = 4096  # characters in one Telegram message (cards are checked rendered, elsewhere)
FSI, PDI = "\u2068", "\u2069"  # first-strong isolate and its end
NUMBER = re.compile(r"\d+(?:[\d\-/.: ]*\d)?")
ADDRESS = re.compile(r"(?:https?://\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:nl|be|com|org|eu)\b(?:/\S*)?)")
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
BUTTON_NOTE = "button"  # the extractor's comment on every button label starts with it
# The extractor's note on a text whose Telegram field has a length (menu, profile).
LENGTH_NOTE = re.compile(r"^length: (\d+)-(\d+) characters")
FIX = (
    "run `firstcontact i18n update` (new Dutch texts are added, changed ones marked fuzzy), "
    "translate the new and fuzzy entries in {po}, then `firstcontact i18n check`"
)


@dataclass(frozen=True, slots=True)
class Shipped:
    """One language's catalog as read from locales/<lang>/LC_MESSAGES/firstcontact.po."""

    locale: str
    path: Path
    catalog: Catalog


def shipped(locales_dir: Path) -> list[Shipped]:
    found = []
    for po in sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        locale = po.parts[-3]
        with po.open("rb") as fh:
            found.append(Shipped(locale, po, read_po(fh, locale=locale)))
    return found


def review_of(catalog: Catalog) -> str:
    return review_status(catalog.header_comment or "")


def right_to_left(locale: str) -> bool:
    return Locale.parse(locale).character_order == "right-to-left"


def catalog_problems(template: Catalog, locales_dir: Path) -> list[Problem]:
    """Every problem of every shipped catalog against the current texts, in plain words."""
    problems: list[Problem] = []
    for one in shipped(locales_dir):
        problems.extend(_problems(template, one))
    return problems


def _where(text: Message) -> str:
    context = text.context or ""
    if context.startswith("referral:"):
        return f"the directory entry {context.removeprefix('referral:')}"
    if context.startswith("intent:"):
        return f"the button '{text.id}' under every message"
    if context == "referrals":
        return "a referral card line"
    channel, _, name = context.partition(":")
    if channel in ("telegram", "web"):
        return f"the {'Telegram' if channel == 'telegram' else 'web'} channel's text {name}"
    return f"step {context}"


def _problems(template: Catalog, one: Shipped) -> list[Problem]:
    problems: list[Problem] = []
    fix = FIX.format(po=one.path)
    rtl = right_to_left(one.locale)

    def error(message: Message | None, text: str) -> None:
        line = message.lineno if message is not None and message.lineno else 1
        problems.append(Problem(ERROR, Where(str(one.path), line), f"{one.locale}: {text}"))

    for wanted in template:
        if not wanted.id:
            continue
        have = one.catalog.get(wanted.id, context=wanted.context)
        where = _where(wanted)
        if have is None or not have.string:
            error(have, f"{where} has no translation; the bot would show the Dutch. To fix: {fix}")
            continue
        if have.fuzzy:
            error(
                have, f"{where}: the Dutch changed since it was translated (fuzzy). To fix: {fix}"
            )
            continue
        forms = have.string if isinstance(have.string, tuple | list) else (have.string,)
        if not all(forms):
            error(have, f"{where}: a plural form has no translation. To fix: {fix}")
            continue
        for text in dict.fromkeys(p for form in forms for p in _text_problems(wanted, form, rtl)):
            error(have, f"{where}: {text}")
    return problems


def _text_problems(wanted: Message, text: str, rtl: bool) -> Iterable[str]:
    source = str(wanted.id[0]) if isinstance(wanted.id, tuple | list) else str(wanted.id)
    if _fields(source) != _fields(text):
        yield (
            f"the placeholders must be the Dutch ones ({', '.join(_fields(source)) or 'none'}),"
            f" not {', '.join(_fields(text)) or 'none'}"
        )
    extra = sorted(set(_numbers(text)) - set(_numbers(source)))
    if extra:
        yield (
            f"the translation has a number the Dutch does not have ({', '.join(extra)}); "
            "numbers come from flows/referrals.yaml, never from a translation"
        )
    is_button = any(note.startswith(BUTTON_NOTE) for note in wanted.auto_comments)
    plain = text.replace(FSI, "").replace(PDI, "")
    if is_button and len(plain) > MAX_LABEL:
        yield f"the button label is {len(plain)} characters; Telegram shows {MAX_LABEL} at most"
    if len(plain) > MAX_TEXT:
        yield f"the text is {len(plain)} characters; a Telegram message holds {MAX_TEXT}"
    for note in wanted.auto_comments:
        span = LENGTH_NOTE.match(note)
        # Counted as sent, isolates included: Telegram refuses the call, not just the look.
        if span and not int(span[1]) <= len(text) <= int(span[2]):
            yield f"the text is {len(text)} characters; Telegram takes {span[1]}-{span[2]} here"
    if rtl:
        loose = not_isolated(text)
        if loose:
            yield (
                f"in right-to-left text wrap {', '.join(loose)} in Unicode isolates "
                "(U+2068 ... U+2069) so it reads left to right"
            )


def _fields(text: str) -> list[str]:
    try:
        return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name)
    except ValueError:
        return ["(a lone { or })"]


def _numbers(text: str) -> list[str]:
    return re.findall(r"\d+", text)


def not_isolated(text: str) -> list[str]:
    """Numbers, web addresses and placeholders of right-to-left text outside an isolate."""
    outside = re.sub(f"{FSI}[^{PDI}]*{PDI}", lambda m: " " * len(m.group()), text)
    found = [m.group().strip() for p in (PLACEHOLDER, ADDRESS, NUMBER) for m in p.finditer(outside)]
    return sorted({f for f in found if f})
