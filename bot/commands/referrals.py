"""`firstcontact referrals ...`: let a coordinator check, read and change the helpline directory."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from bot.commands.parsers import add_command, add_group
from bot.config import REFERRALS
from bot.directory_listing import age, field_text, next_check, stale_first
from bot.problems import ERROR, WARNING, DataError, Problem, suggest
from bot.referrals.cards import render_card_text, resolve_cards
from bot.referrals.checks import check_directory
from bot.referrals.edit import EditRefused, parse_assignments
from bot.referrals.hours import describe_hours
from bot.referrals.load import parse_directory
from bot.referrals.model import CHECK_METHODS, STATUSES, Directory
from bot.regions import REGIONS

VERIFY_EXAMPLE = (
    "firstcontact referrals verify lijn_1712 --method website "
    "--source https://www.1712.be/nl/over-1712 --by coordinator"
)
VERIFY_HELP = """\
Record that you checked an entry today: status verified, last_verified today, and how,
against what and by whom you checked it. The card tells a man how it was checked:
  phoned    you called the line            "Gebeld door een coördinator op ..."
  website   the organisation's own page    "Volgens de website van 1712.be, nagekeken op ..."
  document  a report or official document  "Volgens een document (...), nagekeken op ..."
  news      a news item or another site    "Volgens een bericht op vrt.be, nagekeken op ..."
