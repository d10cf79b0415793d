"""Babel extractors (entry points in `babel.extractors`) for what a man reads: so plain
`pybabel extract -F babel.cfg -o locales/firstcontact.pot .` and `firstcontact i18n extract`
write the same template.

Each yields Babel's (line, funcname, messages, comments): funcname `pgettext` with
(context, Dutch text), the context saying where the text is used (`main:welkom` for the step
`welkom` of flows/main.yaml, `intent:emergency`, `referral:<key>`, `referrals` for the card's
own lines, `telegram:<name>` and `web:<name>` for a channel's own words) and a translator comment
saying where the man sees it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from babel.messages.extract import extract_python

from bot.definitions.bundle import INTENTS_FILE
from bot.definitions.flowfile import load_flow
from bot.definitions.intentsfile import load_intents
from bot.i18n import referral_context
from bot.referrals.load import parse_directory

PGETTEXT = "pgettext"  # in Babel's default keywords as ((1, 'c'), 2): context first
NPGETTEXT = "npgettext"  # ((1, 'c'), 2, 3): context, singular, plural
CARD_CONTEXT = "referrals"  # the card's own lines ("Bel {phone}", "Nu open", ...)
REFERRALS_FILE = "referrals.yaml"
WORDING = "Wording"  # bot/channels/wording.py: a channel's own text
LENGTH_NOTE = "length: {span} (Telegram's limit)"  # i18n_checks reads it back
Extracted = tuple[int, str, tuple[str, ...], list[str]]


def _path(fileobj: IO[bytes]) -> Path:
    name = getattr(fileobj, "name", None)
    if not name:
        raise ValueError("the flows extractor reads files by name (pybabel and i18n do)")
    return Path(name)


def extract_flows(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[Extracted]:
    """Texts of one YAML file in flows/: a flow's steps, the intents' buttons, or the
    directory's names and `serves` lines. A broken file raises DataError (file and line)."""
    path = _path(fileobj)
    if path.name == INTENTS_FILE:
        yield from _intents(path)
    elif path.name == REFERRALS_FILE:
        yield from _directory(fileobj, path)
    else:
        yield from _flow(path)


def _flow(path: Path) -> Iterator[Extracted]:
    flow = load_flow(path)
    for step in flow.steps.values():
        context = f"{flow.id}:{step.id}"
        line = step.where.line if step.where else 0
        if step.text:
            kind = "shown on its own" if step.end else "the message"
            yield line, PGETTEXT, (context, step.text), [f"step {context}: {kind}"]
        for choice in step.choices:
            at = choice.where.line if choice.where else line
            yield at, PGETTEXT, (context, choice.label), [f"button under step {context}"]
        if step.free_text and step.free_text.reply:
            note = f"step {context}: reply when he types instead of pressing a button"
            yield line, PGETTEXT, (context, step.free_text.reply), [note]


def _intents(path: Path) -> Iterator[Extracted]:
    intents = load_intents(path)
    for name, spec in intents.specs.items():
        if spec.button:
            line = spec.where.line if spec.where else 0
            note = f"button under every message (intent {name})"
            yield line, PGETTEXT, (f"intent:{name}", spec.button), [note]


def _directory(fileobj: IO[bytes], path: Path) -> Iterator[Extracted]:
    directory = parse_directory(fileobj.read().decode("utf-8"), str(path))
    for entry in directory.entries:
        if not entry.active:
            continue  # never shown: nothing to translate
        lines = dict(entry.lines)
        context = referral_context(entry.key)
        for field, text, note in (
            ("name", entry.name, "referral card title: translate only what is not a proper name"),
            ("serves", entry.serves, "referral card: who this line is for"),
        ):
            if text:
                yield lines.get(field, 0), PGETTEXT, (context, text), [f"{note} ({entry.key})"]


def extract_cards(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[Extracted]:
    """The `_()` strings of the referral card code, each in the card context."""
    keywords = {"_": None, "ngettext": (1, 2)}
    for line, func, message, comments in extract_python(fileobj, keywords, [], options):
        note = [*comments, "referral card line"]
        if func == "ngettext" and isinstance(message, tuple) and all(message[:2]):
            singular, plural = message[0], message[1]  # the third argument is the count
            yield line, NPGETTEXT, (CARD_CONTEXT, singular, plural), [*note, "{n} is a number"]
        elif isinstance(message, str):
            yield line, PGETTEXT, (CARD_CONTEXT, message), note


def extract_wording(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[Extracted]:
    """Every `Wording(context, dutch, note[, least, most])` of a channel's texts.py, read from
    its syntax tree (literal arguments only: a computed one is an error, not a silent gap)."""
    source = fileobj.read().decode("utf-8")
    name = getattr(fileobj, "name", "<texts>")
    calls = [
        node
        for node in ast.walk(ast.parse(source, filename=str(name)))
        if isinstance(node, ast.Call) and _called(node.func) == WORDING
    ]
    for node in sorted(calls, key=lambda call: call.lineno):
        try:
            args = [ast.literal_eval(arg) for arg in node.args]
            args += [ast.literal_eval(k.value) for k in node.keywords]  # least=, most= in order
        except ValueError:
            raise ValueError(f"{name}:{node.lineno}: Wording takes literal arguments") from None
        context, dutch, note, *span = args
        notes = [note]
        if len(span) == 2:
            notes.append(LENGTH_NOTE.format(span=f"{span[0]}-{span[1]} characters"))
        yield node.lineno, PGETTEXT, (context, dutch), notes


def _called(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None
