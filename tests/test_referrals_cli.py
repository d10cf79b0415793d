"""`firstcontact referrals ...` as a coordinator uses it, on a copy of the shipped file."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from bot.commands import referrals as command
from bot.referrals import load_directory
from tests.auxil.referralscli import CHECK_DAY, build_parser, run


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(command, "today", lambda: CHECK_DAY)


def comments(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("#")]


def changed_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), n=0, lineterm="")
    return [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_every_subcommand_help_has_an_example():
    parser = build_parser()
    top = parser._subparsers._group_actions[0].choices["referrals"]
    assert "Example: firstcontact referrals" in top.format_help()
    actions = top._subparsers._group_actions[0].choices
    assert set(actions) == {
        *("check", "list", "show", "set", "verify"),
        *("add", "retire", "history", "export", "import"),
    }
    for name, sub in actions.items():
        assert f"Example: firstcontact referrals {name}" in sub.format_help(), name


def test_check_passes_on_the_shipped_file(copy, capsys):
    assert run("referrals", "check", "--file", str(copy)) == 0
    assert "0 error(s)" in capsys.readouterr().out


def test_check_fails_with_file_and_line(copy, capsys):
    text = copy.read_text(encoding="utf-8").replace('phone: "0800-2000"', 'phone: "0800-20"')
    copy.write_text(text, encoding="utf-8")
    assert run("referrals", "check", "--file", str(copy)) == 1
    err = capsys.readouterr().err
    line = text.splitlines().index('  phone: "0800-20"') + 1
    assert f"{copy}:{line}: error: veilig_thuis: phone '0800-20'" in err


def test_check_reads_the_environment_setting(copy, monkeypatch, capsys):
    """With memory:// sessions (one process) the file is the directory itself."""
    monkeypatch.setenv("FIRSTCONTACT_REFERRALS", str(copy))
    monkeypatch.setenv("FIRSTCONTACT_DATABASE_URL", "memory://")
    assert run("referrals", "check") == 0
    assert str(copy) in capsys.readouterr().out


def test_list_by_region_follows_the_region_chain(copy, capsys):
    assert run("referrals", "list", "--region", "BE-LEUVEN", "--file", str(copy)) == 0
    out = capsys.readouterr().out
    listed = [line.split()[0] for line in out.splitlines()[1:]]
    assert "mannenklap" in listed and "lijn_1712" in listed and "noodnummer_112" in listed
    assert "veilig_thuis" not in listed
    row = next(line for line in out.splitlines() if line.startswith("lijn_1712 "))
    assert "2026-11-29 website" in row  # when and how it was checked


def test_show_prints_fields_with_lines_and_the_card(copy, capsys):
    assert run("referrals", "show", "perspektief", "--file", str(copy)) == 0
    out = capsys.readouterr().out
    assert "status: unverified" in out
    assert "bel bij twijfel 0800-2000 (Veilig Thuis)" in out
    assert run("referrals", "show", "mannenklap", "--file", str(copy)) == 0
    out = capsys.readouterr().out
    assert "status: inactive" in out and "Mannenklap" not in out.split("How the bot")[1]
    assert run("referrals", "show", "mannenklp", "--file", str(copy)) == 1
    assert "did you mean 'mannenklap'" in capsys.readouterr().out


def test_set_changes_only_the_named_lines_and_keeps_comments(copy, capsys):
    before = copy.read_text(encoding="utf-8")
    code = run(
        "referrals", "set", "lijn_1712", "hours=mon-fri 09:00-19:00", "--verified-today",
        "--file", str(copy),
    )  # fmt: skip
    assert code == 0, capsys.readouterr()
    after = copy.read_text(encoding="utf-8")
    assert comments(after) == comments(before)
    assert changed_lines(before, after) == [
        "-  hours:",
        '-    mon-fri: "09:00-18:00"',
        '+  hours: "mon-fri 09:00-19:00"',
        "-  last_verified: 2026-11-29",
        "+  last_verified: 2026-12-01",
    ]
    entry = load_directory(copy).get("lijn_1712")
    assert entry.hours.week[0] == ((9 * 60, 19 * 60),)
    assert len(entry.hours.holidays) == 20  # the holidays stay as they were
    assert "lijn_1712.hours" in capsys.readouterr().out


def test_a_new_field_goes_above_the_next_section_comment(copy):
    assert run("referrals", "set", "politie_101", "note=urgent only", "--file", str(copy)) == 0
    lines = copy.read_text(encoding="utf-8").splitlines()
    added = lines.index("  note: urgent only")
    section = next(i for i, line in enumerate(lines) if line.startswith("# ---- Wallonië"))
    assert lines[added - 1].startswith("  status: verified")
    assert added < section
    assert lines[section + 2] == "ecoute_violences:"


def verify(key: str, *more: str, copy: Path) -> int:
    """`referrals verify` as a coordinator types it after phoning a line."""
    source = "phoned on 2026-12-01: a man's line, weekdays"
    argv = ("--method", "phoned", "--source", source, "--by", "coordinator", *more)
    return run("referrals", "verify", key, *argv, "--file", str(copy))


