"""The base directory in tests/auxil/directory.py is valid, and its line editors are exact."""

from __future__ import annotations

from datetime import date

from bot.referrals import check_directory, load_directory
from tests.auxil.directory import BASE, insert_after, replace_line, write


def test_base_is_valid(tmp_path):
    directory = load_directory(write(tmp_path, BASE))
    assert directory.keys() == ("vt", "lijn", "vlg", "tele")
    assert check_directory(directory, date(2026, 11, 23)) == []


def test_line_helpers_touch_only_the_named_line():
    changed = replace_line(BASE, 2, '  name: "Ander"')
    assert changed.splitlines()[1] == '  name: "Ander"'
    assert changed.splitlines()[2:] == BASE.splitlines()[2:]
    added = insert_after(BASE, 2, "  free: true")
    assert added.splitlines()[2] == "  free: true"
    assert added.splitlines()[3] == BASE.splitlines()[2]
