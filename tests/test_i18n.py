"""The English catalog: complete, safe to show (no numbers, placeholders kept) and really used."""

from __future__ import annotations

import re
import string
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot.application import load_runtime
from bot.channels.conversation import Conversation
from bot.definitions.bundle import DEFAULT_FLOWS_DIR, load_all
from bot.definitions.text import YEAR
from bot.engine.engine import LANGUAGE_NAMES, SYSTEM
from bot.engine.model import Say, Start
from bot.i18n import DEFAULT_LOCALES_DIR, DOMAIN, load_catalogs, referral_context
from bot.i18n_extract import build_template
from bot.referrals.load import default_path, load_directory
from bot.regions import REGIONS
from bot.runtime import LONGEST_MOMENT, Runtime

EN_PO = DEFAULT_LOCALES_DIR / "en" / "LC_MESSAGES" / f"{DOMAIN}.po"
MAX_LABEL = 32  # Telegram shows longer button labels cut off
MAX_MESSAGE = 4096  # Telegram's limit for one message
NUMBER = re.compile(r"\d{3,}")
QUOTED = re.compile(r"\"([^\"]+)\"")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
Key = tuple[str | None, str]


@pytest.fixture(scope="module")
def template() -> Catalog:
    return build_template(DEFAULT_FLOWS_DIR)


@pytest.fixture(scope="module")
def english() -> Catalog:
    with EN_PO.open("rb") as fh:
        return read_po(fh, locale="en")


@pytest.fixture(scope="module")
def translations(english: Catalog) -> dict[Key, str]:
    return {(m.context, str(m.id)): str(m.string) for m in english if m.id and m.string}


def _buttons() -> dict[Key, str]:
    """Every label shown on a button, by (context, Dutch label), as the engine builds them."""
    flows, intents, problems = load_all(DEFAULT_FLOWS_DIR)
    assert not problems and intents is not None
    labels: dict[Key, str] = {}
    for flow in flows.values():
        for step in flow.steps.values():
            for choice in step.choices:
                labels[(f"{flow.id}:{step.id}", choice.label)] = choice.label
    for name, spec in intents.specs.items():
        if spec.button:
            labels[(f"intent:{name}", spec.button)] = spec.button
    menu = flows[SYSTEM].steps["menu_button"].text  # added under every end step
    labels[(f"{SYSTEM}:menu_button", menu)] = menu
    return labels


