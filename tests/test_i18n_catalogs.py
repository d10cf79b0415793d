"""Every shipped catalog is complete and safe, extraction works through plain pybabel, and a
Dutch edit fails the checks until it is translated (issue 12, items 1, 3 and 4)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.channels.telegram.texts import COMMANDS, SLOW_DOWN
from bot.cli import main as cli
from bot.definitions.bundle import DEFAULT_FLOWS_DIR
from bot.i18n import DEFAULT_LOCALES_DIR, DOMAIN, is_reviewed
from bot.i18n_checks import (
    FSI,
    PDI,
    catalog_problems,
    not_isolated,
    review_of,
    right_to_left,
    shipped,
)
from bot.i18n_extract import build_template
from bot.i18n_extractors import extract_wording

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("en", "fr", "ar", "tr", "pl")
REVIEW = re.compile(r"^# Review: (.+)$", re.M)


@pytest.fixture(scope="module")
def template():
    return build_template(DEFAULT_FLOWS_DIR)


def _po(locale: str, locales_dir: Path = DEFAULT_LOCALES_DIR) -> Path:
    return locales_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def test_every_language_is_shipped() -> None:
    assert tuple(sorted(s.locale for s in shipped(DEFAULT_LOCALES_DIR))) == tuple(sorted(LANGUAGES))


def test_every_shipped_catalog_passes(template) -> None:
    problems = catalog_problems(template, DEFAULT_LOCALES_DIR)
    assert not problems, "\n".join(map(str, problems[:20]))


@pytest.mark.parametrize("locale", LANGUAGES)
def test_header_says_who_reviewed_it_and_readme_agrees(locale: str) -> None:
    header = _po(locale).read_text(encoding="utf-8").split("msgid", 1)[0]
    [review] = REVIEW.findall(header)
    assert "not reviewed by a native speaker" in review  # true today for every language
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [row] = [line for line in readme.splitlines() if line.startswith(f"| `{locale}` ")]
    assert "not reviewed by a native speaker" in row


def test_readme_says_truthfully_which_catalogs_a_native_speaker_reviewed() -> None:
    """The README's language section names the reviewed catalogs; today there are none."""
    reviewed = [s.locale for s in shipped(DEFAULT_LOCALES_DIR) if is_reviewed(review_of(s.catalog))]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Languages", 1)[1].split("\n## ", 1)[0]
    none_yet = "No catalog has been reviewed by a native speaker yet."
    assert (none_yet in section) == (reviewed == []), reviewed


def test_a_channel_text_must_be_written_out_for_the_extractor(tmp_path) -> None:
    source = tmp_path / "texts.py"
    source.write_text('NOTE = "n"\nA = Wording("telegram:a", "Hallo", NOTE)\n', encoding="utf-8")
    with source.open("rb") as fh, pytest.raises(ValueError) as raised:
        list(extract_wording(fh, None, (), {}))
    assert str(raised.value) == f"{source}:2: Wording takes literal arguments"


def test_pybabel_extract_with_the_mapping_writes_the_same_template(template, tmp_path) -> None:
    names = {e.name for e in entry_points(group="babel.extractors")}
    if "firstcontact_flows" not in names:
        pytest.skip("entry points not installed in this venv: pip install -e .")
    out = tmp_path / "plain.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [str(pybabel), "-q", "extract", "-F", "babel.cfg", "-o", str(out), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with out.open("rb") as fh:
        plain = read_po(fh)

    def table(catalog):
        return {
            (m.context, m.id): (m.locations, " ".join(m.auto_comments)) for m in catalog if m.id
        }

    assert table(plain) == table(template)
    step = plain.get("Verder", context="eenvoudig:start")
    assert step.locations == [("flows/eenvoudig.yaml", 20)] or step.locations[0][0].endswith(
        "eenvoudig.yaml"
    )
    assert step.auto_comments == ["button under step eenvoudig:start"]
    # The channels' own words, with where they show and Telegram's limit where it has one.
    slow = plain.get(SLOW_DOWN.dutch, context="telegram:slow_down")
    assert " ".join(slow.auto_comments) == SLOW_DOWN.note  # a long comment is wrapped
    assert slow.locations[0][0] == "bot/channels/telegram/texts.py"
    menu = plain.get(COMMANDS[0][1].dutch, context="telegram:command:start")
    assert menu.auto_comments == [
        COMMANDS[0][1].note,
        "length: 3-256 characters (Telegram's limit)",
    ]
    assert plain.get("Snel weg", context="web:exit") is not None


