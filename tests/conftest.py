"""Shared pytest set-up: the --update-goldens switch and a runtime loaded once per run."""

from __future__ import annotations

import pytest

from bot.runtime import Runtime, load_runtime


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
