"""Formatting with Babel in each language (issue 12, item 6): weekdays, dates and times in
the locale's way, plurals through ngettext with each language's plural rule, and phone
numbers as the directory writes them (as dialled in their country) in every language; the
golden-transcript update refuses Dutch in a non-Dutch transcript."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po, write_po

from bot.application import load_runtime
from bot.engine.model import Say
from bot.i18n import DEFAULT_LOCALES_DIR
from bot.problems import DataError
from bot.runtime import Runtime
from bot.transcripts import update

BRUSSELS = ZoneInfo("Europe/Brussels")
MONDAY = datetime(2026, 11, 23, tzinfo=BRUSSELS)  # 1712 answers its phone 09:00-18:00
TRANSCRIPTS = Path(__file__).parent / "transcripts"


def _status(runtime: Runtime, locale: str, now: datetime) -> str:
    say = Say("", "test:card", ("lijn_1712",), region="BE-VLG", locale=locale)
    card = runtime.render(say, now).cards[0]  # a closed line brings an open one after it
    return card.lines[1].replace("\u2068", "").replace("\u2069", "")


@pytest.mark.parametrize(
    ("locale", "minutes", "expected"),
    [
        ("nl", 1, "Nu open — sluit over 1 minuut"),
        ("nl", 5, "Nu open — sluit over 5 minuten"),
        ("en", 1, "Open now — closes in 1 minute"),
        ("fr", 2, "Ouvert maintenant — ferme dans 2 minutes"),
        ("pl", 1, "Teraz otwarte — zamyka się za 1 minutę"),
        ("pl", 3, "Teraz otwarte — zamyka się za 3 minuty"),
        ("pl", 5, "Teraz otwarte — zamyka się za 5 minut"),
        ("pl", 22, "Teraz otwarte — zamyka się za 22 minuty"),
        ("ar", 2, "مفتوح الآن — يغلق بعد 2 دقيقتين"),
        ("ar", 7, "مفتوح الآن — يغلق بعد 7 دقائق"),
        ("ar", 15, "مفتوح الآن — يغلق بعد 15 دقيقة"),
        ("tr", 5, "Şimdi açık — 5 dakika içinde kapanıyor"),
    ],
)
def test_closing_soon_is_a_plural_in_each_language(runtime, locale, minutes, expected) -> None:
    now = MONDAY.replace(hour=17, minute=60 - minutes)
    assert _status(runtime, locale, now) == expected


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("nl", "Nu gesloten — opent maandag om 09:00"),
        ("en", "Closed now — opens Monday at 09:00"),
        ("fr", "Fermé maintenant — ouvre lundi à 09:00"),
        ("tr", "Şimdi kapalı — Pazartesi 09:00 saatinde açılır"),
        ("pl", "Teraz zamknięte — otwiera się poniedziałek o 09:00"),
        ("ar", "مغلق الآن — يفتح الاثنين الساعة 9:00 ص"),
    ],
)
def test_weekdays_and_times_in_the_locale_s_own_way(runtime, locale, expected) -> None:
    saturday = datetime(2026, 11, 28, 12, 0, tzinfo=BRUSSELS)
    assert _status(runtime, locale, saturday) == expected


@pytest.mark.parametrize("locale", ["nl", "en", "fr", "ar", "tr", "pl"])
def test_the_number_is_shown_as_dialled_in_its_country(runtime, locale) -> None:
    say = Say("", "test:card", ("veilig_thuis",), region="NL", locale=locale)
    [card] = runtime.render(say, MONDAY.replace(hour=10)).cards
    assert "0800-2000" in card.lines[0]  # never regrouped, never in another script's digits


def test_update_goldens_refuses_dutch_in_an_english_transcript(tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(DEFAULT_LOCALES_DIR, locales)
    po = locales / "en" / "LC_MESSAGES" / "firstcontact.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    [menu] = [m for m in catalog if m.context == "main:menu" and str(m.id).startswith("Waar")]
    menu.string = ""  # a Dutch edit nobody has translated yet
    with po.open("wb") as fh:
        write_po(fh, catalog, width=100)
    transcript = tmp_path / "en_nl_praten.yaml"
    shutil.copy(TRANSCRIPTS / "en_nl_praten.yaml", transcript)
    before = transcript.read_text(encoding="utf-8")
    with pytest.raises(DataError) as refused:
        update(transcript, load_runtime(locales_dir=locales))
    message = str(refused.value.problems[0])
    assert "this en turn would show Dutch for want of a translation ('Waar wil je" in message
    assert "firstcontact i18n update" in message
    assert transcript.read_text(encoding="utf-8") == before
