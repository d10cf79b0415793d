"""One directory for every process: kept in the database, changed by one process (the CLI, in
a process of its own), seen by the others within seconds, with history; on real SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from bot.directory_source import DatabaseSource
from bot.referrals.source import SavedMeanwhileError
from bot.referrals.watch import DirectoryWatcher
from storage.settings import async_url
from storage.sql import create_engine
from tests.auxil.referralscli import SHIPPED
from tests.auxil.stores import postgres_url

SOURCE = "https://www.veiligthuis.nl/contact"


def _pg_admin(sql: str) -> None:
    async def run() -> None:
        engine = create_engine(postgres_url(), connect_args={"timeout": 5})
        try:
            async with engine.connect() as conn:
                conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.exec_driver_sql(sql)
        finally:
            await engine.dispose()

    asyncio.run(run())


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path) -> Iterator[str]:
    """A database of its own for the test: an SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'firstcontact.sqlite'}"
        return
    name = f"fc_dir_{secrets.token_hex(5)}"
    try:
        _pg_admin(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        pytest.skip(f"PostgreSQL not reachable ({type(exc).__name__}); run .ci/run")
    url = async_url(postgres_url()).set(drivername="postgresql", database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        _pg_admin(f'DROP DATABASE "{name}" WITH (FORCE)')


def cli(database: str, *argv: str) -> subprocess.CompletedProcess:
    """`firstcontact ...` in a process of its own, as a coordinator runs it in the container."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIRSTCONTACT_")}
    env["FIRSTCONTACT_DATABASE_URL"] = database
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def wait_for(check, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


def test_a_change_in_one_process_reaches_the_others_within_seconds(database):
    first = DatabaseSource(database, SHIPPED)
    second = DatabaseSource(database, SHIPPED)
    watchers = [DirectoryWatcher(source, interval=0.2) for source in (first, second)]
    try:
        for watcher in watchers:
            assert watcher.current().get("veilig_thuis").phone == "0800-2000"
            watcher.start_polling()
        done = cli(
            database, "referrals", "set", "veilig_thuis", "phone=+31 800 2001",
            "--source", SOURCE, "--verified-today", "--by", "Anna", "--yes",
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[-1] == (
            "Saved as version 2 of the directory in the database. Every running bot uses it "
            "from its next look, within a few seconds."
        )
        started = time.monotonic()
        for watcher in watchers:
            assert wait_for(lambda w=watcher: w.current().get("veilig_thuis").phone == "0800-2001")
        assert time.monotonic() - started < 5
        rows = first.history("veilig_thuis")
        phone = next(r for r in rows if r.field_name == "phone")
        assert (phone.previous_value, phone.replacement_value) == ("0800-2000", "0800-2001")
        assert (phone.updated_by, phone.source, phone.last_action_type) == ("Anna", SOURCE, "set")
    finally:
        for watcher in watchers:
            watcher.stop()
        first.close()
        second.close()


def test_a_save_from_an_older_version_is_refused(database):
    first = DatabaseSource(database, SHIPPED)
    second = DatabaseSource(database, SHIPPED)
    try:
        text, base = first.read()
        _, same_base = second.read()
        changed = text.replace('phone: "0800-2000"', 'phone: "0800-2001"', 1)
        first.save(base, changed, by="Anna", action="set")
        with pytest.raises(SavedMeanwhileError) as caught:
            second.save(same_base, changed, by="Bram", action="set")
        assert str(caught.value) == "the directory was changed by someone else meanwhile"
        assert second.read() == (changed, base + 1)
    finally:
        first.close()
        second.close()


def test_a_bad_edit_in_the_database_never_replaces_the_good_one(database):
    source = DatabaseSource(database, SHIPPED)
    watcher = DirectoryWatcher(source, interval=0.2)
    try:
        text, base = source.read()
        source.save(base, text.replace('phone: "0800-2000"', 'phone: "0800-20"', 1), by="x",
                    action="set")  # fmt: skip
        watcher.start_polling()
        assert wait_for(lambda: watcher.rejected == 1)
        assert watcher.current().get("veilig_thuis").phone == "0800-2000"
    finally:
        watcher.stop()
        source.close()


def test_a_newer_shipped_file_replaces_the_seed_but_never_a_coordinators_edit(tmp_path):
    database = f"sqlite:///{tmp_path / 'fc.sqlite'}"
    shipped = tmp_path / "referrals.yaml"
    shipped.write_text(SHIPPED.read_text("utf-8"), "utf-8")
    DatabaseSource(database, shipped).close()
    newer = shipped.read_text("utf-8").replace('phone: "0800-2000"', 'phone: "0800-2002"', 1)
    shipped.write_text(newer, "utf-8")
    source = DatabaseSource(database, shipped)
    text, base = source.read()
    assert (text, base) == (newer, 2)
    edited = text.replace("Veilig Thuis", "Veilig Thuis NL", 1)
    source.save(base, edited, by="Anna", action="set")
    source.close()
    shipped.write_text(SHIPPED.read_text("utf-8"), "utf-8")
    again = DatabaseSource(database, shipped)
    try:
        assert again.read() == (edited, 3)
    finally:
        again.close()


def test_history_export_and_import_on_the_database(database, tmp_path):
    done = cli(database, "referrals", "verify", "mannenlijn", "--method", "phoned", "--source",
               "phoned on 2026-11-29: a line for men", "--by", "Anna", "--yes")  # fmt: skip
    assert done.returncode == 0, done.stderr
    history = cli(database, "referrals", "history", "mannenlijn")
    assert history.returncode == 0, history.stderr
    lines = history.stdout.splitlines()
    assert lines[0] == "mannenlijn: 4 change(s), newest first"
    assert any("Anna" in line and "checked_how: document -> phoned" in line for line in lines)
    assert all("phoned on 2026-11-29: a line for men" in line for line in lines[1:])
    exported = tmp_path / "directory.yaml"
    done = cli(database, "referrals", "export", "--format", "yaml", "--output", str(exported))
    assert done.returncode == 0, done.stderr
    assert "checked_how: phoned" in exported.read_text("utf-8")
    table = cli(database, "referrals", "export", "--format", "csv")
    header = table.stdout.splitlines()[0].split(",")
    assert header[:4] == ["id", "name", "status", "verified"]
    assert {"assured_date", "assurer", "next_check_due"} <= set(header)
    back = exported.read_text("utf-8").replace(
        "Telefoonlijn voor mannen", "Telefoonlijn voor mannen (NL)", 1
    )
    exported.write_text(back, "utf-8")
    done = cli(database, "referrals", "import", str(exported), "--by", "Bram", "--yes")
    assert done.returncode == 0, done.stderr
    assert "mannenlijn.name:" in done.stdout
    history = cli(database, "referrals", "history", "mannenlijn").stdout
    assert "Bram" in history and "import" in history


def test_the_database_tables_hold_no_session_or_man(database):
    source = DatabaseSource(database, SHIPPED)
    source.close()

    async def columns() -> set[str]:
        engine = create_engine(database)
        try:
            async with engine.connect() as conn:
                names = await conn.run_sync(lambda c: sa.inspect(c).get_columns("referral_changes"))
                return {c["name"] for c in names}
        finally:
            await engine.dispose()

    assert asyncio.run(columns()) == {
        "id", "revision_id", "resource_id", "last_action_date", "last_action_type", "field_name",
        "previous_value", "replacement_value", "updated_by", "source",
    }  # fmt: skip


def test_the_running_bot_shows_a_coordinators_edit_within_seconds(tmp_path):
    """The bot's own runtime on the database: a card changes at the next message."""
    from datetime import datetime

    from bot.application import load_runtime
    from bot.engine.model import Say

    database = f"sqlite:///{tmp_path / 'fc.sqlite'}"
    source = DatabaseSource(database, SHIPPED)
    runtime = load_runtime(referrals_source=source)
    watcher = runtime.directory.__self__
    watcher.interval = 0.2
    try:
        say = Say(text="x", context="opties:politie_nl", referrals=("slachtofferhulp",),
                  region="NL")  # fmt: skip
        now = datetime.fromisoformat("2026-11-23T10:00:00+01:00")
        assert "Bel 0900-0101" in runtime.render(say, now).plain()
        done = cli(database, "referrals", "set", "slachtofferhulp", "serves=Hulp na een misdrijf.",
                   "--by", "Anna", "--yes")  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert wait_for(lambda: "Hulp na een misdrijf." in runtime.render(say, now).plain())
    finally:
        watcher.stop()
        source.close()


def test_an_unreachable_database_is_said_in_plain_words():
    done = cli("postgresql://nobody@127.0.0.1:1/x", "referrals", "list")
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "The referral directory cannot be opened: Could not open the directory's database "
        "postgresql+asyncpg://nobody@127.0.0.1:1/x (ConnectionRefusedError). Check that it is "
        "running and that the URL is right."
    ]


def test_a_change_to_the_database_needs_a_name(database):
    done = cli(database, "referrals", "set", "lijn_1712", "hours_source=", "--yes")
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == (
        "Nothing was changed: say who you are with --by NAME (a name or a role such as "
        "coordinator; the history keeps it, nothing else about you)."
    )


def test_a_check_interval_is_set_shown_kept_in_history_and_exported(database):
    """check_every_days lives in the stored YAML (no column of its own): set, show, history,
    CSV export, and a value the bot would refuse is refused before saving."""
    bad = cli(database, "referrals", "set", "lijn_1712", "check_every_days=0", "--by", "Anna",
              "--yes")  # fmt: skip
    assert bad.returncode == 1
    assert (
        "database:referrals.yaml:" in bad.stderr
        and ": error: lijn_1712: check_every_days is 0; the shortest is 7 (a check every week): "
        "nobody keeps up a shorter one, and the entry would be overdue most days\n"
        in bad.stderr
    )
    done = cli(database, "referrals", "set", "lijn_1712", "check_every_days=60", "--by", "Anna",
               "--yes")  # fmt: skip
    assert done.returncode == 0, done.stderr
    shown = cli(database, "referrals", "show", "lijn_1712").stdout
    assert "  check_every_days: 60   (line " in shown
    assert "  next check due: 2027-01-28" in shown and " (every 60 days)\n" in shown
    history = cli(database, "referrals", "history", "lijn_1712").stdout
    assert any("Anna" in line and "check_every_days: (not set) -> 60" in line
               for line in history.splitlines())  # fmt: skip
    table = cli(database, "referrals", "export", "--format", "csv").stdout
    row = next(r for r in csv.DictReader(io.StringIO(table)) if r["id"] == "lijn_1712")
    assert (row["check_every_days"], row["next_check_due"]) == ("60", "2027-01-28")
