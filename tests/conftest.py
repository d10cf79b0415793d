"""Shared pytest set-up: the --update-goldens switch, a runtime loaded once per run, and a fake
Bot API server that fails the test if the bot made a call Telegram would refuse."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.application import load_runtime
from bot.runtime import Runtime
from tests.auxil.fakebotapi import FakeBotApi

# Fixtures kept in tests/auxil beside their helpers: `copy` (a copy of the shipped directory).
pytest_plugins = ["tests.auxil.referralscli"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite tests/transcripts/*.yaml with what the bot says now",
    )


@pytest.fixture(scope="session")
def runtime() -> Runtime:
    return load_runtime()


@pytest.fixture(scope="session")
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """A fake Bot API on 127.0.0.1; afterwards, no call it refused."""
    async with FakeBotApi() as server:
        yield server
    assert server.calls_rejected == [], [(c.method, c.reason) for c in server.calls_rejected]
