"""Collect every text a man can read (flows, intents, referral cards, the directory's own
names and `serves` lines, the channels' own words) into a gettext template, through the same
Babel extractors that `pybabel extract -F babel.cfg` uses (bot/i18n_extractors.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.pofile import read_po, write_po

from bot.definitions.bundle import INTENTS_FILE, flow_files, load_all
from bot.i18n import DOMAIN, SOURCE_LOCALE
from bot.i18n_extractors import extract_cards, extract_flows, extract_wording
from bot.referrals.load import default_path

CARD_SOURCE = Path(__file__).resolve().parent / "referrals" / "cards.py"
CHANNEL_SOURCES = tuple(
    Path(__file__).resolve().parent / "channels" / name / "texts.py" for name in ("telegram", "web")
)


def _rel(path: str | Path, root: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(root))
    except ValueError:
        return str(path)


def _sources(flows_dir: Path, referrals_file: Path) -> Iterator[tuple[Callable, Path]]:
    """Each file with its extractor, in the order babel.cfg lists them."""
    yield extract_cards, CARD_SOURCE
    for path in CHANNEL_SOURCES:
        yield extract_wording, path
    for path in flow_files(flows_dir):
        yield extract_flows, path
    yield extract_flows, flows_dir / INTENTS_FILE
    yield extract_flows, referrals_file


def build_template(flows_dir: Path, referrals_file: Path | None = None) -> Catalog:
    """The .pot: msgid = Dutch text, msgctxt = where it is used, locations = file and line.

    Broken flows are refused first with every problem listed (file, line, plain words), as
    `flows check` shows them; the directory's problems come from its own loader.
    """
    _, _, problems = load_all(flows_dir)
    if problems:
        raise ValueError("fix the flows first:\n" + "\n".join(map(str, problems)))
    checkout = CARD_SOURCE.parents[2]
    catalog = Catalog(project="firstcontact", locale=None, domain=DOMAIN, fuzzy=False)
    for method, path in _sources(flows_dir, referrals_file or default_path()):
        root = checkout if path in (CARD_SOURCE, *CHANNEL_SOURCES) else flows_dir.resolve().parent
        where = _rel(path, root)
        with path.open("rb") as fh:
            for line, message, comments, context in extract(
                method, fh, keywords=DEFAULT_KEYWORDS, comment_tags=()
            ):
                catalog.add(
                    message, context=context, locations=[(where, line)], auto_comments=comments
                )
    return catalog


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
    catalog.update(template, no_fuzzy_matching=False)  # a reworded text keeps its old
    po.parent.mkdir(parents=True, exist_ok=True)
    with po.open("wb") as fh:
        # translation, marked fuzzy (Babel writes no usable '#| msgid' for long texts)
        write_po(fh, catalog, width=100, ignore_obsolete=True)
    return translated_count(catalog)


def translated_count(catalog: Catalog) -> tuple[int, int]:
    messages = [m for m in catalog if m.id]
    done = sum(1 for m in messages if m.string and not m.fuzzy)
    return done, len(messages)
