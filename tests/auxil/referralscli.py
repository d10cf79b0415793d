"""`firstcontact referrals ...` driven in-process on a copy of the shipped directory file (the
`copy` fixture, registered in tests/conftest.py), for the coordinator tests."""

from __future__ import annotations

import argparse
import shutil
from datetime import date
from pathlib import Path

import pytest

from bot.cli import fill_paths
from bot.commands import referrals as command

SHIPPED = Path(__file__).resolve().parents[2] / "flows" / "referrals.yaml"
CHECK_DAY = date(2026, 12, 1)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="firstcontact")
    command.register(parser.add_subparsers(dest="command"))
    return parser


def run(*argv: str) -> int:
    args = build_parser().parse_args(list(argv))
    args.command = "referrals"
    if not fill_paths(args):  # as bot.cli.main does: the settings fill what is left unset
        return 2
    return args.func(args)


@pytest.fixture
def copy(tmp_path) -> Path:
    """A copy of the shipped directory file the test may edit."""
    target = tmp_path / "referrals.yaml"
    shutil.copyfile(SHIPPED, target)
    return target
