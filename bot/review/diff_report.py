"""A comparison written for a reviewer: the terminal (old and new side by side) or Markdown."""

from __future__ import annotations

import textwrap
from itertools import zip_longest

from bot.review.diff import SECTIONS, Item, Report

COLUMN = 48
NOTHING = "Geen verschil voor het gesprek."
SAME = "gelijke regels"


def _wrapped(text: str, width: int) -> list[str]:
    rows: list[str] = []
    for line in text.splitlines() or [""]:
        rows += textwrap.wrap(line, width) or [""]
    return rows


def side_by_side(old: str, new: str, width: int = COLUMN, context: int = 2) -> list[str]:
    """Old and new text in two columns, rows that differ marked with '|'; long runs of equal
    rows are folded to a count, so a long reply shows where it changed."""
    pairs = list(zip_longest(_wrapped(old, width), _wrapped(new, width), fillvalue=""))
    differ = [i for i, (a, b) in enumerate(pairs) if a != b]
    keep = {j for i in differ for j in range(i - context, i + context + 1)}
    rows = [f"    {'was':<{width}}   nu", f"    {'-' * width}   {'-' * width}"]
    folded = 0
    for index, (a, b) in enumerate(pairs):
        if differ and index not in keep:
            folded += 1
            continue
        if folded:
            rows.append(f"    … {folded} {SAME}")
            folded = 0
        mark = " " if a == b else "|"
        rows.append(f"    {a:<{width}} {mark} {b}".rstrip())
    if folded:
        rows.append(f"    … {folded} {SAME}")
    return rows


def as_text(report: Report) -> str:
    out = [f"Wat verandert er in het gesprek: {report.old} → {report.new}", ""]
    if report.empty:
        return "\n".join([*out, NOTHING]) + "\n"
    for section in SECTIONS:
        items = report.sections[section]
        if not items:
            continue
        out += [f"== {section} ({len(items)})", ""]
        for item in items:
            out.append(f"  {item.at}: {item.what}")
            if item.old or item.new:
                out += side_by_side(item.old, item.new)
                out.append("")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _cell(text: str) -> str:
    return text.strip().replace("|", "\\|").replace("\n", "<br>") or "—"


def as_markdown(report: Report) -> str:
    out = ["# Wat verandert er in het gesprek", "", f"`{report.old}` → `{report.new}`", ""]
    if report.empty:
        return "\n".join([*out, NOTHING]) + "\n"
    for section in SECTIONS:
        items: list[Item] = report.sections[section]
        if not items:
            continue
        out += [f"## {section} ({len(items)})", ""]
        plain = [i for i in items if not (i.old or i.new)]
        worded = [i for i in items if i.old or i.new]
        out += [f"- `{i.at}`: {i.what}" for i in plain]
        if plain:
            out.append("")
        if worded:
            out += ["| waar | wat | was | nu |", "|---|---|---|---|"]
            out += [
                f"| `{i.at}` | {_cell(i.what)} | {_cell(i.old)} | {_cell(i.new)} |" for i in worded
            ]
            out.append("")
    return "\n".join(out).rstrip() + "\n"
