"""`flows check` refuses danger screens without an open line in the man's language, on the
shipped flows: today's directory passes, the directory as it was on 2026-11-29 does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.engine.model import Flow
from bot.problems import ERROR, Problem
from tests.auxil.flowcheck import check_with, step_where

# flows/referrals.yaml before the fix: Écoute Violences Conjugales on weekdays 09:00-19:00 only.
ECOUTE_WEEKDAYS = Path(__file__).parent / "fixtures" / "referrals_ecoute_weekdays.yaml"
RULE = " open in "  # every message of the danger rule says "shows no ... line open in <region>"


@pytest.fixture(scope="module")
def broken() -> tuple[dict[str, Flow], list[Problem]]:
    return check_with(ECOUTE_WEEKDAYS)


def test_brussels_and_wallonia_at_night_are_refused(broken) -> None:
    flows, problems = broken
    night = "from Monday 19:00 to Tuesday 09:00"
    ecoute = "Écoute Violences Conjugales is closed then"
    others = (
        "1712 — hulplijn geweld, misbruik en kindermishandeling is closed then; "
        "Tele-Onthaal is open but speaks Dutch"
    )
    advice = "add a French line that is open then, or correct the hours in referrals.yaml"
    assert [str(p) for p in problems if p.level == ERROR] == [
        f"{step_where(flows, 'iemand_anders:advies')}: error: step 'advies' shows no French line "
        f"open in BE-WAL-BRU besides 112 {night} ({ecoute}; {others}); {advice}",
        f"{step_where(flows, 'main:gevaar')}: error: step 'gevaar' shows no French line open in "
        "BE-WAL-BRU besides 112 from Monday 19:00 to Tuesday 09:00 (Écoute Violences "
        "Conjugales is closed then); add a French line that is open then, or correct the hours "
        "in referrals.yaml",
        f"{step_where(flows, 'opties:politie_be')}: error: step 'politie_be' shows no French line "
        f"open in BE-WAL-BRU besides 101 {night} ({ecoute}; Aide aux victimes — "
        "Fédération Wallonie-Bruxelles has no opening hours in referrals.yaml); "
        f"{advice}",
        f"{step_where(flows, 'system:gevaar_melding')}: error: step 'gevaar_melding' shows no "
        f"French line open in BE-WAL-BRU besides 112 {night} ({ecoute}); {advice}",
        f"{step_where(flows, 'veilig:stappen')}: error: step 'stappen' shows no French line open "
        f"in BE-WAL-BRU besides 112 {night} ({ecoute}); {advice}",
        f"{step_where(flows, 'veilig:risico_ja')}: error: step 'risico_ja' shows no French line "
        f"open in BE-WAL-BRU besides 112 {night} ({ecoute}); {advice}",
    ]


def test_the_shipped_directory_passes_the_rule_everywhere() -> None:
    _, problems = check_with(None)
    assert [str(p) for p in problems if RULE in p.message] == []


def test_flows_check_fails_on_the_directory_as_it_was(capsys) -> None:
    assert main(["flows", "check", "--referrals", str(ECOUTE_WEEKDAYS)]) == 1
    out = capsys.readouterr()
    assert "step 'gevaar' shows no French line open in BE-WAL-BRU besides 112" in out.err
    assert out.out.strip().splitlines()[-1].startswith("FAILED: 6 error(s)")


def test_the_running_bot_refuses_an_edit_that_closes_the_night(tmp_path, caplog) -> None:
    """A coordinator setting Écoute back to weekday hours keeps the last good directory."""
    import os

    from bot.application import load_runtime
    from bot.referrals.load import default_path

    path = tmp_path / "referrals.yaml"
    path.write_text(default_path().read_text("utf-8"), "utf-8")
    runtime = load_runtime(referrals_file=path)
    path.write_text(ECOUTE_WEEKDAYS.read_text("utf-8"), "utf-8")
    os.utime(path, ns=(1, 10**18))  # a different mtime, whatever the clock did
    watcher = runtime.directory.__self__
    watcher._checked_at = float("-inf")  # look now, not in two seconds
    assert runtime.directory().get("ecoute_violences").hours.always
    assert watcher.rejected == 1
    assert "step 'gevaar' shows no French line open in BE-WAL-BRU" in caplog.text
