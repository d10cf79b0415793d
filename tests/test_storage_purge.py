"""Settings from the environment, URL handling, the purge loop and `firstcontact purge`."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import pytest

from bot.commands import purge
from bot.config import ConfigError, StoreSettings
from storage import MemoryStore, StoreUnavailable, open_store, purge_loop
from storage.settings import async_url
from tests.auxil.stores import START, TTL, FakeClock, key_for, make_session


def cli(argv: list[str]) -> int:
    """`firstcontact ARGS` with only the purge command, independent of the other commands."""
    args = parser().parse_args(argv)
    return args.func(args)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="firstcontact")
    purge.register(top.add_subparsers())
    return top


def test_the_database_url_follows_the_settings():
    assert StoreSettings.from_env({}).database_url == "sqlite:///data/firstcontact.sqlite"
    assert StoreSettings.from_env({"FIRSTCONTACT_DATA_DIR": "/srv/fc"}).database_url == (
        "sqlite:////srv/fc/firstcontact.sqlite"
    )
    env = {"FIRSTCONTACT_DATABASE_URL": " postgresql://bot@db/fc ", "FIRSTCONTACT_DATA_DIR": "/x"}
    assert StoreSettings.from_env(env).database_url == "postgresql://bot@db/fc"
    assert StoreSettings.from_env({"FIRSTCONTACT_DATA_DIR": " "}).data_dir == Path("data")
    given = StoreSettings.from_env(env, database_url="memory://")  # purge --database-url
    assert given.database_url == "memory://"


def test_session_timeout_from_the_settings():
    assert StoreSettings.from_env({}).session_timeout == 3600
    assert StoreSettings.from_env({"FIRSTCONTACT_SESSION_TIMEOUT": "900"}).session_timeout == 900
    for bad in ("0", "-5", "an hour", "1.5"):
        with pytest.raises(ConfigError, match="whole number of seconds"):
            StoreSettings.from_env({"FIRSTCONTACT_SESSION_TIMEOUT": bad})


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("sqlite:///data/x.sqlite", "sqlite+aiosqlite"),
        ("sqlite+aiosqlite:///x.sqlite", "sqlite+aiosqlite"),
        ("postgresql://u@h/db", "postgresql+asyncpg"),
        ("postgres://u@h/db", "postgresql+asyncpg"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg"),
    ],
)
def test_urls_get_their_async_driver(given, driver):
    url = async_url(given)
    assert url.drivername == driver
    assert url.database == async_url(given).database


@pytest.mark.parametrize(
    "bad", ["mysql://u:pw-s3cret@h/db", "postgresql+psycopg2://u:pw-s3cret@h/db", "pw-s3cret"]
)
def test_unusable_url_is_explained_without_the_password(bad):
    with pytest.raises(ValueError) as raised:
        async_url(bad)
    assert "s3cret" not in str(raised.value)
    assert "sqlite:///" in str(raised.value) or "leave it out" in str(raised.value)


async def test_open_store_memory_url():
    store = await open_store("memory://", ttl_seconds=60)
    assert isinstance(store, MemoryStore)
    assert store.ttl_seconds == 60


class WatchedStore(MemoryStore):
    """A memory store that tells the test each purge it ran and how many sessions it removed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.purges: asyncio.Queue[int] = asyncio.Queue()

    async def purge(self, now: float) -> int:
        removed = await super().purge(now)
        self.purges.put_nowait(removed)
        return removed


async def removed_by_purges(store: WatchedStore, wanted: int) -> int:
    """Sessions the purge loop removed, awaiting its purges until `wanted` are gone."""
    removed = 0
    while removed < wanted:
        removed += await asyncio.wait_for(store.purges.get(), 2)
    return removed


async def test_purge_loop_purges_until_the_store_closes():
    clock = FakeClock()
    store = WatchedStore(TTL, clock=clock)
    await store.put(key_for(1), make_session(updated=START - TTL - 1))
    await store.put(key_for(2), make_session(updated=START))
    task = asyncio.create_task(purge_loop(store, 0.01))
    assert await asyncio.wait_for(store.purges.get(), 2) == 1  # the first purge, at once
    assert await store.delete(key_for(1)) is False  # the row is gone, not merely not counted
    await store.put(key_for(3), make_session(updated=START))
    clock.now = START + TTL + 1  # both remaining sessions expire; the loop removes them
    assert await removed_by_purges(store, 2) == 2
    assert [await store.delete(key_for(n)) for n in (2, 3)] == [False, False]
    await store.close()
    await asyncio.wait_for(task, 1)  # the loop ends by itself once the store is closed


def test_purge_command_help_has_an_example(capsys):
    with pytest.raises(SystemExit):
        parser().parse_args(["purge", "--help"])
    assert "Example: firstcontact purge" in capsys.readouterr().out


def test_purge_command_deletes_expired_sessions(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'fc.sqlite'}"
    monkeypatch.setenv("FIRSTCONTACT_SESSION_TIMEOUT", "60")

    async def fill() -> None:
        store = await open_store(url, 60)
        now = store.now()
        for chat in range(3):
            await store.put(key_for(chat), make_session(updated=now - 3600))
        await store.put(key_for("live"), make_session(updated=now))
        await store.close()

    asyncio.run(fill())
    assert cli(["purge", "--database-url", url]) == 0
    out = capsys.readouterr().out
    assert out.strip() == "Deleted 3 expired sessions."
    assert cli(["purge", "--database-url", url]) == 0
    assert capsys.readouterr().out.strip() == "Deleted 0 expired sessions."


def test_purge_command_uses_the_environment(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("FIRSTCONTACT_DATABASE_URL", raising=False)
    monkeypatch.setenv("FIRSTCONTACT_DATA_DIR", str(tmp_path / "data"))
    assert cli(["purge"]) == 0
    assert "nothing to purge" in capsys.readouterr().out
    assert not (tmp_path / "data").exists()  # purging never creates a database


def test_purge_command_explains_bad_settings(monkeypatch, capsys):
    monkeypatch.setenv("FIRSTCONTACT_SESSION_TIMEOUT", "soon")
    assert cli(["purge", "--database-url", "memory://"]) == 2
    assert "FIRSTCONTACT_SESSION_TIMEOUT" in capsys.readouterr().err
    monkeypatch.delenv("FIRSTCONTACT_SESSION_TIMEOUT")
    assert cli(["purge", "--database-url", "mysql://h/db"]) == 2
    assert "not supported" in capsys.readouterr().err


def test_purge_command_explains_an_unreachable_database(capsys):
    url = "postgresql://nobody@127.0.0.1:1/none"
    assert cli(["purge", "--database-url", url]) == 1
    err = capsys.readouterr().err
    assert "Could not open the session database postgresql+asyncpg://nobody@127.0.0.1:1/none" in err
    assert "Traceback" not in err


async def test_unreachable_database_is_explained_without_the_password():
    with pytest.raises(StoreUnavailable) as raised:
        await open_store("postgresql://bot:pw-s3cret@127.0.0.1:1/none")
    assert "s3cret" not in str(raised.value)
    assert "bot:***@127.0.0.1:1" in str(raised.value)
