"""`flows check` keeps a screen to two lines besides the emergency number (issue 9, 'form'): a
man takes in two at a time, the rest goes behind a button. Whole messages are pinned."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.definitions.bundle import DEFAULT_FLOWS_DIR, check_all
from bot.problems import ERROR
from bot.runtime import directory_facts, message_length

RULE = "lines at once"

STEP = """flow: extra
title: Lijnen per regio
steps:
  - id: begin
    text: Bel of chat.
    referrals:
      - noodnummer_112
      - NL: [veilig_thuis, veilig_thuis_chat, mannenmishandeling]
        BE-VLG: [lijn_1712, lijn_1712_chat]
        default: []
    choices:
      - label: Terug naar het menu
        next: main:menu
"""


def _check(tmp_path: Path, extra: str | None):
    flows = tmp_path / "flows"
    shutil.copytree(DEFAULT_FLOWS_DIR, flows)
    if extra is not None:
        (flows / "extra.yaml").write_text(extra, "utf-8")
        main = (flows / "main.yaml").read_text("utf-8")
        menu_choice = "      - label: Andere regio kiezen\n        next: welkom\n"
        assert main.count(menu_choice) == 1
        main = main.replace(
            menu_choice, menu_choice + "      - label: Extra\n        next: extra:begin\n"
        )
        (flows / "main.yaml").write_text(main, "utf-8")
    facts, _ = directory_facts(None)
    _, _, problems = check_all(flows, facts, message_length(facts))
    return flows, [p for p in problems if p.level == ERROR and RULE in p.message]


def test_shipped_flows_show_at_most_two_lines_per_screen(tmp_path: Path) -> None:
    _, found = _check(tmp_path, None)
    assert [str(p) for p in found] == []


def test_three_lines_in_one_region_are_refused_naming_the_region(tmp_path: Path) -> None:
    flows, found = _check(tmp_path, STEP)
    assert [str(p) for p in found] == [
        f"{flows / 'extra.yaml'}:4: error: step 'begin' shows 3 lines at once in NL "
        "(veilig_thuis, veilig_thuis_chat, mannenmishandeling); a man takes in 2: keep 2 here "
        "and put the rest on a step behind a button such as 'Meer lijnen'"
    ]


def test_the_emergency_number_does_not_count_as_a_line(tmp_path: Path) -> None:
    two = STEP.replace("[veilig_thuis, veilig_thuis_chat, mannenmishandeling]", "[veilig_thuis]")
    _, found = _check(tmp_path, two)
    assert found == []
