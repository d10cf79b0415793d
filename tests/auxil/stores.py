"""Helpers for the storage tests: one Backend per database kind, PostgreSQL in a throwaway schema.

Imported by tests/test_storage*.py; holds no fixtures itself, so each test module declares
exactly the backends it runs against.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.engine.model import Session
from storage import Saved, SessionStore, open_store, session_key
from storage.settings import async_url
from storage.sql import create_engine

PG_URL_ENV = "FIRSTCONTACT_TEST_POSTGRES_URL"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
TTL = 600
START = 1_700_000_000.0
SECRET = b"storage-tests-secret-" + b"x" * 32


class FakeClock:
    """A clock the test moves by hand, so expiry is checked without sleeping."""

    def __init__(self, now: float = START):
        self.now = now

    def __call__(self) -> float:
        return self.now


def key_for(chat_id: int | str, channel: str = "telegram") -> str:
    return session_key(SECRET, channel, chat_id)


def make_session(updated: float = START, **fields: Any) -> Session:
    """A session using every field, so round trips can't miss one."""
    values: dict[str, Any] = {
        "flow": "intake",
        "step": "region",
        "locale": "nl",
        "region": "BE-LEUVEN",
        "answers": {"safe_now": "ja", "kinderen": "nee"},
        "history": ["intake:welkom", "intake:veilig"],
        "created": updated - 30.25,
        "updated": updated,
    }
    values.update(fields)
    return Session(**values)


def make_saved(
    updated: float = START, message_ids: list[Any] | None = None, **fields: Any
) -> Saved:
    """A stored row: make_session() and the channel's message ids beside it."""
    ids = [101, 102, 2**40] if message_ids is None else message_ids
    return Saved(make_session(updated, **fields), ids)


@dataclass
class Backend:
    """Where a test's sessions go: its URL, extra open_store() keywords, and the shared clock."""

    name: str
    url: str
    kw: dict[str, Any] = field(default_factory=dict)
    clock: FakeClock = field(default_factory=FakeClock)

    @property
    def is_sql(self) -> bool:
        return self.name != "memory"

    async def open(self, **extra: Any) -> SessionStore:
        return await open_store(self.url, TTL, clock=self.clock, **{**self.kw, **extra})

    async def raw(self, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
        """Run SQL on the backend's database outside any store, as an auditor would."""
        engine = create_engine(self.url, **self.kw)
        try:
            async with engine.begin() as conn:
                result = await conn.execute(sa.text(sql), params or {})
                return list(result.all()) if result.returns_rows else []
        finally:
            await engine.dispose()


def postgres_url() -> str:
    return os.environ.get(PG_URL_ENV, "").strip() or DEFAULT_PG_URL


_pg_failure: str | None = None  # remembered so an absent server costs one timeout, not one each


@asynccontextmanager
async def postgres_schema() -> AsyncIterator[dict[str, Any]]:
    """A fresh schema for one test (dropped afterwards); yields the open_store() keywords."""
    global _pg_failure
    url = postgres_url()
    shown = async_url(url).render_as_string(hide_password=True)
    if _pg_failure:
        pytest.skip(_pg_failure)
    schema = f"fc_test_{secrets.token_hex(6)}"
    engine = create_engine(url, connect_args={"timeout": 5})
    try:
        async with engine.begin() as conn:
            await conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    except Exception as exc:
        await engine.dispose()
        _pg_failure = (
            f"PostgreSQL not reachable at {shown} ({type(exc).__name__}: {exc}); "
            f"run .ci/postgres.sh or set {PG_URL_ENV}"
        )
        pytest.skip(_pg_failure)
    try:
        yield {"connect_args": {"server_settings": {"search_path": schema}}}
    finally:
        async with engine.begin() as conn:
            await conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        await engine.dispose()


@asynccontextmanager
async def make_backend(name: str, tmp_path: Path) -> AsyncIterator[Backend]:
    if name == "memory":
        yield Backend(name, "memory://")
    elif name == "sqlite":
        yield Backend(name, f"sqlite:///{tmp_path / 'sessions.sqlite'}")
    else:
        async with postgres_schema() as kw:
            yield Backend(name, postgres_url(), kw)
