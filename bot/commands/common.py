"""Helpers shared by the CLI commands: load everything or explain, in plain words, why not."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from bot.problems import DataError
from bot.runtime import Runtime, load_runtime


def load_runtime_or_explain(
    flows_dir: Path | None = None, referrals_source: Any = None
) -> Runtime | None:
    """The runtime, or None after printing every problem with file and line (no traceback)."""
    try:
        if flows_dir:
            return load_runtime(flows_dir, referrals_source=referrals_source)
        return load_runtime(referrals_source=referrals_source)
    except DataError as exc:
        print(
            "The bot cannot start: its data files (flows, intents or referrals) have problems.",
            file=sys.stderr,
        )
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        print("Fix them, then run 'firstcontact flows check' to confirm.", file=sys.stderr)
        return None
