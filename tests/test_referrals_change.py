"""A coordinator's change is refused when the bot would refuse it, needs --force when it is
probably a mistake, and shows what the man will see differently before it is saved."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.commands import referrals as command
from bot.referrals import load_directory
from tests.auxil.referralscli import CHECK_DAY, SHIPPED, run


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(command, "today", lambda: CHECK_DAY)


def line_of(path: Path, text: str, after: str = "") -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index(after) if after else 0
    return next(i for i, line in enumerate(lines) if i >= start and line == text) + 1


def test_an_entry_a_flow_shows_cannot_be_made_inactive(copy, capsys):
    before = copy.read_bytes()
    assert run("referrals", "set", "slachtofferhulp", "status=inactive", "--file", str(copy)) == 1
    err = capsys.readouterr().err.splitlines()
    flows = SHIPPED.parent / "opties.yaml"
    assert err[0] == "Nothing was changed: the bot would refuse the directory with this change:"
    assert (
        f"  {flows}:{line_of(flows, '  - id: politie_nl')}: error: step 'politie_nl' shows "
        "referral 'slachtofferhulp', which is marked inactive in referrals.yaml" in err
    )
    assert copy.read_bytes() == before


def test_a_change_that_leaves_a_danger_screen_without_an_open_line_is_refused(copy, capsys):
    before = copy.read_bytes()
    assert run("referrals", "set", "lijn_1712", "when_closed=", "--file", str(copy)) == 1
    err = capsys.readouterr().err
    flows = SHIPPED.parent / "opties.yaml"
    assert (
        f"  {flows}:{line_of(flows, '  - id: politie_be')}: error: step 'politie_be' shows no "
        "Dutch "
        "line open in BE-VLG besides 101 from Monday 18:00 to Tuesday 09:00 (1712 — hulplijn "
        "geweld, misbruik en kindermishandeling is closed then; Slachtofferhulp van het CAW has "
        "no opening hours in referrals.yaml); add a Dutch line that is open then, or correct the "
        "hours in referrals.yaml"
    ) in err.splitlines()
    assert copy.read_bytes() == before


def test_an_emergency_number_in_place_of_a_helpline_is_refused(copy, capsys):
    before = copy.read_bytes()
    argv = ("set", "veilig_thuis", "phone=112", "--source", "https://veiligthuis.nl")
    assert run("referrals", *argv, "--file", str(copy)) == 1
    line = line_of(copy, '  phone: "0800-2000"')
    assert capsys.readouterr().err.splitlines()[1] == (
        f"  {copy}:{line}: error: veilig_thuis: 112 is an emergency number, not this line's own "
        "number; write the line's number (the bot shows 112 on a card of its own), or add "
        "emergency: true if this entry is the emergency service"
    )
    assert copy.read_bytes() == before


def test_a_number_is_stored_in_one_spelling_however_it_is_typed(copy, capsys):
    argv = ("phone=+31 800 2001", "--source", "https://veiligthuis.nl", "--verified-today")
    assert run("referrals", "set", "veilig_thuis", *argv, "--file", str(copy)) == 0
    assert load_directory(copy).get("veilig_thuis").phone == "0800-2001"
    assert "veilig_thuis.phone: 0800-2000 -> 0800-2001" in capsys.readouterr().out
    argv = ("phone=080099533", "--source", "https://www.1712.be", "--verified-today")
    assert run("referrals", "set", "lijn_1712", *argv, "--file", str(copy)) == 0
    assert load_directory(copy).get("lijn_1712").phone == "0800 99 533"


def test_set_shows_the_steps_and_what_the_man_sees_before_saving(copy, capsys):
    argv = ("phone=0800-2001", "--source", "https://veiligthuis.nl", "--dry-run")
    before = copy.read_bytes()
    assert run("referrals", "set", "veilig_thuis", *argv, "--file", str(copy)) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == [
        "veilig_thuis.phone: 0800-2000 -> 0800-2001",
        "veilig_thuis.source: https://www.veiligthuisutrecht.nl/over-ons/wat-doet-veilig-thuis/"
        " -> https://veiligthuis.nl",
    ]
    assert out[2] == "What a man will see differently (cards in Dutch):"
    assert out[3:8] == [
        "  now:",
        "    - Bel 0800-2000",
        "    - Volgens de website van veiligthuisutrecht.nl, nagekeken op 29 november 2026",
        "    + Bel 0800-2001",
        "    + Volgens de website van veiligthuis.nl, nagekeken op 29 november 2026",
    ]
    steps = " ".join(line.strip() for line in out[8:] if not line.startswith(("  now", "    -")))
    assert "main:gevaar (NL)" in steps and "system:gevaar_melding (NL)" in steps
    assert out[-1] == "Dry run: nothing was saved."
    assert copy.read_bytes() == before


@pytest.mark.parametrize(
    ("argv", "risk"),
    [
        (
            ("aide_victimes_fwb", "website=http://www.victimes.cfwb.be/", "--verified-today"),
            "website http://www.victimes.cfwb.be/ is not encrypted: anyone on his network (a "
            "partner on the home wifi, say) can see which page he opens, or change it; find its "
            "https:// address, or add --force to save it as it is",
        ),
        (
            ("lijn_1712", "hours=mon-fri 18:00-09:00", "--verified-today"),
            "hours 18:00-09:00 run past midnight: open from 18:00 until 09:00 the next morning, "
            "and closed during the day; if you meant 09:00-18:00, write that; if the line really "
            "answers at night, add --force",
        ),
        (
            ("veilig_thuis", "phone=0800-2001"),
            "phone changed, but not where or when it was checked: the card would still say it "
            "was checked on 2026-11-29 against "
            "https://www.veiligthuisutrecht.nl/over-ons/wat-doet-veilig-thuis/; add --source and "
            "--verified-today (or use 'referrals verify'), or --force",
        ),
    ],
)
def test_a_probable_mistake_needs_force_and_says_why(copy, capsys, argv, risk):
    before = copy.read_bytes()
    assert run("referrals", "set", *argv, "--file", str(copy)) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == ["Nothing was changed: this edit needs --force, because:", f"  - {risk}"]
    assert copy.read_bytes() == before
    assert run("referrals", "set", *argv, "--force", "--file", str(copy)) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-3:-1] == ["Saved with --force, although:", f"  - {risk}"]
    assert copy.read_bytes() != before


def test_saved_says_what_happens_next(copy, capsys):
    argv = ("serves=Voor mannen", "--file", str(copy))
    assert run("referrals", "set", "mannenlijn", *argv) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"Saved {copy}. Every running bot uses it from its next look, within a few seconds."
    )
