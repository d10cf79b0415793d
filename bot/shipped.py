"""Where this checkout keeps its data (flows/, flows/referrals.yaml, locales/): the defaults
bot.config falls back on when FIRSTCONTACT_FLOWS_DIR, _REFERRALS and _LOCALES_DIR are unset.

Found from this file rather than `bot.__file__`, which is None when the editable install
imports `bot` as a namespace package (running `firstcontact` outside the project).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLOWS_DIR = ROOT / "flows"
REFERRALS_FILE = FLOWS_DIR / "referrals.yaml"
LOCALES_DIR = ROOT / "locales"
