"""`firstcontact chat`: walk any flow in a terminal, as a volunteer reviewing a script would."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.languages import negotiate
from bot.regions import REGIONS


def register(sub) -> None:
    parser = sub.add_parser(
        "chat",
        help="chat with the bot in this terminal (no network, no database)",
        description="Walk the conversation in a terminal with numbered choices. Nothing is "
        "stored; --record writes the walk as a golden transcript.",
        epilog="Example: firstcontact chat --region NL --record tests/transcripts/my_walk.yaml",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--flow", help="start in this flow instead of 'main'")
    parser.add_argument("--locale", help="language, e.g. nl, fr, fr-BE, ar, tr or pl (default: nl)")
    parser.add_argument(
        "--region", choices=REGIONS, help="answer the region question with this region for you"
    )
    parser.add_argument(
        "--record",
        type=Path,
        metavar="FILE",
        help="write the walk as a golden transcript (YAML) to FILE; folders are made as needed",
    )
    parser.add_argument(
        "--force", action="store_true", help="with --record: replace FILE if it exists"
    )
    parser.add_argument(
        "--flows-dir",
        type=Path,
        help="folder with the flow files (default: $FIRSTCONTACT_FLOWS_DIR, else flows/)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bot.application import load_runtime_or_explain
    from bot.channels.terminal import chat

    if args.record is not None:
        if args.record.exists() and not args.force:
            print(
                f"{args.record} exists already; a golden transcript is not overwritten by "
                "accident. Choose another name, or add --force to replace it.",
                file=sys.stderr,
            )
            return 2
        args.record.parent.mkdir(parents=True, exist_ok=True)
    runtime = load_runtime_or_explain(args.paths)
    if runtime is None:
        return 2
    if args.locale is not None:
        locale = negotiate(args.locale, runtime.engine.locales)
        if locale is None:
            print(
                f"--locale {args.locale}: the bot has no such language. "
                f"Supported: {', '.join(runtime.engine.locales)}",
                file=sys.stderr,
            )
            return 2
        args.locale = locale
    try:
        return chat(
            runtime, flow=args.flow, locale=args.locale, region=args.region, record=args.record
        )
    except KeyboardInterrupt:  # Ctrl-C: leave as :quit does; the recording is saved per turn
        print()
        return 0
