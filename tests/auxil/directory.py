"""A small valid directory that referral tests break one line at a time, and line editors."""

from __future__ import annotations

from pathlib import Path

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
    """`text` with `new` put after its 1-based line `number`."""
    lines = text.splitlines()
    lines.insert(number, new)
    return "\n".join(lines) + "\n"


def write(tmp_path: Path, text: str, name: str = "referrals.yaml") -> Path:
    """The text as a directory file in the test's folder."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
