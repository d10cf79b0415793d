"""A small valid directory the referral tests break one line at a time, and the proof it is valid.

Other test_referrals_* modules import BASE and the line helpers from here."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.referrals import check_directory, load_directory

# Line numbers matter: tests point at them. Facts here are test data, not the real directory.
# Each entry ends with its languages and how and by whom it was checked.
BASE = """\
vt:
  name: "Veilig Thuis"
  phone: "0800-2000"
  hours: "24/7"
  regions: [NL]
  source: "https://veiligthuis.nl"
  last_verified: 2026-11-01
  status: verified
  languages: [nl]
  checked_how: website
  checked_by: coordinator
lijn:
  name: "Mannenlijn"
  phone: "0800-31000"
  regions: [NL]
  source: "Factsheet"
  last_verified: 2026-11-01
  status: unverified
  alternative: vt
  languages: [nl]
  checked_how: document
  checked_by: coordinator
vlg:
  name: "1712"
  phone: "1712"
  hours:
    mon-fri: "09:00-17:00"
  regions: [BE-VLG]
  source: "https://www.1712.be"
  last_verified: 2026-11-01
  status: verified
  when_closed: tele
  languages: [nl]
  checked_how: website
  checked_by: coordinator
tele:
  name: "Tele-Onthaal"
  phone: "106"
  hours: "24/7"
  regions: [BE-VLG]
  free: true
  anonymous: true
  source: "https://www.tele-onthaal.be"
  last_verified: 2026-11-01
  status: verified
  languages: [nl]
  checked_how: news
  checked_by: coordinator
"""


def replace_line(text: str, number: int, new: str) -> str:
    """`text` with its 1-based line `number` replaced (new may hold several lines)."""
    lines = text.splitlines()
    lines[number - 1] = new
    return "\n".join(lines) + "\n"


def insert_after(text: str, number: int, new: str) -> str:
    lines = text.splitlines()
    lines.insert(number, new)
    return "\n".join(lines) + "\n"


def write(tmp_path: Path, text: str, name: str = "referrals.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


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
