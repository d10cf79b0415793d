"""Live reload: a valid edit is picked up; a broken one never replaces the last good one."""

from __future__ import annotations

import logging
import os
from datetime import date

import pytest

from bot.problems import DataError
from bot.referrals import DirectoryWatcher
from bot.referrals.yamlio import write_atomically
from tests.auxil.directory import BASE, replace_line, write


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def watcher_for(path, clock):
    return DirectoryWatcher(path, interval=2.0, clock=clock, today=lambda: date(2026, 11, 23))


def test_a_valid_edit_is_picked_up_after_the_interval(tmp_path):
    path = write(tmp_path, BASE)
    clock = FakeClock()
    watcher = watcher_for(path, clock)
    first = watcher.current()
    assert first.get("vt").phone == "0800-2000"
    write_atomically(path, replace_line(BASE, 2, '  name: "Veilig Thuis (nieuw)"'))
    clock.now += 1.0
    assert watcher.current() is first  # not looked at yet: at most every 2 seconds
    clock.now += 1.0
    assert watcher.current().get("vt").name == "Veilig Thuis (nieuw)"
    assert watcher.reloads == 1


def test_an_in_place_edit_of_the_same_size_is_seen(tmp_path):
    path = write(tmp_path, BASE)
    clock = FakeClock()
    watcher = watcher_for(path, clock)
    before = path.stat().st_mtime_ns
    path.write_text(replace_line(BASE, 2, '  name: "Veilig Thuiz"'), encoding="utf-8")
    if path.stat().st_mtime_ns == before:  # coarse file system clock: make the change visible
        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))
    clock.now += 5
    assert watcher.current().get("vt").name == "Veilig Thuiz"


def test_a_broken_edit_keeps_the_last_good_directory(tmp_path, caplog):
    path = write(tmp_path, BASE)
    clock = FakeClock()
    watcher = watcher_for(path, clock)
    good = watcher.current()
    write_atomically(path, replace_line(BASE, 3, '  phone: "0800-12"'))
    clock.now += 3
    with caplog.at_level(logging.WARNING, logger="bot.referrals.watch"):
        assert watcher.current() is good
    assert watcher.rejected == 1
    messages = "\n".join(r.getMessage() for r in caplog.records)
    assert "keeping the last good directory" in messages
    assert "referrals.yaml:3: error" in messages
    caplog.clear()
    clock.now += 3
    with caplog.at_level(logging.WARNING, logger="bot.referrals.watch"):
        assert watcher.current() is good  # the same broken file is reported once, not again
    assert caplog.records == []
    write_atomically(path, replace_line(BASE, 3, '  phone: "0800-2001"'))
    clock.now += 3
    assert watcher.current().get("vt").phone == "0800-2001"


def test_a_future_date_is_also_refused(tmp_path):
    path = write(tmp_path, BASE)
    clock = FakeClock()
    watcher = watcher_for(path, clock)
    write_atomically(path, replace_line(BASE, 7, "  last_verified: 2027-01-01"))
    clock.now += 3
    assert watcher.current().get("vt").last_verified == date(2026, 11, 1)
    assert watcher.rejected == 1


def test_a_missing_file_keeps_the_last_good_directory(tmp_path):
    path = write(tmp_path, BASE)
    clock = FakeClock()
    watcher = watcher_for(path, clock)
    good = watcher.current()
    path.unlink()
    clock.now += 3
    assert watcher.current() is good


def test_a_broken_file_at_start_is_an_error(tmp_path):
    path = write(tmp_path, replace_line(BASE, 5, "  regions: [XX]"))
    with pytest.raises(DataError) as caught:
        watcher_for(path, FakeClock())
    assert caught.value.problems[0].where.line == 5


def test_live_edit_that_breaks_a_flow_hand_off_is_refused(tmp_path) -> None:
    """Marking a line the flows show as inactive must not silently empty a hand-off."""
    import os

    from bot.application import load_runtime
    from bot.referrals.load import default_path

    path = tmp_path / "referrals.yaml"
    text = default_path().read_text("utf-8")
    path.write_text(text, "utf-8")
    runtime = load_runtime(referrals_file=path)
    watcher_directory = runtime.directory
    assert watcher_directory().get("slachtofferhulp").active
    start = text.index("\nslachtofferhulp:")
    status = text.index("status: verified", start)
    path.write_text(text[:status] + "status: inactive" + text[status + 16 :], "utf-8")
    os.utime(path, ns=(1, 10**18))  # a different mtime, whatever the clock did
    watcher = runtime.directory.__self__
    watcher._checked_at = float("-inf")  # look now, not in two seconds
    assert watcher_directory().get("slachtofferhulp").active, "the broken edit was swapped in"
    assert watcher.rejected == 1


def test_a_coordinators_edit_shows_in_the_next_message(tmp_path) -> None:
    """Cards are cached per minute, but a reloaded directory is used at once."""
    import os
    from datetime import datetime

    from bot.application import load_runtime
    from bot.engine.model import Say
    from bot.referrals.load import default_path

    path = tmp_path / "referrals.yaml"
    text = default_path().read_text("utf-8")
    path.write_text(text, "utf-8")
    runtime = load_runtime(referrals_file=path)
    say = Say(text="x", context="main:praten_nl", referrals=("slachtofferhulp",), region="NL")
    now = datetime.fromisoformat("2026-11-23T10:00:00+01:00")
    before = runtime.render(say, now).plain()
    path.write_text(
        text.replace("Slachtofferhulp Nederland", "Slachtofferhulp NL (nieuw)"), "utf-8"
    )
    os.utime(path, ns=(1, 10**18))
    runtime.directory.__self__._checked_at = float("-inf")
    after = runtime.render(say, now).plain()
    assert "Slachtofferhulp NL (nieuw)" in after and "(nieuw)" not in before
