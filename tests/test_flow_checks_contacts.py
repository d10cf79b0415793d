"""`flows check` refuses a card a man cannot act on: every entry a step shows, in any region and
at any moment, has a phone, website or chat_url. Whole messages are pinned, on the shipped flows:
today's directory passes, the directory as it was on 2026-11-23 does not."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.application import load_runtime
from bot.cli import main
from bot.problems import ERROR
from bot.referrals import Directory, default_path, load_directory
from tests.auxil.flowcheck import check_with, step_where

# flows/referrals.yaml before 2026-11-29: four shelter organisations without any contact.
WITHOUT_CONTACT = Path(__file__).parent / "fixtures" / "referrals_shelters_without_contact.yaml"
RULE = "has no phone, website or chat_url"  # every message of this rule says so
FIX = "a man cannot act on that card. Add one of them in referrals.yaml,"


def _entry(directory: Directory, key: str) -> str:
    """file:line of a directory entry, read from the file that was checked."""
    return str(directory.get(key).where)


def test_the_shipped_directory_gives_every_card_a_way_to_reach_it() -> None:
    _, problems = check_with(None)
    assert [str(p) for p in problems if RULE in p.message] == []


def test_shelters_without_contact_are_refused_with_the_step_and_the_entry() -> None:
    flows, problems = check_with(WITHOUT_CONTACT)
    old = load_directory(WITHOUT_CONTACT)
    assert [str(p) for p in problems if p.level == ERROR] == [
        f"{step_where(flows, 'opties:' + step)}: error: step '{step}' shows {name} in every "
        f"region, but its entry ({key}, {_entry(old, key)}) has no phone, website or chat_url: "
        f"{FIX} or take it off this step"
        for step, key, name in (
            ("opvang_orgs2", "blijf_groep", "Blijf Groep"),
            ("opvang_orgs2", "arosa", "Arosa"),
            ("opvang_orgs3", "perspektief", "Stichting Perspektief"),
            ("opvang_orgs3", "sterk_huis", "Sterk Huis"),
        )
    ]


def test_flows_check_fails_on_that_directory(capsys) -> None:
    assert main(["flows", "check", "--referrals", str(WITHOUT_CONTACT)]) == 1
    out = capsys.readouterr()
    assert "step 'opvang_orgs2' shows Blijf Groep in every region, but its entry" in out.err
    assert out.out.strip().splitlines()[-1].startswith("FAILED: 4 error(s)")


def _with_night_line(text: str) -> str:
    """The shipped directory with 1712's when_closed pointing at a night line with no contact."""
    night = (
        "nachtlijn:\n"
        '  name: "Nachtlijn"\n'
        '  hours: "24/7"\n'
        "  regions: [BE-VLG]\n"
        "  languages: [nl]\n"
        '  source: "a test"\n'
        "  last_verified: 2026-11-29\n"
        "  checked_how: document\n"
        "  checked_by: coordinator\n"
        "  status: unverified\n"
        "  alternative: tele_onthaal\n\n"
    )
    text = text.replace("  when_closed: tele_onthaal\n", "  when_closed: nachtlijn\n", 1)
    return text.replace("tele_onthaal:\n", night + "tele_onthaal:\n", 1)


def test_a_when_closed_line_without_contact_is_refused_too(tmp_path: Path) -> None:
    """Shown only while 1712 is closed, and only in the regions it serves: still a card."""
    path = tmp_path / "referrals.yaml"
    path.write_text(_with_night_line(default_path().read_text("utf-8")), "utf-8")
    flows, problems = check_with(path)
    step = step_where(flows, "main:praten_vlg")
    night = _entry(load_directory(path), "nachtlijn")
    assert [str(p) for p in problems if p.where and str(p.where) == step] == [
        f"{step}: error: step 'praten_vlg' shows Nachtlijn while 1712 — hulplijn geweld, "
        "misbruik en kindermishandeling is closed in BE-VLG, BE-LEUVEN and before a region is "
        f"chosen, but its entry (nachtlijn, {night}) has no phone, website or chat_url: {FIX} "
        "or give 1712 — hulplijn geweld, misbruik en kindermishandeling another when_closed line"
    ]


@pytest.fixture
def runtime_on_a_copy(tmp_path: Path):
    path = tmp_path / "referrals.yaml"
    path.write_text(default_path().read_text("utf-8"), "utf-8")
    return path, load_runtime(referrals_file=path)


def test_the_running_bot_refuses_an_edit_that_leaves_a_card_without_contact(
    runtime_on_a_copy, caplog
) -> None:
    """A coordinator removing Blijf Groep's website (and marking it unconfirmed, so the file
    itself is valid) keeps the last good directory: the flows still show that card."""
    path, runtime = runtime_on_a_copy
    text = path.read_text("utf-8")
    block = text[text.index("blijf_groep:\n") : text.index("arosa:\n")]
    edited = block.replace('  website: "https://www.blijfgroep.nl"\n', "").replace(
        "  status: verified\n", "  status: unverified\n  alternative: veilig_thuis\n"
    )
    assert edited != block
    path.write_text(text.replace(block, edited), "utf-8")
    os.utime(path, ns=(1, 10**18))  # a different mtime, whatever the clock did
    watcher = runtime.directory.__self__
    watcher._checked_at = float("-inf")  # look now, not in two seconds
    assert runtime.directory().get("blijf_groep").website == "https://www.blijfgroep.nl"
    assert watcher.rejected == 1
    assert "step 'opvang_orgs2' shows Blijf Groep in every region, but its entry" in caplog.text