If the source was written before 2020, say when with --source-date (2017, or "before 2020"):
the card then says so. Without it, an old source date is removed."""


def today() -> date:
    """The date checks and edits use (one place, so tests can fix it)."""
    return date.today()


def _command(
    sub, name: str, help_: str, example: str, func, description: str | None = None
) -> argparse.ArgumentParser:
    parser = add_command(sub, name, help_, example, func, description)
    parser.add_argument(
        "--file",
        type=Path,
        default=None,
        help="work on this YAML file (default: the directory in the database of "
        f"$FIRSTCONTACT_DATABASE_URL, seeded from ${REFERRALS} or flows/referrals.yaml)",
    )
    parser.set_defaults(referrals=None)  # the seed file: filled from the settings (bot.cli)
    return parser


def register(sub) -> None:
    inner = add_group(
        sub,
        "referrals",
        "check, list, show, change, add, retire, export or import the helplines",
        "firstcontact referrals check",
        "Work with the referral directory: in the database every process of the bot shares "
        "(seeded from flows/referrals.yaml), or in a YAML file with --file.",
        "referrals_command",
    )
    _command(
        inner,
        "check",
        "check the directory; exits with 1 when the bot could not use it",
        "firstcontact referrals check --file flows/referrals.yaml",
        run_check,
    )
    listing = _command(
        inner,
        "list",
        "list the entries, the most overdue first, with status, number and next check due",
        "firstcontact referrals list --region BE-LEUVEN --older-than 150",
        run_list,
    )
    listing.add_argument("--region", choices=REGIONS, help="only entries shown in this region")
    listing.add_argument("--status", choices=STATUSES, help="only entries with this status")
    listing.add_argument(
        "--older-than",
        type=int,
        metavar="DAYS",
        help="only entries last checked more than DAYS days ago",
    )
    show = _command(
        inner,
        "show",
        "show one entry and how the bot shows it right now",
        "firstcontact referrals show veilig_thuis",
        run_show,
    )
    show.add_argument("key", help="the entry's key, e.g. veilig_thuis")
    change = _command(
        inner,
        "set",
        "change fields of one entry; the file is only written when the result is valid",
        'firstcontact referrals set lijn_1712 hours="mon-fri 09:00-18:00" --verified-today '
        "--by coordinator",
        run_set,
    )
    change.add_argument("key", help="the entry's key, e.g. lijn_1712")
    change.add_argument(
        "values",
        nargs="+",
        metavar="FIELD=VALUE",
        help="new values; lists with commas (regions=NL,BE-VLG); FIELD= removes a field",
    )
    change.add_argument(
        "--verified-today", action="store_true", help="also set last_verified to today"
    )
    change.add_argument("--source", help="where you checked it (web address or document)")
    change.add_argument("--by", help="who changes it: your name or role (kept in the history)")
    _saving_options(change)
    _verify_parser(inner)
    from bot.commands import referral_records

    referral_records.register(inner, _command, _saving_options, lambda: today())


def _saving_options(parser: argparse.ArgumentParser) -> None:
    """What every command that changes the directory offers: a look first, and --force."""
    parser.add_argument(
        "--dry-run", action="store_true", help="show what would change, and save nothing"
    )
    parser.add_argument("--yes", action="store_true", help="save without asking (in a terminal)")
    parser.add_argument(
        "--force",
        action="store_true",
        help="save an edit that is probably a mistake (plain http://, hours past midnight, a "
        "changed fact without a new check); the reason is shown first",
    )
    parser.add_argument(
        "--flows-dir",
        type=Path,
        default=None,
        help="the flows the change is checked against (default: the bot's own)",
    )


def _verify_parser(inner) -> None:
    """`verify` needs how, against what and by whom: a card must never claim more than that."""
    verify = _command(
        inner,
        "verify",
        "record that you checked an entry today, how, against what and by whom",
        VERIFY_EXAMPLE,
        run_verify,
        VERIFY_HELP,
    )
    verify.add_argument("key", help="the entry's key, e.g. lijn_1712")
    verify.add_argument("--method", required=True, choices=CHECK_METHODS, help="how you checked it")
    verify.add_argument(
        "--source",
        required=True,
        help="what you checked it against: the page's web address, the document, or "
        '"phoned on 2026-11-29: ..."',
    )
    verify.add_argument(
        "--by", required=True, help="who checked it: your name or role (e.g. coordinator)"
    )
    verify.add_argument(
        "--source-date",
        help='when the source was written, if before 2020: a year (2017) or "before 2020"',
    )
    _saving_options(verify)


def _print_problems(problems: list[Problem], out=sys.stdout) -> None:
    for problem in problems:
        print(f"  {problem}", file=out)


def _load(args: argparse.Namespace) -> Directory | None:
    """The directory, or None after explaining (in plain words, no traceback) why not."""
    from bot.commands.referral_change import open_source

    where = open_source(args)
    if where is None:
        return None
    try:
        text, _ = where.read()
        return parse_directory(text, where.name)
    except DataError as exc:
        print(f"{where.name} cannot be used by the bot:", file=sys.stderr)
        _print_problems(exc.problems, sys.stderr)
        print("Fix the lines above, then run 'firstcontact referrals check'.", file=sys.stderr)
        return None
    finally:
        where.close()


def run_check(args: argparse.Namespace) -> int:
    directory = _load(args)
    if directory is None:
        return 1
    problems = check_directory(directory, today())
    _print_problems(problems)
    errors = sum(p.level == ERROR for p in problems)
    warnings = sum(p.level == WARNING for p in problems)
    print(
        f"{directory.file}: {len(directory.entries)} entries, "
        f"{errors} error(s), {warnings} warning(s)"
    )
    if errors:
        print("The bot will not use this file until the errors are fixed.")
    return 1 if errors else 0


def run_list(args: argparse.Namespace) -> int:
    directory = _load(args)
    if directory is None:
        return 1
    if args.region:
        entries = directory.for_region(args.region, include_inactive=True)
    else:
        entries = directory.entries
    day = today()
    if args.status:
        entries = tuple(e for e in entries if e.status == args.status)
    if args.older_than is not None:
        entries = tuple(e for e in entries if age(e, day) > args.older_than)
    entries = stale_first(entries, day)  # the most overdue (or never checked) first
    rows = [
        ("KEY", "STATUS", "PHONE", "HOURS", "REGIONS", "CHECKED", "EVERY", "NEXT CHECK", "NAME")
    ]
    for e in entries:
        checked = f"{e.last_verified.isoformat()} {e.checked_how}" if e.last_verified else "-"
        hours = describe_hours(e.hours) if e.hours else "-"
        rows.append(
            (e.key, e.status, e.phone or "-", hours, ",".join(e.regions), checked,
             f"{e.check_every_days}d", next_check(e, day), e.name)
        )  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join((*cells, row[-1])).rstrip())
    return 0


def run_show(args: argparse.Namespace) -> int:
    directory = _load(args)
    if directory is None:
        return 1
    entry = directory.get(args.key)
    if entry is None:
        print(f"There is no entry '{args.key}'{suggest(args.key, directory.keys())}.")
        return 1
    print(f"{entry.key}  ({entry.where})")
    for name, line in entry.lines:
        print(f"  {name}: {field_text(entry, name)}   (line {line})")
    every = entry.check_every_days
    default = "" if "check_every_days" in dict(entry.lines) else ", the default"
    print(f"  next check due: {next_check(entry, today())} (every {every} days{default})")
    now = datetime.now(UTC)
    print("\nHow the bot shows it now:\n")
    for card in resolve_cards(directory, [entry.key], None, now):
        print(render_card_text(card))
        print()
    return 0


def run_set(args: argparse.Namespace) -> int:
    from bot.commands.referral_change import plan_and_save
    from bot.directory_changes import set_values

    try:
        values = parse_assignments(args.values)
    except EditRefused as exc:
        print(f"Nothing was changed: {exc}.", file=sys.stderr)
        return 1
    planner = set_values(
        args.key, values, today(), verified_today=args.verified_today, source=args.source
    )
    return plan_and_save(args, planner, action="set", by=args.by, source=args.source or "")


def run_verify(args: argparse.Namespace) -> int:
    from bot.commands.referral_change import plan_and_save
    from bot.directory_changes import verify_entry

    planner = verify_entry(args.key, args.method, args.source, args.by, today(), args.source_date)
    return plan_and_save(args, planner, action="verify", by=args.by, source=args.source)
