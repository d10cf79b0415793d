"""Save a coordinator's change only after showing what it does, and never one the bot refuses."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime

from bot.directory_impact import FlowUse, describe_preview
from bot.problems import DataError, Problem
from bot.referrals.edit import Accept, EditPlan, EditRefused, save_to_file
from bot.referrals.load import read_directory

Planner = Callable[[str, str, Accept | None], EditPlan]


def plan_and_save(args: argparse.Namespace, planner: Planner) -> int:
    """Plan the change against the current directory and flows; show it; save it if allowed."""
    from bot.commands.referrals import _path

    path = _path(args)
    use = _flow_use(args)
    try:
        plan = planner(read_directory(path), str(path), use.refusals if use else None)
    except EditRefused as exc:
        print(f"Nothing was changed: {exc}.", file=sys.stderr)
        return 1
    except DataError as exc:
        print("Nothing was changed: the bot would refuse the directory with this change:",
              file=sys.stderr)  # fmt: skip
        _print(exc.problems, sys.stderr)
        return 1
    _show_plan(plan, use)
    if not plan.changes and plan.text == plan.original:
        return 0
    if plan.risks and not args.force:
        print("Nothing was changed: this edit needs --force, because:", file=sys.stderr)
        for risk in plan.risks:
            print(f"  - {risk}", file=sys.stderr)
        return 1
    if args.dry_run:
        print("Dry run: nothing was saved.")
        return 0
    if not args.yes and sys.stdin.isatty() and not _confirmed():
        print("Nothing was saved.")
        return 1
    try:
        save_to_file(path, plan)
    except EditRefused as exc:
        print(f"Nothing was changed: {exc}.", file=sys.stderr)
        return 1
    if plan.risks:
        print("Saved with --force, although:")
        for risk in plan.risks:
            print(f"  - {risk}")
    print(f"Saved {path}. Every running bot uses it from its next look, within a few seconds.")
    return 0


def _flow_use(args: argparse.Namespace) -> FlowUse | None:
    """The flows to check against; when they cannot be read, the directory's own checks only."""
    from bot.definitions.bundle import DEFAULT_FLOWS_DIR

    use, problems = FlowUse.load(args.flows_dir or DEFAULT_FLOWS_DIR)
    if use is None:
        print(
            "Note: the flows cannot be read, so this change is checked without them "
            f"({len(problems)} problem(s); 'firstcontact flows check' lists them).",
            file=sys.stderr,
        )
    return use


def _show_plan(plan: EditPlan, use: FlowUse | None) -> None:
    if not plan.changes and plan.text == plan.original:
        print(f"{plan.key}: nothing to change, the values were already like that.")
        return
    for name, before, after in plan.changes:
        print(f"{plan.key}.{name}: {before} -> {after}" if plan.key else f"{name}: {after}")
    if use is not None and plan.before is not None:
        keys = {plan.key} if plan.key else set(plan.after.keys()) | set(plan.before.keys())
        preview = use.preview(plan.before, plan.after, keys, datetime.now(UTC))
        if preview:
            print("What a man will see differently (cards in Dutch):")
            for line in describe_preview(preview):
                print(line)
        else:
            print("No step shows a different card: no flow shows this entry now.")
    if plan.warnings:
        print("Still worth a look:")
        _print(plan.warnings, sys.stdout)


def _confirmed() -> bool:
    try:
        answer = input("Save this change? [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes", "j", "ja")


def _print(problems: list[Problem], out) -> None:
    for problem in problems:
        print(f"  {problem}", file=out)
