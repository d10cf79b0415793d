"""`firstcontact flows diff OLD NEW`: what a change does to the conversation, for review."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.problems import DataError, errors


def register(inner, command) -> None:
    diff = command(
        inner,
        "diff",
        "what a change does to the conversation: steps, wording, buttons, referrals, "
        "translations and golden transcripts (default: the working tree against HEAD)",
        "firstcontact flows diff HEAD~1 HEAD",
        run_diff,
    )
    diff.add_argument(
        "old",
        nargs="?",
        default="HEAD",
        help="a git revision, a checkout or flows folder, or one flow file (default: HEAD)",
    )
    diff.add_argument(
        "new", nargs="?", default=".", help="the same kinds ('.' = the working tree, the default)"
    )
    diff.add_argument("--format", choices=("text", "md"), default="text")
    diff.add_argument(
        "--no-transcripts", action="store_true", help="skip replaying the golden transcripts"
    )


def run_diff(args: argparse.Namespace) -> int:
    from bot.review.snapshot import SnapshotError, open_snapshot, scratch_folder

    with scratch_folder() as folder:
        scratch = Path(folder)
        try:
            old = open_snapshot(args.old, scratch)
            new = open_snapshot(args.new, scratch)
        except SnapshotError as exc:
            print(exc, file=sys.stderr)
            return 2
        report, broken = _compare(old, new, not args.no_transcripts)
    for problem in broken:
        print(problem, file=sys.stderr)
    from bot.review.diff_report import as_markdown, as_text

    sys.stdout.write(as_markdown(report) if args.format == "md" else as_text(report))
    return 0


def _compare(old, new, transcripts: bool):
    """Load both versions and compare them; problems that stop the new version are returned."""
    from bot.application import load_runtime
    from bot.definitions.bundle import load_all
    from bot.i18n import Catalogs, load_catalogs
    from bot.referrals.load import load_directory
    from bot.review import diff
    from bot.review.replay import replay_transcripts
    from bot.review.snapshot import fuzzy_entries

    report = diff.Report(old.name, new.name)
    versions = []
    broken: list = []
    for snapshot in (old, new):
        flows, _, problems = load_all(snapshot.flows)
        if snapshot is new:
            broken += errors(problems)
        catalogs = load_catalogs(snapshot.locales) if snapshot.locales.is_dir() else Catalogs({})
        try:
            directory = load_directory(snapshot.referrals)
        except DataError as exc:
            directory = None
            if snapshot is new:
                broken += errors(exc.problems)
        versions.append(diff.Version(flows, catalogs, directory))
    only = new.only_flow or old.only_flow
    diff.compare_flows(versions[0], versions[1], report, only)
    diff.compare_directories(versions[0].directory, versions[1].directory, report)
    diff.compare_catalog_states(fuzzy_entries(old.locales), fuzzy_entries(new.locales), report)
    if transcripts and not broken:
        try:
            runtime = load_runtime(new.flows, new.locales, new.referrals)
        except DataError as exc:
            broken += errors(exc.problems)
        else:
            replay_transcripts(old.transcripts, runtime, report, old.root)
    return report, broken
