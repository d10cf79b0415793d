"""Debian's Chromium for the browser tests (web chat, rendered review document): found once,
and a skip with the reason shown only when the machine has none."""

from __future__ import annotations

import os
import shutil

import pytest


def find_chromium() -> str | None:
    """FIRSTCONTACT_CHROMIUM, else chromium or chromium-browser on the PATH."""
    for name in (os.environ.get("FIRSTCONTACT_CHROMIUM"), "chromium", "chromium-browser"):
        found = shutil.which(name) if name else None
        if found:
            return found
    return None


CHROMIUM = find_chromium()
NEEDS_CHROMIUM = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium on this machine: apt-get install chromium (or set "
    "FIRSTCONTACT_CHROMIUM to a Chromium binary); .ci/run installs it",
)
