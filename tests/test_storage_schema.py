"""Migrations build exactly the sessions, directory and counts tables, and nothing stored can
name a chat."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from bot.config import DATABASE_URL
from storage.migrate import alembic_config
from storage.schema import metadata
from storage.sql import create_engine
from tests.auxil.stores import Backend, key_for, make_backend, make_saved, make_session

ROOT = Path(__file__).resolve().parents[1]
EXPECTED_COLUMNS = [
    "key",
    "flow",
    "step",
    "locale",
    "region",
    "answers",
    "history",
    "message_ids",
    "created",
    "updated",
]


@pytest.fixture(params=["sqlite", "postgres"])
async def backend(request, tmp_path):
    async with make_backend(request.param, tmp_path) as found:
        yield found


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def describe(backend: Backend) -> dict:
    """What an auditor sees in the database: tables, columns, indexes, revision, schema drift."""

    def look(conn: sa.Connection) -> dict:
        inspector = sa.inspect(conn)
        columns = inspector.get_columns("sessions")
        return {
            "tables": set(inspector.get_table_names()),
            "updates_seen": [c["name"] for c in inspector.get_columns("updates_seen")],
            "columns": [c["name"] for c in columns],
            "nullable": {c["name"] for c in columns if c["nullable"]},
            "primary_key": inspector.get_pk_constraint("sessions")["constrained_columns"],
            "indexes": {i["name"]: i["column_names"] for i in inspector.get_indexes("sessions")},
            "revision": MigrationContext.configure(conn).get_current_revision(),
            "drift": compare_metadata(MigrationContext.configure(conn), metadata),
        }

    engine = create_engine(backend.url, **backend.kw)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(look)
    finally:
        await engine.dispose()


async def test_migrations_create_exactly_the_expected_tables(
    backend: Backend, tmp_path, monkeypatch
):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # no alembic.ini in the working directory is needed
    store = await backend.open()
    await store.close()
    found = await describe(backend)
    assert found["tables"] == {
        "sessions",
        "updates_seen",
        "referral_revisions",  # the directory every worker shares (docs/referrals.md)
        "referral_changes",
        "daily_counts",  # anonymous figures: day, metric, value, count (README, privacy)
        "send_budget",  # the send cap every worker shares: a name and a time, no chat
        "coordinators",  # who may sign in to the coordinator page: a name and an argon2 hash
        "coordinator_sessions",  # a hash of a signed-in browser's token, the name, its end
        "alembic_version",
    }
    assert found["updates_seen"] == ["update_id", "seen"]  # numbers only: no one's identity
    assert found["columns"] == EXPECTED_COLUMNS
    assert found["nullable"] == {"region"}
    assert found["primary_key"] == ["key"]
    assert found["indexes"] == {"ix_sessions_updated": ["updated"]}
    assert found["revision"] == head_revision()
    assert found["drift"] == []  # the migration builds what storage/schema.py describes


async def test_migrating_again_changes_nothing_and_keeps_sessions(backend: Backend):
    store = await backend.open()
    await store.put(key_for(1), make_session(), durable=True)
    await store.close()
    before = await describe(backend)
    for _ in range(2):
        store = await backend.open()
        assert await store.get(key_for(1)) == make_session()
        await store.close()
    assert await describe(backend) == before


def test_alembic_command_line_uses_the_database_url(tmp_path):
    database = tmp_path / "cli.sqlite"
    env = {**os.environ, DATABASE_URL: f"sqlite:///{database}"}
    alembic = [sys.executable, "-m", "alembic", "-c", str(ROOT / "storage/migrations/alembic.ini")]
    done = subprocess.run(
        [*alembic, "upgrade", "head"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    current = subprocess.run(
        [*alembic, "current"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert head_revision() in current.stdout


CHAT_IDS = {"telegram": 987654321987, "web": "550e8400-e29b-41d4-a716-446655440000"}


async def store_sessions_for_chats(backend: Backend) -> None:
    store = await backend.open()
    for channel, chat_id in CHAT_IDS.items():
        key = key_for(chat_id, channel)
        await store.save(key, make_saved(message_ids=[11, 12]))
    await store.flush()
    # Written, then one forgotten and written again, so old row versions exist in the files too.
    await store.delete(key_for(CHAT_IDS["web"], "web"))
    await store.put(key_for(CHAT_IDS["web"], "web"), make_session(step="terug"))
    await store.close()


async def test_no_chat_id_in_any_column(backend: Backend, caplog):
    caplog.set_level(logging.DEBUG)
    await store_sessions_for_chats(backend)
    cast = "CAST({} AS TEXT)"
    columns = ", ".join(cast.format(c) for c in EXPECTED_COLUMNS)
    rows = await backend.raw(f"SELECT {columns} FROM sessions")
    assert len(rows) == len(CHAT_IDS)
    everything = "\n".join("|".join(str(v) for v in row) for row in rows)
    for chat_id in CHAT_IDS.values():
        assert str(chat_id) not in everything
        assert str(chat_id) not in caplog.text
    assert {row[0] for row in rows} == {key_for(c, ch) for ch, c in CHAT_IDS.items()}


async def test_no_chat_id_in_the_sqlite_files(tmp_path):
    async with make_backend("sqlite", tmp_path) as backend:
        await store_sessions_for_chats(backend)
    files = [p for p in tmp_path.iterdir() if p.name.startswith("sessions.sqlite")]
    assert files  # the database, and its WAL if one is left
    for path in files:
        data = path.read_bytes()
        for chat_id in CHAT_IDS.values():
            assert str(chat_id).encode() not in data
            assert str(chat_id).encode("utf-16-le") not in data
    assert all(oct(p.stat().st_mode & 0o777) == oct(0o600) for p in files)


def test_alembic_command_line_explains_a_wrong_database_url(tmp_path):
    env = {**os.environ, DATABASE_URL: "mysql://bot:pw-s3cret@db/fc"}
    alembic = [sys.executable, "-m", "alembic", "-c", str(ROOT / "storage/migrations/alembic.ini")]
    done = subprocess.run(
        [*alembic, "upgrade", "head"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr.splitlines()[:2] == [
        "alembic: fix these settings:",
        "  - FIRSTCONTACT_DATABASE_URL cannot be used: Database type 'mysql' is not supported. "
        "Use sqlite:///path/to/file.sqlite, postgresql://user@host/database or memory://.",
    ]
    assert "Traceback" not in done.stderr and "s3cret" not in done.stderr
