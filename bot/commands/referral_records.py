"""`referrals add | retire | history | export | import`: keep the directory's records."""

from __future__ import annotations

import argparse
import csv
import io
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.commands.referral_change import open_source, plan_and_save
from bot.directory_changes import add_entry, import_text, retire_entry
from bot.referrals.checks import next_check_due
from bot.referrals.edit import EditRefused, parse_assignments
from bot.referrals.hours import describe_hours
from bot.referrals.load import read_directory
from bot.referrals.model import CHECK_METHODS, Directory

HISTORY_COLUMNS = (
    "resource_id", "resource_type", "field_name", "previous_value", "replacement_value",
    "updated_by", "last_action_date", "last_action_type", "source",
)  # fmt: skip
EXPORT_COLUMNS = (
    "id", "name", "status", "verified", "phone", "hours", "timezone", "website", "chat_url",
    "regions", "languages", "free", "anonymous", "emergency", "serves", "assured_date", "assurer",
    "checked_how", "source", "source_date", "alternative", "when_closed", "check_every_days",
    "next_check_due",
)  # fmt: skip


def register(inner, command, saving_options, today) -> None:
    """Add the record-keeping actions to `firstcontact referrals`."""
    add = command(
        inner,
        "add",
        "add a new entry you checked today; saved only when the whole directory is valid",
        'firstcontact referrals add lijn_x name="Lijn X" phone=0800-1234 regions=NL '
        "languages=nl --method website --source https://www.lijnx.nl --by coordinator",
        lambda args: run_add(args, today),
    )
    add.add_argument("key", help="a new key: lower-case letters, digits and _, e.g. lijn_x")
    add.add_argument("values", nargs="+", metavar="FIELD=VALUE", help="its fields, as for set")
    add.add_argument("--method", required=True, choices=CHECK_METHODS, help="how you checked it")
    add.add_argument("--source", required=True, help="what you checked it against")
    add.add_argument("--by", required=True, help="who checked it: your name or role")
    saving_options(add)
    retire = command(
        inner,
        "retire",
        "mark an entry defunct (closed for good): kept for the record, never shown",
        'firstcontact referrals retire mannenklap --reason "line closed in 2024" --by coordinator',
        lambda args: run_retire(args, today),
    )
    retire.add_argument("key", help="the entry's key")
    retire.add_argument("--reason", required=True, help="why, and where you read it")
    retire.add_argument("--by", required=True, help="who retires it: your name or role")
    saving_options(retire)
    history = command(
        inner,
        "history",
        "who changed what, when, from which value to which, and the source (newest first)",
        "firstcontact referrals history veilig_thuis",
        run_history,
    )
    history.add_argument("key", nargs="?", help="one entry's key (default: every entry)")
    history.add_argument("--format", choices=("table", "csv"), default="table")
    export = command(
        inner,
        "export",
        "write the directory as YAML (as stored) or CSV (one row per entry, HSDS names)",
        "firstcontact referrals export --format csv --output directory.csv",
        run_export,
    )
    export.add_argument("--format", choices=("yaml", "csv"), default="yaml")
    export.add_argument("--output", type=Path, help="a file to write (default: the screen)")
    imported = command(
        inner,
        "import",
        "replace the directory with a YAML file, after the same checks and preview as set",
        "firstcontact referrals import reviewed.yaml --by coordinator",
        lambda args: run_import(args, today),
    )
    imported.add_argument("yaml_file", type=Path, help="the YAML file to take")
    imported.add_argument("--by", help="who imports it: your name or role")
    saving_options(imported)


def run_add(args: argparse.Namespace, today) -> int:
    try:
        values = parse_assignments(args.values)
    except EditRefused as exc:
        print(f"Nothing was changed: {exc}.", file=sys.stderr)
        return 1
    planner = add_entry(args.key, values, args.method, args.source, args.by, today())
    return plan_and_save(args, planner, action="add", by=args.by, source=args.source)


def run_retire(args: argparse.Namespace, today) -> int:
    planner = retire_entry(args.key, today())
    return plan_and_save(args, planner, action="retire", by=args.by, source=args.reason)


def run_import(args: argparse.Namespace, today) -> int:
    try:
        new_text = read_directory(args.yaml_file)
    except Exception as exc:  # DataError with a plain message
        print(f"Nothing was changed: {exc}", file=sys.stderr)
        return 1
    planner = import_text(new_text, str(args.yaml_file), today())
    source = f"imported from {args.yaml_file.name}"
    return plan_and_save(args, planner, action="import", by=args.by, source=source)


def run_history(args: argparse.Namespace) -> int:
    where = open_source(args)
    if where is None:
        return 1
    try:
        rows = where.history(args.key)
    finally:
        where.close()
    if rows is None:
        print(
            f"The directory is the file {where.name}, which keeps no history of its own (git "
            "does: git log -p on it). In the database every change is kept.",
            file=sys.stderr,
        )
        return 1
    if args.format == "csv":
        out = csv.writer(sys.stdout, lineterminator="\n")
        out.writerow(HISTORY_COLUMNS)
        for r in rows:
            when = datetime.fromtimestamp(r.last_action_date, UTC).isoformat(timespec="seconds")
            out.writerow(
                [r.resource_id, "service", r.field_name, r.previous_value, r.replacement_value,
                 r.updated_by, when, r.last_action_type, r.source]
            )  # fmt: skip
        return 0
    print(f"{args.key or 'the directory'}: {len(rows)} change(s), newest first")
    for r in rows:
        when = datetime.fromtimestamp(r.last_action_date, UTC).strftime("%Y-%m-%d %H:%M UTC")
        what = f"{r.field_name}: {r.previous_value} -> {r.replacement_value}"
        entry = "" if args.key else f"{r.resource_id}."
        print(
            f"  {when}  {r.updated_by}  {entry}{what}  ({r.last_action_type}; source: {r.source})"
        )
    return 0


def run_export(args: argparse.Namespace) -> int:
    from bot.referrals.load import parse_directory

    where = open_source(args)
    if where is None:
        return 1
    try:
        text, _ = where.read()
    finally:
        where.close()
    if args.format == "csv":
        text = export_csv(parse_directory(text, where.name))
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
        print(f"Wrote {args.output}.")
    return 0


def export_csv(directory: Directory) -> str:
    """One row per entry with Open Referral HSDS's names where they fit."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for e in directory.entries:
        due = next_check_due(e)
        writer.writerow([
            e.key, e.name, e.hsds_status, "yes" if e.verified else "no", e.phone or "",
            describe_hours(e.hours) if e.hours else "", e.hours.timezone if e.hours else "",
            e.website or "", e.chat_url or "", " ".join(e.regions), " ".join(e.languages),
            _yes(e.free), _yes(e.anonymous), _yes(e.emergency), e.serves,
            e.last_verified.isoformat() if e.last_verified else "", e.checked_by, e.checked_how,
            e.source, str(e.source_date or ""), e.alternative or "", e.when_closed or "",
            e.check_every_days, due.isoformat() if due else "",
        ])  # fmt: skip
    return out.getvalue()


def _yes(value: bool) -> str:
    return "yes" if value else "no"
