"""The directory's records on a YAML file: the most overdue first, the next check due,
add and retire with the same checks as set, and overdue entries flagged by `flows check`."""

from __future__ import annotations

from datetime import date

from bot.cli import main
from bot.commands import referrals as command
from bot.referrals import load_directory
from bot.referrals.checks import next_check_due
from tests.auxil.referralscli import run

LATER = date(2027, 6, 1)  # most entries were checked on 2026-11-29: due on 2027-05-28


def test_list_puts_the_longest_unchecked_first_and_marks_overdue(copy, monkeypatch, capsys):
    monkeypatch.setattr(command, "today", lambda: LATER)
    assert run("referrals", "list", "--older-than", "150", "--file", str(copy)) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0].split()[:9] == [
        "KEY", "STATUS", "PHONE", "HOURS", "REGIONS", "CHECKED", "EVERY", "NEXT", "CHECK",
    ]  # fmt: skip
    entries = load_directory(copy).entries
    checked = {e.key: e.last_verified for e in entries}
    due = {e.key: next_check_due(e) for e in entries}
    listed = [row.split()[0] for row in rows[1:]]
    assert listed and all((LATER - checked[key]).days > 150 for key in listed)
    assert [due[key] for key in listed] == sorted(due[key] for key in listed)  # stale first
    row = next(line for line in rows if line.startswith("lijn_1712 "))
    assert " 180d " in row and "2027-05-28 OVERDUE" in row
    row = next(line for line in rows if line.startswith("noodnummer_112 "))
    assert " 90d " in row and "2027-02-21 OVERDUE" in row  # checked every 90 days
    assert listed.index("noodnummer_112") < listed.index("lijn_1712")
    assert run("referrals", "list", "--status", "inactive", "--file", str(copy)) == 0
    listed = [row.split()[0] for row in capsys.readouterr().out.splitlines()[1:]]
    assert set(listed) == {e.key for e in entries if e.status == "inactive"}


def test_show_gives_the_next_check(copy, monkeypatch, capsys):
    monkeypatch.setattr(command, "today", lambda: date(2026, 12, 1))
    assert run("referrals", "show", "lijn_1712", "--file", str(copy)) == 0
    assert "  next check due: 2027-05-28 (every 180 days, the default)\n" in capsys.readouterr().out
    assert run("referrals", "show", "tele_onthaal", "--file", str(copy)) == 0
    out = capsys.readouterr().out
    assert "  check_every_days: 90   (line " in out
    assert "  next check due: 2027-02-27 (every 90 days)\n" in out


def test_flows_check_warns_about_each_overdue_entry(copy, monkeypatch, capsys):
    text = copy.read_text("utf-8")
    line = text.splitlines().index("lijn_1712:")
    at = text.index("last_verified: 2026-11-29", text.index("\nlijn_1712:"))
    copy.write_text(text[:at] + "last_verified: 2026-01-05" + text[at + 25 :], "utf-8")
    lines = copy.read_text("utf-8").splitlines()
    number = next(i for i in range(line, len(lines)) if "2026-01-05" in lines[i]) + 1
    assert main(["flows", "check", "--referrals", str(copy)]) == 0  # a warning, not an error
    out = capsys.readouterr().out
    days = (date.today() - date(2026, 1, 5)).days
    assert (
        f"{copy}:{number}: warning: lijn_1712: its check was due on 2026-07-04 (last checked "
        f"{days} days ago, 2026-01-05; due every 180 days); please check it again and run "
        "`firstcontact referrals verify lijn_1712`"
    ) in out.splitlines()


def test_add_checks_the_new_entry_like_any_other(copy, monkeypatch, capsys):
    monkeypatch.setattr(command, "today", lambda: date(2026, 12, 1))
    argv = (
        "referrals", "add", "lijn_x", "name=Lijn X", "phone=+31 800 12", "regions=NL",
        "languages=nl", "--method", "website", "--source", "https://www.lijnx.nl/contact",
        "--by", "Anna", "--file", str(copy),
    )  # fmt: skip
    assert run(*argv) == 1
    err = capsys.readouterr().err
    assert "lijn_x: phone '+31 800 12' is not a valid number in the Netherlands" in err
    valid = [a.replace("+31 800 12", "+31 800 1235") for a in argv]
    assert run(*valid) == 0, capsys.readouterr().err
    entry = load_directory(copy).get("lijn_x")
    assert (entry.phone, entry.status, entry.checked_by) == ("0800-1235", "verified", "Anna")
    assert entry.last_verified == date(2026, 12, 1)
    assert "No step shows a different card: no flow shows this entry now." in (
        capsys.readouterr().out
    )
    assert run(*valid) == 1
    assert capsys.readouterr().err == (
        "Nothing was changed: there is already an entry 'lijn_x'; change it with set.\n"
    )


def test_retire_refuses_an_entry_a_flow_shows_and_marks_another_defunct(copy, capsys):
    argv = ("--reason", "closed (its own site)", "--by", "Anna", "--file", str(copy))
    assert run("referrals", "retire", "slachtofferhulp", *argv) == 1
    assert "which is marked inactive in referrals.yaml" in capsys.readouterr().err
    assert run("referrals", "retire", "mannenlijn", *argv) == 0
    assert load_directory(copy).get("mannenlijn").status == "defunct"


def test_history_of_a_file_says_where_the_history_is(copy, capsys):
    assert run("referrals", "history", "--file", str(copy)) == 1
    assert capsys.readouterr().err == (
        f"The directory is the file {copy}, which keeps no history of its own (git does: git "
        "log -p on it). In the database every change is kept.\n"
    )
