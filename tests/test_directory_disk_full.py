"""Fault test: the disk under the SQLite directory is full when a coordinator saves a change.

The running bot's runtime reads the directory from the database (polled by its watcher); the
disk is then filled (a tiny tmpfs, or SQLite's max_page_count where no tmpfs can be mounted:
tests/auxil/fulldisk.py) and a coordinator runs `referrals set`. He is told in plain words
that nothing was saved and what to do (pinned whole); the running bot keeps serving the old
directory; once there is room again the database passes `PRAGMA integrity_check`, still holds
the previous version as the newest, and the same change saves.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime
from pathlib import Path

import pytest

from bot.application import load_runtime
from bot.directory_source import DatabaseSource
from bot.engine.model import Say
from tests.auxil.fulldisk import full_disk
from tests.auxil.referralscli import SHIPPED, run

SAY = Say(text="x", context="opties:politie_nl", referrals=("slachtofferhulp",), region="NL")
NOW = datetime.fromisoformat("2026-11-23T10:00:00+01:00")
CHANGE = ("referrals", "set", "slachtofferhulp", "serves=Hulp na een misdrijf.")
LOOK_LIMIT = 120.0  # seconds to wait for the watcher's next looks (an event, not a bound)


def next_looks(watcher, count: int) -> None:
    """Wait until the running bot's watcher has looked for a new version `count` more times."""
    target = watcher.looks + count
    done = threading.Event()
    deadline = threading.Timer(LOOK_LIMIT, done.set)
    deadline.start()
    try:
        while watcher.looks < target and not done.wait(0.05):
            pass
    finally:
        deadline.cancel()
    assert watcher.looks >= target, "the watcher stopped looking"


@pytest.mark.parametrize("how", ["tmpfs", "max_page_count"])
def test_a_full_disk_refuses_the_change_and_keeps_the_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, how: str
) -> None:
    try:
        disk_cm = full_disk(tmp_path / "disk", how)
        disk = disk_cm.__enter__()
    except PermissionError as exc:
        pytest.skip(f"{exc}; the max_page_count case covers this machine")
    try:
        database = disk.folder / "firstcontact.sqlite"
        url = f"sqlite:///{database}"
        monkeypatch.setenv("FIRSTCONTACT_DATABASE_URL", url)
        source = DatabaseSource(url, SHIPPED)  # the running bot's, seeded from the shipped file
        runtime = load_runtime(referrals_source=source)
        watcher = runtime.directory.__self__
        watcher.interval = 0.1
        try:
            before_text, before_version = source.read()
            assert "Bel 0900-0101" in runtime.render(SAY, NOW).plain()
            disk.fill(database)
            capsys.readouterr()
            assert run(*CHANGE, "--by", "Anna", "--yes") == 1
            err = capsys.readouterr().err
            assert err.splitlines() == [
                "Nothing was changed: the disk that holds the directory's database is full. The "
                f"directory stays at version {before_version} and every running bot keeps using "
                "it. Free some space on that disk, then run the command again."
            ]
            next_looks(watcher, 3)  # the running bot looked again, and again
            shown = runtime.render(SAY, NOW).plain()
            assert "Bel 0900-0101" in shown and "Hulp na een misdrijf." not in shown
            assert watcher.rejected == 0
        finally:
            disk.free()
            watcher.stop()
            source.close()
        with sqlite3.connect(database) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        reopened = DatabaseSource(url, SHIPPED)
        try:
            assert reopened.read() == (before_text, before_version)  # the previous one, whole
        finally:
            reopened.close()
        assert run(*CHANGE, "--by", "Anna", "--yes") == 0  # room again: the same change saves
        assert "Saved as version" in capsys.readouterr().out
    finally:
        disk_cm.__exit__(None, None, None)
