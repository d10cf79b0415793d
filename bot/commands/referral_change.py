"""Save a coordinator's change only after showing what it does, and never one the bot refuses."""

from __future__ import annotations

import argparse
import sys

from bot.config import ConfigError, StoreSettings
from bot.directory_changes import NO_NAME, Planner, Prepared, prepare, save
from bot.directory_impact import FlowUse, describe_preview
from bot.directory_source import open_directory
from bot.problems import DataError, Problem
from bot.referrals.edit import EditRefused
from bot.referrals.source import SavedMeanwhileError, SaveFailedError


def open_source(args: argparse.Namespace):
    """The directory this command works on (--file, else the database, seeded from
    FIRSTCONTACT_REFERRALS), or None after saying in plain words why it cannot be opened."""
    file = getattr(args, "file", None)
    try:
        url = "" if file is not None else StoreSettings.from_env().database_url
        return open_directory(url, args.referrals, file)
    except ConfigError as exc:
        exc.report("The referral directory cannot be opened; fix these settings:")
        return None
    except (OSError, ValueError) as exc:
        print(f"The referral directory cannot be opened: {exc}", file=sys.stderr)
        return None


def plan_and_save(
    args: argparse.Namespace, planner: Planner, *, action: str, by: str | None, source: str = ""
) -> int:
    """Plan the change against the current directory and flows; show it; save it if allowed."""
    where = open_source(args)
    if where is None:
        return 1
    try:
        return _plan_and_save(args, where, planner, action, by, source)
    finally:
        where.close()


def _plan_and_save(args, where, planner: Planner, action: str, by: str | None, source: str) -> int:
    if where.kind == "database" and not by:
        print(f"Nothing was changed: {NO_NAME}.", file=sys.stderr)
        return 1
    use = _flow_use(args)
    try:
        prepared = prepare(where, planner, use)
    except EditRefused as exc:
        print(f"Nothing was changed: {exc}.", file=sys.stderr)
        return 1
    except DataError as exc:
        print("Nothing was changed: the bot would refuse the directory with this change:",
              file=sys.stderr)  # fmt: skip
        _print(exc.problems, sys.stderr)
        return 1
    _show_plan(prepared)
    plan = prepared.plan
    if prepared.unchanged:
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
        saved = save(where, prepared, by=by or "", action=action, note=source)
    except SavedMeanwhileError as exc:
        print(f"Nothing was changed: {exc}; run the command again.", file=sys.stderr)
        return 1
    except SaveFailedError as exc:
        print(f"Nothing was changed: {exc}.", file=sys.stderr)
        return 1
    if plan.risks:
        print("Saved with --force, although:")
        for risk in plan.risks:
            print(f"  - {risk}")
    print(f"{saved}. Every running bot uses it from its next look, within a few seconds.")
    return 0


def _flow_use(args: argparse.Namespace) -> FlowUse | None:
    """The flows to check against; when they cannot be read, the directory's own checks only."""
    use, problems = FlowUse.load(args.flows_dir)
    if use is None:
        print(
            "Note: the flows cannot be read, so this change is checked without them "
            f"({len(problems)} problem(s); 'firstcontact flows check' lists them).",
            file=sys.stderr,
        )
    return use


def _show_plan(prepared: Prepared) -> None:
    plan = prepared.plan
    if prepared.unchanged:
        print(f"{plan.key or 'the directory'}: nothing to change, it was already like that.")
        return
    for key, name, before, after in prepared.rows():
        print(f"{key}.{name}: {before} -> {after}")
    if prepared.flows_checked and plan.before is not None:
        if prepared.preview:
            print("What a man will see differently (cards in Dutch):")
            for line in describe_preview(prepared.preview):
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
