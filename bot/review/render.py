"""`flows render`: gather flows, translations, the directory and sources into one Document."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from babel.dates import format_datetime

from bot.definitions.bundle import load_all
from bot.i18n import load_catalogs
from bot.problems import DataError, errors
from bot.referrals.load import default_path, load_directory
from bot.review import words
from bot.review.html import document_html
from bot.review.markdown import document_markdown
from bot.review.mermaid import diagram, intent_targets
from bot.review.script import Document, ScriptReader
from bot.review.sources import load_sources

FORMATS = ("html", "md", "mermaid")
MAIN = "main"
SYSTEM = "system"  # the bot's own messages: entered by the engine, not by buttons
# The background documents sit beside the checkout (shared/seeds), when they are there.
DEFAULT_SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


def build_document(
    flows_dir: Path,
    locale: str,
    moment: datetime,
    only: str | None = None,
    locales_dir: Path | None = None,
    referrals: Path | None = None,
    seeds: Path | None = DEFAULT_SEEDS,
) -> Document:
    """Everything a reviewer reads, in one language; DataError if the files cannot be read."""
    flows, intents, problems = load_all(flows_dir)
    if errors(problems) or intents is None:
        raise DataError(errors(problems))
    if only is not None and only not in flows:
        raise KeyError(f"there is no flow '{only}'; flows: {', '.join(sorted(flows))}")
    catalogs = load_catalogs(locales_dir) if locales_dir else load_catalogs()
    if locale not in catalogs.locales:
        raise KeyError(f"there is no language '{locale}'; languages: {', '.join(catalogs.locales)}")
    directory = load_directory(referrals or default_path())
    order = {flow_id: list(flow.steps) for flow_id, flow in flows.items()}
    sources = load_sources(flows_dir / "README.md", seeds, order)

    goto = intent_targets(intents, MAIN)

    def translate(at: str, text: str) -> str:
        return catalogs.pgettext(locale, at, text)

    reader = ScriptReader(catalogs, directory, sources, locale, moment, goto)
    chosen = [flows[only]] if only else [flows[MAIN], *_others(flows)]
    views = tuple(reader.flow(flow) for flow in chosen)
    drawings = {
        flow.id: "" if flow.id == SYSTEM else diagram(flow, translate, goto) for flow in chosen
    }
    when = format_datetime(moment, "EEEE d MMMM y, HH:mm", locale="nl")
    language = words.LANGUAGES.get(locale, locale)
    intro = f"{words.LANGUAGE.format(language=language)}. {words.CARDS_AT.format(moment=when)}"
    return Document(intro, views, drawings, locale)


def _others(flows: dict) -> list:
    """The other flows by name, the bot's own messages last."""
    rest = sorted((f for f in flows.values() if f.id not in (MAIN, SYSTEM)), key=lambda f: f.id)
    return rest + ([flows[SYSTEM]] if SYSTEM in flows else [])


def render(document: Document, form: str) -> str:
    """The document as HTML, Markdown or the drawings alone (Mermaid)."""
    if form == "html":
        return document_html(document)
    if form == "md":
        return document_markdown(document)
    # One Mermaid file holds one drawing: several are told apart by a comment line each.
    drawn = [(flow_id, text) for flow_id, text in document.drawings.items() if text]
    if len(drawn) == 1:
        return drawn[0][1]
    return "\n".join(f"%% ---- flow {flow_id} ----\n{text}" for flow_id, text in drawn)
