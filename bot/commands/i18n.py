"""`firstcontact i18n ...`: keep the translations in locales/ in step with the flows."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.commands.parsers import add_command, add_group
from bot.i18n import DOMAIN
from bot.problems import DataError


def register(sub) -> None:
    inner = add_group(
        sub,
        "i18n",
        "extract texts for translators, update and check the language files",
        "firstcontact i18n update",
        "Translations live in locales/<lang>/LC_MESSAGES/firstcontact.po (locales/README.md).",
        "i18n_command",
    )
    for name, help_, example, func in (
        (
            "extract",
            "write locales/firstcontact.pot with every text from the flows and the directory "
            "(the same as `pybabel extract -F babel.cfg`)",
            "firstcontact i18n extract",
            run_extract,
        ),
        (
            "update",
            "add new texts to the languages' .po files and mark changed ones fuzzy (every "
            "language unless you name some; creates a file for a new language)",
            "firstcontact i18n update fr ar",
            run_update,
        ),
        (
            "check",
            "fail if any language misses a current text, has a fuzzy one, or a translation "
            "breaks a rule (placeholders, numbers, length, right-to-left isolates)",
            "firstcontact i18n check",
            run_check,
        ),
        (
            "stats",
            "how much of each language is translated, and who reviewed it",
            "firstcontact i18n stats",
            run_stats,
        ),
    ):
        parser = add_command(inner, name, help_, example, func)
        parser.add_argument(
            "--flows-dir", type=Path, help="default: $FIRSTCONTACT_FLOWS_DIR, else flows/"
        )
        parser.add_argument(
            "--locales-dir", type=Path, help="default: $FIRSTCONTACT_LOCALES_DIR, else locales/"
        )
        if name == "update":
            parser.add_argument(
                "locale", nargs="*", help="language codes, e.g. fr (default: every language)"
            )


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
    from bot.i18n_checks import shipped
    from bot.i18n_extract import update_locale

    template = _template(args)
    if template is None:
        return 1
    locales = args.locale or [one.locale for one in shipped(args.locales_dir)]
    for locale in locales:
        try:
            done, total = update_locale(template, args.locales_dir, locale)
        except ValueError as exc:
            print(exc, file=sys.stderr)
            return 2
        print(f"{locale}: {done} of {total} texts translated")
    return 0


def run_check(args: argparse.Namespace) -> int:
    from bot.i18n_checks import catalog_problems

    template = _template(args)
    if template is None:
        return 1
    problems = catalog_problems(template, args.locales_dir)
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{'FAILED' if problems else 'OK'}: {len(problems)} problem(s) in the translations")
    return 1 if problems else 0


def run_stats(args: argparse.Namespace) -> int:
    from bot.i18n_checks import review_of, shipped
    from bot.i18n_extract import translated_count

    template = _template(args)
    if template is None:
        return 1
    wanted = {(m.context, m.id) for m in template if m.id}
    for one in shipped(args.locales_dir):
        done, _ = translated_count(one.catalog)
        have = {(m.context, m.id) for m in one.catalog if m.id and m.string and not m.fuzzy}
        missing = len(wanted - have)
        print(
            f"{one.locale}: {done} translated, {missing} of {len(wanted)} current texts "
            f"still to do; review: {review_of(one.catalog)}"
        )
    return 0
