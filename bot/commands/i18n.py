"""`firstcontact i18n ...`: keep the translations in locales/ in step with the flows."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.commands.parsers import add_command, add_group
from bot.definitions.bundle import DEFAULT_FLOWS_DIR
from bot.i18n import DEFAULT_LOCALES_DIR, DOMAIN
from bot.problems import DataError


def register(sub) -> None:
    inner = add_group(
        sub,
        "i18n",
        "extract texts for translators and update the language files",
        "firstcontact i18n update en",
        "Translations live in locales/<lang>/LC_MESSAGES/firstcontact.po.",
        "i18n_command",
    )
    for name, help_, example, func in (
        (
            "extract",
            "write locales/firstcontact.pot with every text from the flows and the directory",
            "firstcontact i18n extract",
            run_extract,
        ),
        (
            "update",
            "add new texts to a language's .po file (creates it if missing)",
            "firstcontact i18n update en",
            run_update,
        ),
        ("stats", "how much of each language is translated", "firstcontact i18n stats", run_stats),
    ):
        parser = add_command(inner, name, help_, example, func)
        parser.add_argument("--flows-dir", type=Path, default=DEFAULT_FLOWS_DIR)
        parser.add_argument("--locales-dir", type=Path, default=DEFAULT_LOCALES_DIR)
        if name == "update":
            parser.add_argument("locale", help="language code, e.g. en")


def _template(args):
    from bot.i18n_extract import build_template

    try:
        return build_template(args.flows_dir)
    except (ValueError, DataError) as exc:
        print(exc, file=sys.stderr)
        return None


def run_extract(args: argparse.Namespace) -> int:
    from bot.i18n_extract import write_template

    template = _template(args)
    if template is None:
        return 1
    path = args.locales_dir / f"{DOMAIN}.pot"
    write_template(template, path)
    print(f"wrote {len([m for m in template if m.id])} texts to {path}")
    return 0


def run_update(args: argparse.Namespace) -> int:
    from bot.i18n_extract import update_locale

    template = _template(args)
    if template is None:
        return 1
    try:
        done, total = update_locale(template, args.locales_dir, args.locale)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"{args.locale}: {done} of {total} texts translated")
    return 0


def run_stats(args: argparse.Namespace) -> int:
    from babel.messages.pofile import read_po

    from bot.i18n_extract import translated_count

    template = _template(args)
    if template is None:
        return 1
    wanted = {(m.context, m.id) for m in template if m.id}
    for po in sorted(args.locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh)
        done, _ = translated_count(catalog)
        have = {(m.context, m.id) for m in catalog if m.id and m.string and not m.fuzzy}
        missing = len(wanted - have)
        print(
            f"{po.parts[-3]}: {done} translated, {missing} of {len(wanted)} current texts "
            "still to do"
        )
    return 0
