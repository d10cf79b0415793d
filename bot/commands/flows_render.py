"""`firstcontact flows render` (and its old names `show`, `diagram`): the script for review."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from bot.problems import DataError


def register(inner, command) -> None:
    """Add render, and show/diagram as its short forms, to the `flows` group."""
    render = command(
        inner,
        "render",
        "the whole script as a reviewer reads it: HTML, Markdown or Mermaid drawings",
        "firstcontact flows render --format html --locale en -o script.html",
        run_render,
    )
    render.add_argument("--format", choices=("html", "md", "mermaid"), default="html")
    render.add_argument("--locale", default="nl", help="language of the bot's texts (default nl)")
    render.add_argument("--flow", help="only this flow (default: every flow)")
    _common(render)
    for name, help_, example, func in (
        ("show", "one flow as a readable document (short for: render --format md --flow F)",
         "firstcontact flows show main > main.md", run_show),
        ("diagram", "one flow as a Mermaid drawing (short for: render --format mermaid --flow F)",
         "firstcontact flows diagram main > flows/diagrams/main.mmd", run_diagram),
    ):  # fmt: skip
        alias = command(inner, name, help_, example, func)
        alias.add_argument("flow", help="the flow name, e.g. main")
        _common(alias)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", type=Path, help="write to FILE instead of the screen")
    parser.add_argument(
        "--at",
        type=datetime.fromisoformat,
        metavar="WHEN",
        help="the moment the cards show open or closed, e.g. 2026-11-23T22:00+01:00 (default: now)",
    )
    parser.add_argument("--referrals", type=Path, help="the directory file (default: the shipped)")
    parser.add_argument(
        "--seeds", type=Path, help="the background documents (default: ../shared/seeds)"
    )


def run_show(args: argparse.Namespace) -> int:
    args.format, args.locale = "md", "nl"
    return run_render(args)


def run_diagram(args: argparse.Namespace) -> int:
    args.format, args.locale = "mermaid", "nl"
    return run_render(args)


def run_render(args: argparse.Namespace) -> int:
    from bot.review.render import DEFAULT_SEEDS, build_document, render

    moment = args.at or datetime.now().astimezone()
    if moment.tzinfo is None:
        moment = moment.astimezone()
    try:
        document = build_document(
            args.flows_dir,
            args.locale,
            moment,
            only=args.flow,
            locales_dir=args.paths.locales_dir,  # FIRSTCONTACT_LOCALES_DIR (bot.cli)
            referrals=args.referrals,
            seeds=args.seeds or DEFAULT_SEEDS,
        )
    except DataError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print("Fix these first ('firstcontact flows check' lists them all).", file=sys.stderr)
        return 2
    except KeyError as exc:
        print(exc.args[0], file=sys.stderr)
        return 2
    text = render(document, args.format)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, "utf-8")
        print(f"Wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