def test_verify_sets_status_date_source_method_and_who(copy, capsys):
    before = copy.read_text(encoding="utf-8")
    assert verify("mannenlijn", copy=copy) == 0
    after = copy.read_text(encoding="utf-8")
    assert comments(after) == comments(before)
    entry = load_directory(copy).get("mannenlijn")
    assert entry.status == "verified"
    assert entry.last_verified == CHECK_DAY
    assert entry.source == "phoned on 2026-12-01: a man's line, weekdays"
    assert (entry.checked_how, entry.checked_by) == ("phoned", "coordinator")
    out = capsys.readouterr().out
    assert "mannenlijn.checked_how: document -> phoned" in out
    assert "mannenlijn.checked_by: firstcontact developers -> coordinator" in out
    assert "Saved" in out


def test_verify_needs_method_source_and_who(copy, capsys):
    before = copy.read_bytes()
    with pytest.raises(SystemExit):
        run("referrals", "verify", "mannenlijn", "--source", "x", "--file", str(copy))
    err = capsys.readouterr().err
    assert "the following arguments are required: --method, --by" in err
    with pytest.raises(SystemExit):
        verify("mannenlijn", "--method", "called", copy=copy)
    assert "argument --method: invalid choice: 'called'" in capsys.readouterr().err
    assert copy.read_bytes() == before


def test_verify_keeps_an_old_source_date_only_when_told(copy):
    source = "Vlaams Parlement, antwoord op vraag over partnergeweld bij mannen (2017)"
    argv = ("--method", "document", "--source", source, "--by", "coordinator")
    assert load_directory(copy).get("caw").source_date.year == 2017
    code = run(
        "referrals", "verify", "caw", *argv, "--source-date", "2017", "--file", str(copy)
    )  # fmt: skip
    assert code == 0 and str(load_directory(copy).get("caw").source_date) == "2017"
    assert run("referrals", "verify", "caw", *argv, "--file", str(copy)) == 0
    assert load_directory(copy).get("caw").source_date is None


def test_verify_help_gives_an_example_and_the_four_ways(capsys):
    with pytest.raises(SystemExit):
        run("referrals", "verify", "--help")
    out = capsys.readouterr().out
    assert (
        "Example: firstcontact referrals verify lijn_1712 --method website --source "
        "https://www.1712.be/nl/over-1712 --by coordinator" in out
    )
    for method in ("phoned", "website", "document", "news"):
        assert f"  {method} " in out


def test_bad_phone_is_refused_and_the_file_is_untouched(copy, capsys):
    before = copy.read_bytes()
    code = run("referrals", "set", "veilig_thuis", "phone=0800-20", "--file", str(copy))
    assert code == 1
    err = capsys.readouterr().err
    assert "Nothing was changed" in err
    assert "phone '0800-20' is not a valid number in the Netherlands" in err
    assert copy.read_bytes() == before
    assert sorted(p.name for p in copy.parent.iterdir()) == ["referrals.yaml"]  # no temp file


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (("set", "veilig_thuis", "phon=0800-2001"), "did you mean 'phone'"),
        (("set", "veilig_thuiss", "phone=0800-2001"), "did you mean 'veilig_thuis'"),
        (("set", "veilig_thuis", "phone"), "is not FIELD=VALUE"),
        (("set", "veilig_thuis", "free=misschien"), "free must be true or false"),
        (("set", "veilig_thuis", "status=unverified"), "needs an 'alternative'"),
        (("set", "veilig_thuis", "last_verified=2026-12-02"), "in the future"),
        (("set", "lijn_1712", "hours=mon-fri 9-17"), "is not a time range"),
        (("set", "veilig_thuis", "website=www.veiligthuis.nl"), "must start with https://"),
        (
            ("verify", "mannenklap", "--method", "news", "--source", "x", "--by", "coordinator"),
            "needs a phone, website or chat_url",
        ),
        (
            ("verify", "veilig_thuis", "--method", "website", "--source", "folder", "--by", "me"),
            "checked_how is website, but source is not a web address",
        ),
        (
            ("verify", "veilig_thuis", "--method", "news", "--source", "x", "--by", "a@b.nl"),
            "checked_by 'a@b.nl' must be a name or a role",
        ),
    ],
)
def test_invalid_edits_are_refused_with_a_reason(copy, capsys, argv, words):
    before = copy.read_bytes()
    assert run("referrals", *argv, "--file", str(copy)) == 1
    assert words in capsys.readouterr().err
    assert copy.read_bytes() == before


def test_removing_a_field_with_an_empty_value(copy):
    assert run("referrals", "set", "lijn_1712", "hours_source=", "--file", str(copy)) == 0
    assert load_directory(copy).get("lijn_1712").hours_source is None


def test_a_file_with_a_syntax_error_is_not_edited(copy, capsys):
    broken = copy.read_text(encoding="utf-8").replace('  phone: "1712"', '    phone: "1712"')
    copy.write_text(broken, encoding="utf-8")
    assert run("referrals", "set", "veilig_thuis", "free=true", "--file", str(copy)) == 1
    err = capsys.readouterr().err
    assert "cannot be read right now" in err and "Traceback" not in err
    assert copy.read_text(encoding="utf-8") == broken
