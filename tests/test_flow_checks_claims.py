"""Flow text that states a directory fact stays true: a coordinator who gives Veilig Thuis
weekday hours, or makes it paid, gets `flows check` naming the step that now says otherwise."""

from __future__ import annotations

from pathlib import Path

from bot.definitions.bundle import DEFAULT_FLOWS_DIR, check_all
from bot.definitions.claims import contradictions
from bot.engine.model import Step
from bot.referrals.load import default_path, load_directory
from tests.auxil.flowcheck import check_with

WEEKDAYS = '  hours:\n    mon-fri: "09:00-17:00"\n    sat: closed\n    sun: closed\n'


def _with_veilig_thuis(tmp_path: Path, old: str, new: str) -> Path:
    text = default_path().read_text("utf-8")
    start = text.index("veilig_thuis:")
    end = text.index("\n\n", start)
    block = text[start:end]
    assert old in block
    path = tmp_path / "referrals.yaml"
    path.write_text(text[:start] + block.replace(old, new) + text[end:], "utf-8")
    return path


def _claims(path: Path) -> list[str]:
    _, found = check_with(path)
    return [str(p) for p in found if ' says "' in p.message]


def test_the_shipped_flows_claim_nothing_the_directory_denies() -> None:
    assert _claims(default_path()) == []


def test_weekday_hours_for_veilig_thuis_make_day_and_night_untrue(tmp_path: Path) -> None:
    path = _with_veilig_thuis(tmp_path, '  hours: "24/7"\n', WEEKDAYS)
    flows, _, _ = check_all(DEFAULT_FLOWS_DIR)
    where = flows["main"].steps["praten_nl"].where
    assert _claims(path) == [
        f"{where}: error: step 'praten_nl' says \"dag en nacht\", but in NL none of the lines "
        "it shows (Veilig Thuis, Veilig Thuis — chat) is open day and "
        'night (hours: "24/7") '
        "in referrals.yaml; say it from the directory's card, or change the text"
    ]


def test_a_claim_counts_only_in_a_sentence_about_a_line() -> None:
    directory = load_directory(default_path())
    about_the_bot = Step(id="x", text="Deze chat is anoniem. Kies hieronder.", referrals=("caw",))
    assert contradictions(directory, about_the_bot) == []
    paid = Step(id="y", text="Bel gratis met de politie.", referrals=("politie_geen_spoed",))
    assert contradictions(directory, paid) == [
        "step 'y' says \"gratis\", but in NL none of the lines it shows (Politie — geen spoed) "
        "is free (free: true) in referrals.yaml; say it from the directory's card, or change "
        "the text"
    ]
