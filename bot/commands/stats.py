"""`firstcontact stats`: the anonymous daily figures, with every figure below 5 shown as "<5"."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path

from bot.commands.parsers import add_command

STATS_HELP = """\
Counts per day, never linked to a session or chat: conversations started, region, language,
path chosen, fact-check results (forms recognised), risk signs, hand-offs shown per line,
danger and crisis alarms, /stop used. Every figure below 5 is shown as <5 (README, privacy).
Reads FIRSTCONTACT_DATABASE_URL (default: the SQLite file in ./data)."""


def register(sub) -> None:
    stats = add_command(
        sub,
        "stats",
        "anonymous figures per day: what the bot is used for (small numbers hidden)",
        "firstcontact stats --since 2026-11-01 --format csv --output november.csv",
        run_stats,
        STATS_HELP,
    )
    stats.add_argument("--since", type=_day, required=True, help="first day, like 2026-11-01")
    stats.add_argument("--until", type=_day, help="last day (default: today)")
    stats.add_argument("--format", choices=("table", "csv", "png"), default="table")
    stats.add_argument(
        "--per",
        choices=("day", "period"),
        default=None,
        help="csv: one row per day (default) or totals over the period; never both in one file",
    )
    stats.add_argument("--output", type=Path, help="write to this file (a png needs one)")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a day; write it like 2026-11-01"
        ) from None


def run_stats(args: argparse.Namespace) -> int:
    from bot.config import ConfigError, StoreSettings
    from bot.figures_report import csv_text, table, totals
    from storage.settings import MEMORY_URL

    until = args.until or date.today()
    if until < args.since:
        print(f"--until {until} is before --since {args.since}; nothing to show.", file=sys.stderr)
        return 1
    if args.format == "png" and args.output is None:
        print("A png needs a file: add --output figures.png", file=sys.stderr)
        return 1
    try:
        url = StoreSettings.from_env().database_url
    except ConfigError as exc:
        exc.report("The figures cannot be read; fix these settings:")
        return 2
    if url.strip() == MEMORY_URL:
        print("No figures are kept with memory:// sessions.", file=sys.stderr)
        return 1
    try:
        rows = asyncio.run(_read(url, args.since, until))
    except (OSError, ValueError) as exc:
        print(f"The figures cannot be read: {exc}", file=sys.stderr)
        return 1
    if args.format == "png":
        from bot.figures_png import chart

        title = f"firstcontact {args.since.isoformat()} - {until.isoformat()}"
        picture, _ = chart(title, totals(rows))
        args.output.write_bytes(picture)
        print(f"Wrote {args.output} (figures below 5 are written <5 and have no bar).")
        return 0
    if args.format == "csv":
        text = csv_text(rows, per_day=args.per != "period")
    else:
        text = table(rows, args.since, until)
    if args.output is not None:
        args.output.write_text(text, encoding="utf-8")
        print(f"Wrote {args.output}.")
    else:
        sys.stdout.write(text)
    return 0


async def _read(url: str, since: date, until: date):
    from storage.figures import read_counts
    from storage.migrate import open_database

    engine = await open_database(url, "the figures' database")
    try:
        return await read_counts(engine, since, until)
    finally:
        await engine.dispose()
