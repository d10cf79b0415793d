"""Fault test: a worker process killed (SIGKILL) in the middle of an update.

Two real `firstcontact run --webhook` processes share one PostgreSQL database; the test posts
updates to them as nginx would, and each answers once it has handled the update. Worker A is
killed right after taking an update; Telegram's retry of it goes to worker B. Whatever moment
A died at, the update is answered at most once, the session is whole, and the conversation
goes on from its last committed step. Waits are for events (the health check's readiness, the
answer to each post), with generous limits, never fixed sleeps.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from bot import config
from storage import open_store, session_key
from storage.sql import create_engine
from tests.auxil import updates
from tests.auxil.fakebotapi import SECRET_HEADER, FakeBotApi
from tests.auxil.stores import postgres_url

ROOT = Path(__file__).resolve().parents[1]
SECRET_KEY = secrets.token_hex(32)
HOOK_SECRET = "faults-Webhook_secret"
CHAT = 740_000_001
STARTUP_LIMIT = 600  # seconds: generous on a loaded machine; readiness is awaited, not timed
ANSWER_LIMIT = 120  # seconds a post may take (a turn waits out a database restart)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@asynccontextmanager
async def fresh_database() -> AsyncIterator[str]:
    """A database of its own (the workers are other processes: no schema trick reaches them)."""
    name = f"fc_faults_{secrets.token_hex(4)}"
    admin = create_engine(postgres_url(), connect_args={"timeout": 5}, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        await admin.dispose()
        pytest.skip(f"PostgreSQL not reachable ({type(exc).__name__}); run .ci/postgres.sh")
    url = sa.engine.make_url(postgres_url()).set(database=name).render_as_string(False)
    try:
        yield url
    finally:
        async with admin.connect() as conn:
            await conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.dispose()


class Worker:
    """One `firstcontact run --webhook` process on a port of its own."""

    def __init__(self, api: FakeBotApi, database: str, data_dir: Path):
        self.port = free_port()
        self.env = {
            **os.environ,
            config.TOKEN: api.token,
            config.API_URL: api.base_url,
            config.MAX_RATE: "0",
            config.DATABASE_URL: database,
            config.SECRET_KEY: SECRET_KEY,
            config.DATA_DIR: str(data_dir),
            config.WEBHOOK_URL: "http://127.0.0.1:9/telegram",
            config.WEBHOOK_SECRET: HOOK_SECRET,
            config.LISTEN: "127.0.0.1",
            config.PORT: str(self.port),
        }
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Start the process and wait until its health check says it takes Telegram's updates.

        No deadline on how fast it comes up (a loaded machine starts Python slowly): only a
        process that exits, or one not ready after STARTUP_LIMIT, fails the test.
        """
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", "--webhook", cwd=ROOT, env=self.env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        exited = asyncio.ensure_future(self.process.wait())
        async with httpx.AsyncClient() as client:
            try:
                async with asyncio.timeout(STARTUP_LIMIT):
                    while not await self._ready(client):
                        await asyncio.wait({exited}, timeout=0.2)
                        if exited.done():
                            assert self.process.stderr is not None
                            err = (await self.process.stderr.read()).decode()[-2000:]
                            raise AssertionError(f"the worker exited while starting:\n{err}")
            except TimeoutError:
                raise AssertionError(f"the worker was not ready in {STARTUP_LIMIT} s") from None
            finally:
                if not exited.done():
                    exited.cancel()

    async def _ready(self, client: httpx.AsyncClient) -> bool:
        try:
            answer = await client.get(self.url("/healthz"))
        except httpx.TransportError:
            return False
        return answer.status_code == 200 and answer.json().get("telegram_ready") is True

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def post(self, update: dict) -> int | None:
        """As Telegram posts an update; the status, or None if the connection broke. With
        several workers the answer comes once the update is handled (or refused)."""
        async with httpx.AsyncClient(timeout=ANSWER_LIMIT) as client:
            try:
                answer = await client.post(
                    self.url("/telegram"), content=json.dumps(update),
                    headers={SECRET_HEADER: HOOK_SECRET, "Content-Type": "application/json"},
                )  # fmt: skip
            except httpx.TransportError:
                return None
        return answer.status_code

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 15)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


@pytest.mark.parametrize("delay", [0.0, 0.05])
async def test_a_worker_killed_mid_update(api: FakeBotApi, tmp_path: Path, delay: float) -> None:
    async with fresh_database() as database:
        a, b = Worker(api, database, tmp_path / "a"), Worker(api, database, tmp_path / "b")
        await asyncio.gather(a.start(), b.start())
        try:
            ids = iter(range(1, 100))

            def update(text: str) -> dict:
                made = {**updates.text_update(CHAT, text), "update_id": next(ids)}
                api.state.register(made)
                return made

            assert await a.post(update("/start")) == 200
            assert await b.post(update("Nederland")) == 200
            before = api.count("sendMessage", CHAT)  # each answer came once its update was done
            assert before >= 2

            doomed = update("xq zzv")  # a note and the choices again: one message
            posting = asyncio.create_task(a.post(doomed))
            await asyncio.sleep(delay)
            a.kill()
            await a.process.wait()
            await posting  # 200 if A was done in time; else no answer at all
            assert await b.post(doomed) == 200  # Telegram's retry, to the other worker
            after_retry = api.count("sendMessage", CHAT)
            assert after_retry - before in (0, 1), "one update, one answer at most"

            assert await b.post(update("xq zzv")) == 200  # the conversation goes on
            assert api.count("sendMessage", CHAT) == after_retry + 1
        finally:
            await asyncio.gather(a.stop(), b.stop())
        store = await open_store(database, 3600)
        try:
            session = await store.get(session_key(SECRET_KEY.encode(), "telegram", CHAT))
        finally:
            await store.close()
        assert session is not None and session.region == "NL"