def _fields(text: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


def _start_in_english(runtime: Runtime) -> Say:
    session, replies = runtime.engine.resume(None, Start(locale="en-GB"), NOW.timestamp())
    assert session is not None and session.locale == "en"
    [say] = replies
    return say


# ---- the catalog itself ---------------------------------------------------------------------


def test_english_covers_every_current_text_without_fuzzy(
    template: Catalog, english: Catalog
) -> None:
    wanted = {(m.context, str(m.id)) for m in template if m.id}
    done = {(m.context, str(m.id)) for m in english if m.id and m.string and not m.fuzzy}
    fuzzy = sorted(f"{m.context}: {m.id[:40]}" for m in english if m.id and m.fuzzy)
    assert len(wanted) > 200
    assert not sorted(wanted - done), "untranslated: run `firstcontact i18n update en`"
    assert not fuzzy, f"fuzzy translations are shown in Dutch: {fuzzy}"


def test_translations_keep_the_placeholders(translations: dict[Key, str]) -> None:
    with_fields = {k: v for k, v in translations.items() if _fields(k[1])}
    assert len(with_fields) >= 8  # the referral card lines: {name}, {phone}, {date}, ...
    wrong = [
        (ctx, msgid, text)
        for (ctx, msgid), text in translations.items()
        if _fields(msgid) != _fields(text)
    ]
    assert not wrong


def _numbers(text: str) -> list[str]:
    """Numbers of three or more digits, sorted; a year ("in 2016") is not a phone number."""
    return sorted(n for n in NUMBER.findall(text) if not YEAR.match(n))


def test_no_translation_holds_a_phone_number(translations: dict[Key, str]) -> None:
    """Numbers come from flows/referrals.yaml, never from a translator.

    Flow texts hold none (`flows check` refuses them), so their translations may hold none; a
    directory entry's name or `serves` line may name its number ("1712 — ..."), and then the
    translation holds exactly that number and no other.
    """
    found = {k: _numbers(v) for k, v in translations.items() if _numbers(v) != _numbers(k[1])}
    assert not found
    with_numbers = [context for context, msgid in translations if _numbers(msgid)]
    assert with_numbers and all(str(c).startswith("referral:") for c in with_numbers)


def test_translated_button_labels_fit(translations: dict[Key, str]) -> None:
    buttons = _buttons()
    assert len(buttons) > 100
    too_long = {k: translations[k] for k in buttons if len(translations.get(k, "")) > MAX_LABEL}
    missing = [k for k in buttons if k not in translations]
    assert not missing and not too_long


def test_quoted_button_labels_are_quoted_in_english(translations: dict[Key, str]) -> None:
    """'Kies "Nu met iemand praten"' must name the English button the man really sees."""
    english_labels: dict[str, set[str]] = {}
    for key in _buttons():
        english_labels.setdefault(key[1], set()).add(translations[key])
    checked = 0
    for (ctx, msgid), text in translations.items():
        for quoted in QUOTED.findall(msgid):
            if quoted in english_labels:
                checked += 1
                assert any(f'"{label}"' in text for label in english_labels[quoted]), (ctx, quoted)
    assert checked >= 5


def test_words_the_english_help_tells_him_to_type_work(
    runtime: Runtime, translations: dict[Key, str]
) -> None:
    words = QUOTED.findall(translations[("main:hulp", _msgid(translations, "main:hulp"))])
    assert len(words) >= 4
    for word in words:
        assert runtime.engine.intents.match(word) is not None, word


def _msgid(translations: dict[Key, str], context: str) -> str:
    [msgid] = [m for (ctx, m) in translations if ctx == context and "\n" in m]
    return msgid


# ---- the bot speaks it ------------------------------------------------------------------------


def test_start_with_an_english_client_greets_in_english(
    runtime: Runtime, translations: dict[Key, str]
) -> None:
    say = _start_in_english(runtime)
    message = runtime.render(say, NOW)
    assert message.text == translations[(say.context, say.text)]
    assert message.text != say.text and message.text.startswith("Hi.")
    labels = [b.label for b in message.buttons]
    assert labels == [translations[(b.context, b.label)] for b in say.buttons]
    assert "Flanders" in labels and "Vlaanderen" not in labels


def test_cards_are_english_in_an_english_conversation(runtime: Runtime) -> None:
    conversation = Conversation(runtime, locale="en", region="NL", clock=lambda: NOW)
    conversation.start()
    [reply] = conversation.press("The Netherlands")
    [reply] = conversation.press("Talk to someone now")
    [first, *_] = reply.cards
    assert first.lines[0].startswith("Call ") and any(
        line.startswith("According to the website of ") for line in first.lines
    )
    assert not any(line.startswith(("Bel ", "Volgens ")) for line in first.lines)
    # The directory's own words too: who each line is for, and descriptive names.
    assert "Advice and reporting centre for domestic violence" in "\n".join(first.lines)
    [reply] = conversation.press("Rather read first")
    [site] = reply.cards  # Mannenmishandeling.nl, one screen further
    text = "\n".join(site.lines)
    assert "Information about violence against men" in text and "Informatie" not in text


def test_every_shown_directory_entry_is_in_the_catalog(template: Catalog) -> None:
    directory = load_directory(default_path())
    contexts = {m.context for m in template if m.id}
    for entry in directory.entries:
        assert (referral_context(entry.key) in contexts) == entry.active, entry.key
    serves = {(m.context, str(m.id)) for m in template if m.id}
    assert all((referral_context(e.key), e.serves) in serves for e in directory.entries if e.active)


def test_a_directory_edit_shows_dutch_until_it_is_translated(tmp_path: Path) -> None:
    """A stale translation would describe the old facts: the new Dutch text is shown instead."""
    edited = (
        default_path()
        .read_text(encoding="utf-8")
        .replace(
            "Advies- en meldpunt huiselijk geweld:", "Advies- en meldpunt bij huiselijk geweld:"
        )
    )
    referrals = tmp_path / "referrals.yaml"
    referrals.write_text(edited, encoding="utf-8")
    runtime = load_runtime(referrals_file=referrals)
    conversation = Conversation(runtime, locale="en", region="NL", clock=lambda: NOW)
    conversation.start()
    conversation.press("The Netherlands")
    [reply] = conversation.press("Talk to someone now")
    [first, *_] = reply.cards
    text = "\n".join(first.lines)
    assert "Advies- en meldpunt bij huiselijk geweld:" in text
    assert "Advice and reporting centre" not in text
    assert first.lines[0].startswith("Call ")  # the rest of the card stays English


def test_switching_language_by_typing(runtime: Runtime, translations: dict[Key, str]) -> None:
    conversation = Conversation(runtime, clock=lambda: NOW)
    [greeting] = conversation.send("/start")
    assert greeting.text.startswith("Hoi.")
    conversation.press("Nederland")
    switched, note = conversation.send("English")
    assert conversation.session is not None and conversation.session.locale == "en"
    assert switched.text == translations[("system:language_switched", _switched(runtime))]
    assert "English" in switched.text
    assert note.text.startswith("This translation has not been checked yet")
    assert "My options at a glance" in [b.label for b in note.buttons]
    [back] = conversation.send("nederlands")
    assert conversation.session.locale == "nl"
    assert back.text == _switched(runtime)
    assert "Mijn opties op een rij" in [b.label for b in back.buttons]


def test_switching_language_with_the_language_buttons(runtime: Runtime) -> None:
    conversation = Conversation(runtime, clock=lambda: NOW)
    conversation.send("/start")
    [question] = conversation.send("taal")
    names = [LANGUAGE_NAMES[locale] for locale in runtime.engine.locales]
    assert names[:3] == ["Nederlands", "Français", "English"]
    assert [b.label for b in question.buttons] == [*names, "Ik ben nu in gevaar"]
    *_, switched = conversation.press("English")  # then a note: English is not reviewed
    assert conversation.session is not None and conversation.session.locale == "en"
    assert "The Netherlands" in [b.label for b in switched.buttons]


def _switched(runtime: Runtime) -> str:
    return runtime.engine.system.steps["language_switched"].text


def test_english_messages_with_their_cards_fit_telegram(runtime: Runtime) -> None:
    longest = 0
    for flow_id, compiled in runtime.engine.flows.items():
        for step in compiled.flow.steps.values():
            for region in (None, *REGIONS):
                keys = step.referral_keys(region)
                say = Say(step.text, f"{flow_id}:{step.id}", keys, region=region, locale="en")
                length = len(runtime.render(say, LONGEST_MOMENT).plain())
                assert length <= MAX_MESSAGE, (flow_id, step.id, region, length)
                longest = max(longest, length)
    assert longest > 500


# ---- a half-finished language is safe -------------------------------------------------------


def _partial_po(locales: Path, template: Catalog) -> None:
    """Only the greeting translated, the danger button fuzzy, everything else missing."""
    po = locales / "en" / "LC_MESSAGES" / f"{DOMAIN}.po"
    po.parent.mkdir(parents=True)
    welkom = next(m for m in template if m.context == "main:welkom" and "\n" in str(m.id))
    danger = next(m for m in template if m.context == "intent:emergency")
    po.write_text(
        f'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        f'msgctxt "main:welkom"\nmsgid {_quote(str(welkom.id))}\nmsgstr "Hi. Partly English."\n\n'
        f'#, fuzzy\nmsgctxt "intent:emergency"\nmsgid {_quote(str(danger.id))}\n'
        f'msgstr "In danger"\n',
        encoding="utf-8",
    )


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def test_missing_or_fuzzy_translations_fall_back_to_dutch(
    tmp_path: Path, template: Catalog
) -> None:
    _partial_po(tmp_path, template)
    catalogs = load_catalogs(tmp_path)
    assert catalogs.locales == ("nl", "en")
    assert catalogs.negotiate("en-GB") == "en"
    partial = load_runtime(locales_dir=tmp_path)
    say = _start_in_english(partial)
    message = partial.render(say, NOW)
    assert message.text == "Hi. Partly English."
    labels = [b.label for b in message.buttons]
    assert labels[0] == "Nederland"  # not translated: Dutch
    assert labels[-1] == "Ik ben nu in gevaar"  # fuzzy: Dutch
