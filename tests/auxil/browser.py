"""Debian's Chromium for the browser tests (web chat, rendered review document): found once,
and a skip with the reason shown only when the machine has none."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import AsyncIterator

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


@contextlib.asynccontextmanager
async def watched_page(browser, **options) -> AsyncIterator[object]:
    """A page in a fresh context (`options` as Playwright's new_context takes them) that fails
    the test on any Content Security Policy violation or script error."""
    context = await browser.new_context(**options)
    tab = await context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    tab.on(
        "console",
        lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    yield tab
    await context.close()
    assert problems == []
