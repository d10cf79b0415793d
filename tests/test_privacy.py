"""Nothing about the man ends up anywhere: not in the database, not in any log line.

The Telegram scenarios run with made-up but distinctive ids, names, usernames, typed words,
a phone number and a location. Afterwards every table and column of the SQLite database, the
raw database files, and every log record of every logger at DEBUG are searched for them.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from bot.channels.telegram import Limits
from bot.channels.telegram.logs import KeyValueFormatter
from bot.runtime import Runtime
from storage import open_store
from tests.auxil.e2e import (
    Chat,
    handled,
    running_bot,
    scenario_bad_input,
    scenario_group,
    scenario_handoff,
    scenario_stop,
)
from tests.auxil.fakebotapi import FakeBotApi

CHAT_IDS = (7_391_846_205, 7_391_846_206, 7_391_846_207, 7_391_846_208, 7_391_846_209)
GROUP_USER_ID = 5_550_123_987
FIRST_NAME = "Quirinius"
USERNAME = "quirinius_vdb_1987"
TYPED = "ik heb een vraag over Barnabas Quokka"
CAPTION = "Foto van Zebediah Wombat"
PHONE = "+31687654321"
LATITUDE, LONGITUDE = 51.987654, 5.123456

WORDS = (
    FIRST_NAME,
    USERNAME,
    "Barnabas",
    "Quokka",
    "Zebediah",
    "Wombat",
    PHONE,
    PHONE.lstrip("+"),
    "687654321",
    str(LATITUDE),
    str(LONGITUDE),
    *(str(i) for i in (*CHAT_IDS, GROUP_USER_ID)),
)
NUMBERS = (*CHAT_IDS, GROUP_USER_ID)


def hits(text: str) -> list[str]:
    lowered = text.lower()
    return [word for word in WORDS if word.lower() in lowered]


def raw_hits(data: bytes) -> list[str]:
    found = [word for word in WORDS if word.encode() in data or word.encode("utf-16-le") in data]
    for number in NUMBERS:  # SQLite stores integers big-endian in 6 or 8 bytes
        if number.to_bytes(6, "big") in data or number.to_bytes(8, "big") in data:
            found.append(f"int {number}")
    return found


def database_hits(path: Path) -> list[str]:
    """Every cell of every table, as an auditor with the database file would look."""
    found: list[str] = []
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        assert "sessions" in tables
        for table in tables:
            for row in db.execute(f'SELECT * FROM "{table}"'):
                for cell in row:
                    if isinstance(cell, int) and cell in NUMBERS:
                        found.append(f"{table}: int {cell}")
                    text = cell.decode("utf-8", "replace") if isinstance(cell, bytes) else str(cell)
                    found.extend(f"{table}: {word}" for word in hits(text))
    return found


@pytest.fixture
async def api():
    async with FakeBotApi() as server:
        yield server


@pytest.mark.filterwarnings(
    "ignore::telegram.warnings.PTBDeprecationWarning"
)  # PTB's own RetryAfter
async def test_nothing_personal_in_database_or_logs(
    api: FakeBotApi, runtime: Runtime, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # the root: every logger that propagates, at DEBUG
    database = tmp_path / "sessions.sqlite"
    store = await open_store(f"sqlite:///{database}", 3600)
    who = {"first_name": FIRST_NAME, "username": USERNAME}
    try:
        async with running_bot(
            api, store, runtime, limits=Limits(flood_burst=20, flood_rate=0.5)
        ) as bot:
            nl, vlg, bad, stop, extra = (Chat(api, bot, chat_id, who) for chat_id in CHAT_IDS)
            await scenario_handoff(nl, store, runtime, "NL")
            await nl.text(TYPED)
            await scenario_handoff(vlg, store, runtime, "BE-VLG")
            await scenario_bad_input(bad, store, runtime, TYPED)
            await scenario_stop(stop, store, runtime)
            await scenario_group(api, bot, store, user_id=GROUP_USER_ID, **who)
            # Media with personal content, a flood, and a reply that has to be retried.
            await extra.command("start")
            await extra.push("photo", CAPTION)
            await extra.push("contact", PHONE)
            await extra.push("location", LATITUDE, LONGITUDE)
            done = bot.handler.handled
            for _ in range(25):  # faster than anyone types: the flood gate steps in
                api.push_text(extra.chat_id, TYPED, **who)
            await handled(bot, done + 25)
            assert any("rustig aan" in c.params["text"] for c in api.calls("sendMessage"))
            api.fail_next("sendMessage", 429, retry_after=1)
            await nl.text(TYPED)
            assert await store.count() == 4  # nl, vlg, bad, extra; "stop" forgot its own
    finally:
        await store.close()
    assert api.calls_rejected == []

    assert database_hits(database) == []
    for path in sorted(tmp_path.glob("sessions.sqlite*")):
        assert raw_hits(path.read_bytes()) == [], path.name

    records = caplog.records
    assert any(r.name.startswith("bot.channels.telegram") for r in records)
    formatter = KeyValueFormatter()
    plain = logging.Formatter("%(name)s %(message)s")
    for record in records:
        for line in (formatter.format(record), plain.format(record), repr(record.args)):
            assert hits(line) == [], (record.name, line)
        if record.exc_info:
            assert hits(plain.formatException(record.exc_info)) == [], record.name
