"""Coordinators and their sign-ins in the database, on SQLite and PostgreSQL: one account per
name, a password change or a removal ends every session of theirs, sessions end on time."""

from __future__ import annotations

import pytest

from storage.coordinators import CoordinatorStore
from tests.auxil.stores import make_backend


@pytest.fixture(params=["sqlite", "postgres"])
async def store(request, tmp_path):
    async with make_backend(request.param, tmp_path) as backend:
        opened = await CoordinatorStore.open(backend.url, **backend.kw)
        yield opened
        await opened.close()


async def test_one_account_per_name_and_a_new_password_ends_the_old_sign_ins(store):
    assert await store.add("Anna", "$argon2id$one")
    assert not await store.add("Anna", "$argon2id$two")  # already there
    assert await store.password_hash("Anna") == "$argon2id$one"
    await store.start_session("a" * 64, "Anna", expires=200.0)
    assert await store.session_name("a" * 64, now=100.0) == "Anna"
    assert await store.add("Anna", "$argon2id$two", replace=True)
    assert await store.password_hash("Anna") == "$argon2id$two"
    assert await store.session_name("a" * 64, now=100.0) is None
    assert [name for name, _ in await store.names()] == ["Anna"]


async def test_sessions_end_on_time_at_sign_out_and_when_the_coordinator_goes(store):
    await store.add("Anna", "$argon2id$x")
    await store.add("Bram", "$argon2id$y")
    await store.start_session("a" * 64, "Anna", expires=200.0)
    await store.start_session("b" * 64, "Bram", expires=200.0)
    await store.start_session("c" * 64, "Bram", expires=50.0)
    assert await store.session_name("c" * 64, now=100.0) is None  # ended at 50
    assert await store.purge_sessions(now=100.0) == 1
    await store.end_session("b" * 64)
    assert await store.session_name("b" * 64, now=100.0) is None
    assert await store.remove("Anna")
    assert await store.session_name("a" * 64, now=100.0) is None
    assert await store.password_hash("Anna") is None
    assert not await store.remove("Anna")