def _copy(tmp_path: Path) -> tuple[Path, Path]:
    flows = tmp_path / "flows"
    shutil.copytree(DEFAULT_FLOWS_DIR, flows)
    locales = tmp_path / "locales"
    shutil.copytree(DEFAULT_LOCALES_DIR, locales)
    return flows, locales


def test_a_reworded_dutch_text_fails_until_translated(tmp_path, capsys) -> None:
    flows, locales = _copy(tmp_path)
    main = flows / "main.yaml"
    old = "Waar wil je mee beginnen? Kies wat het dichtst in de buurt komt."
    main.write_text(
        main.read_text(encoding="utf-8").replace(old, old.replace("Kies", "Kies gerust")),
        encoding="utf-8",
    )
    args = ["--flows-dir", str(flows), "--locales-dir", str(locales)]
    assert cli(["flows", "check", *args]) == 1
    err = capsys.readouterr().err
    for locale in LANGUAGES:
        assert f"{locale}: step main:menu has no translation" in err
    assert "firstcontact i18n update" in err
    assert cli(["i18n", "update", *args]) == 0
    capsys.readouterr()
    for locale in LANGUAGES:
        with _po(locale, locales).open("rb") as fh:
            catalog = read_po(fh)
        [menu] = [m for m in catalog if m.context == "main:menu" and m.id.startswith("Waar")]
        assert menu.fuzzy and menu.string  # the old translation kept, marked fuzzy
    assert cli(["i18n", "check", *args]) == 1
    err = capsys.readouterr().err
    assert "fr: step main:menu: the Dutch changed since it was translated (fuzzy)" in err
    assert cli(["flows", "check", *args]) == 1


def test_a_translation_with_its_own_number_or_wrong_placeholder_is_refused(tmp_path, capsys):
    flows, locales = _copy(tmp_path)
    po = _po("fr", locales)
    text = po.read_text(encoding="utf-8")
    text = text.replace('msgstr "Appeler le {phone}"', 'msgstr "Appeler le {telefoon}"')
    text = text.replace(
        "Fonctionne dans toute l'Europe.", "Fonctionne dans toute l'Europe, aussi au 0800-2000."
    )
    po.write_text(text, encoding="utf-8")
    assert cli(["i18n", "check", "--flows-dir", str(flows), "--locales-dir", str(locales)]) == 1
    err = capsys.readouterr().err
    assert "fr: a referral card line: the placeholders must be the Dutch ones (phone)" in err
    assert "fr: the directory entry noodnummer_112: the translation has a number" in err


def test_a_translation_over_telegrams_limit_is_refused(tmp_path, capsys) -> None:
    flows, locales = _copy(tmp_path)
    po = _po("pl", locales)
    short = "Anonimowe pierwsze wsparcie dla mężczyzn doświadczających przemocy w domu."
    text = po.read_text(encoding="utf-8")
    assert short in text
    po.write_text(text.replace(short, short + " Naprawdę anonimowe." * 3), encoding="utf-8")
    assert cli(["i18n", "check", "--flows-dir", str(flows), "--locales-dir", str(locales)]) == 1
    [problem] = capsys.readouterr().err.strip().splitlines()
    assert problem.endswith(
        "error: pl: the Telegram channel's text short_description: the text is 162 characters; "
        "Telegram takes 0-120 here"
    )


@pytest.mark.parametrize(
    ("text", "loose"),
    [
        (f"اتصل بـ {FSI}0800-2000{PDI}", []),
        ("اتصل بـ 0800-2000", ["0800-2000"]),
        (f"{FSI}{{phone}}{PDI} و {{time}}", ["{time}"]),
        ("موقع Mannenmishandeling.nl للرجال", ["Mannenmishandeling.nl"]),
        (f"موقع {FSI}https://www.1712.be{PDI}", []),
    ],
)
def test_right_to_left_numbers_addresses_and_placeholders_must_be_isolated(text, loose) -> None:
    assert not_isolated(text) == loose


def test_arabic_is_right_to_left_and_the_others_are_not() -> None:
    assert right_to_left("ar")
    assert not any(right_to_left(x) for x in ("nl", "en", "fr", "tr", "pl"))
