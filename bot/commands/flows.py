"""`firstcontact flows ...`: check, list, show and draw the flow scripts volunteers review."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from bot.commands import flows_diff, flows_render
from bot.commands.parsers import add_command, add_group
from bot.definitions.bundle import check_all, load_all
from bot.problems import ERROR, WARNING, Problem, errors


def _command(sub, name: str, help_: str, example: str, func) -> argparse.ArgumentParser:
    parser = add_command(sub, name, help_, example, func)
    parser.add_argument(
        "--flows-dir",
        type=Path,
        help="folder with the flow files (default: $FIRSTCONTACT_FLOWS_DIR, else the shipped "
        "flows/)",
    )
    return parser


def register(sub) -> None:
    inner = add_group(
        sub,
        "flows",
        "check, list, render or compare the conversation scripts",
        "firstcontact flows check",
        "Work with the flow scripts in flows/.",
        "flows_command",
    )
    check = _command(
        inner,
        "check",
        "check every flow, the intents and the referrals they use",
        "firstcontact flows check --strict",
        run_check,
    )
    check.add_argument(
        "--referrals",
        type=Path,
        help="the referral directory file to check against (default: $FIRSTCONTACT_REFERRALS, "
        "else flows/referrals.yaml)",
    )
    check.add_argument(
        "--locales-dir",
        type=Path,
        help="the translations every current text must have (default: "
        "$FIRSTCONTACT_LOCALES_DIR, else locales/)",
    )
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    _command(
        inner,
        "list",
        "list the flows with their number of steps",
        "firstcontact flows list",
        run_list,
    )
    flows_render.register(inner, _command)
    flows_diff.register(inner, add_command)  # compares versions: no --flows-dir


def run_check(args: argparse.Namespace) -> int:
    from bot.runtime import directory_facts, message_length

    facts, ref_problems = directory_facts(args.referrals, today=date.today())
    _, _, problems = check_all(args.flows_dir, facts, message_length(facts))
    problems = ref_problems + problems
    if not errors(problems):  # the texts are sound: now every language must follow them
        problems += translation_problems(args.flows_dir, args.locales_dir, args.referrals)
    found = errors(problems)
    warnings = [p for p in problems if p.level == WARNING]
    for problem in problems:
        print(problem, file=sys.stderr if problem.level == ERROR else sys.stdout)
    failed = bool(found) or (args.strict and bool(warnings))
    verdict = "FAILED" if failed else "OK"
    print(f"{verdict}: {len(found)} error(s), {len(warnings)} warning(s)")
    return 1 if failed else 0


def translation_problems(
    flows_dir: Path, locales_dir: Path, referrals: Path | None
) -> list[Problem]:
    """Each language's missing, fuzzy or unsafe translations of the texts just checked."""
    from bot.i18n_checks import catalog_problems
    from bot.i18n_extract import build_template

    return catalog_problems(build_template(flows_dir, referrals), locales_dir)


def run_list(args: argparse.Namespace) -> int:
    flows, _, problems = load_all(args.flows_dir)
    for flow in sorted(flows.values(), key=lambda f: f.id):
        print(f"{flow.id:<16} {len(flow.steps):>3} steps  {flow.title}  ({flow.file})")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0
