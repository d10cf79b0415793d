"""Collect every text a man can read (flows, intents, referral cards and the directory's own
names and `serves` lines) into a gettext catalog."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from bot.definitions.bundle import INTENTS_FILE, load_all
from bot.i18n import DOMAIN, SOURCE_LOCALE, referral_context
from bot.referrals.load import default_path, load_directory

PYTHON_SOURCES = ("referrals/cards.py",)  # strings wrapped in _() shown to men


def _rel(path: str | Path, root: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(root))
    except ValueError:
        return str(path)


def build_template(flows_dir: Path, referrals_file: Path | None = None) -> Catalog:
    """The .pot: msgid = Dutch text, msgctxt = 'flow:step', locations = file and line.

    Also each directory entry's name and `serves` line (msgctxt 'referral:<key>'), so a man
    reading in English reads who a line is for in English too.
    """
    root = flows_dir.resolve().parent
    flows, intents, problems = load_all(flows_dir)
    if problems:
        raise ValueError("fix the flows first:\n" + "\n".join(map(str, problems)))
    catalog = Catalog(project="firstcontact", locale=None, domain=DOMAIN, fuzzy=False)
    for flow in flows.values():
        for step in flow.steps.values():
            context = f"{flow.id}:{step.id}"
            where = [(_rel(flow.file, root), step.where.line if step.where else 0)]
            if step.text:
                catalog.add(
                    step.text, context=context, locations=where, auto_comments=[f"step {context}"]
                )
            for choice in step.choices:
                line = choice.where.line if choice.where else where[0][1]
                catalog.add(
                    choice.label,
                    context=context,
                    locations=[(where[0][0], line)],
                    auto_comments=["button"],
                )
            if step.free_text and step.free_text.reply:
                catalog.add(step.free_text.reply, context=context, locations=where)
    for name, spec in intents.specs.items() if intents else ():
        if spec.button:
            catalog.add(
                spec.button,
                context=f"intent:{name}",
                locations=[
                    (_rel(flows_dir / INTENTS_FILE, root), spec.where.line if spec.where else 0)
                ],
                auto_comments=["button under every message"],
            )
    _add_directory(catalog, referrals_file or default_path(), root)
    package = Path(__file__).resolve().parent
    for source in PYTHON_SOURCES:
        path = package / source
        for lineno, message, comments, _ctx in extract_from_file(
            "python", str(path), keywords={"_": None}
        ):
            catalog.add(
                message,
                context="referrals",
                locations=[(f"bot/{source}", lineno)],
                auto_comments=list(comments) or ["referral card"],
            )
    return catalog


def _add_directory(catalog: Catalog, path: Path, root: Path) -> None:
    directory = load_directory(path)  # DataError (file and line) if it is broken
    where = _rel(path, root)
    for entry in directory.entries:
        if not entry.active:
            continue  # never shown: nothing to translate
        lines = dict(entry.lines)
        for field, text, note in (
            ("name", entry.name, "referral name: translate only what is not a proper name"),
            ("serves", entry.serves, "who this line is for"),
        ):
            if text:
                catalog.add(
                    text,
                    context=referral_context(entry.key),
                    locations=[(where, lines.get(field, 0))],
                    auto_comments=[note],
                )


def write_template(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100, sort_output=False)


def update_locale(template: Catalog, locales_dir: Path, locale: str) -> tuple[int, int]:
    """Merge the template into one language's .po (new texts added, changed ones fuzzy)."""
    if locale == SOURCE_LOCALE:
        raise ValueError(f"{SOURCE_LOCALE} is the source language; it needs no catalog")
    po = locales_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if po.exists():
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
    else:
        catalog = Catalog(locale=locale, domain=DOMAIN, project="firstcontact")
    catalog.update(template, no_fuzzy_matching=False)
    po.parent.mkdir(parents=True, exist_ok=True)
    with po.open("wb") as fh:
        write_po(fh, catalog, width=100, ignore_obsolete=True)
    return translated_count(catalog)


def translated_count(catalog: Catalog) -> tuple[int, int]:
    messages = [m for m in catalog if m.id]
    done = sum(1 for m in messages if m.string and not m.fuzzy)
    return done, len(messages)
