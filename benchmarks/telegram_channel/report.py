"""Tables and target verdicts for the Telegram benchmark, printed and written to the docs."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.telegram_channel.common import percentile

SECTION = "## Telegram channel"
ENGINE_SECTION = "## Engine"
INPROC_RATIO_TARGET = 2.0
P99_TARGET_MS = 250.0
URGENT_TARGET_MS = 1000.0  # 112 and press answers under a burst above the send cap
MEMORY_GROWTH_TARGET_MIB = 16.0  # for 90,000 extra stored sessions; in memory they'd be ~170 MiB


@dataclass
class Report:
    command: str
    section: str = SECTION  # the docs section this report writes (the web benchmark has its own)
    started: dt.datetime = field(default_factory=lambda: dt.datetime.now().astimezone())
    load_before: tuple[float, ...] = field(default_factory=os.getloadavg)
    load_after: tuple[float, ...] = ()
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    verdicts: list[tuple[str, bool | None, str]] = field(default_factory=list)

    def add(self, title: str, lines: list[str]) -> None:
        self.sections.append((title, lines))
        print(f"\n{title}\n")
        print("\n".join(lines), flush=True)

    def verdict(self, target: str, passed: bool | None, measured: str) -> None:
        self.verdicts.append((target, passed, measured))

    def machine(self) -> str:
        model = _cpu_model()
        return (
            f"{os.cpu_count()} cores (`nproc` = {len(os.sched_getaffinity(0))}), {model}, "
            f"Python {platform.python_version()} on {platform.system()} {platform.release()}"
        )

    def markdown(self) -> str:
        lines = [
            self.section,
            "",
            f"Measured {self.started:%Y-%m-%d %H:%M %Z} on {self.machine()}.",
            f"Load average (1/5/15 min) before: {_load(self.load_before)}, "
            f"after: {_load(self.load_after)} (the machine may be shared; >0.3 before means "
            "something else was running).",
            "",
            f"Command: `{self.command}`",
            "",
            "### Targets",
            "",
            "| target | measured | verdict |",
            "|---|---|---|",
        ]
        for target, passed, measured in self.verdicts:
            mark = "n/a" if passed is None else ("**met**" if passed else "**missed**")
            lines.append(f"| {target} | {measured} | {mark} |")
        for title, body in self.sections:
            lines += ["", f"### {title}", "", *body]
        return "\n".join(lines) + "\n"


def _load(values: tuple[float, ...]) -> str:
    return " / ".join(f"{v:.2f}" for v in values)


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
    except OSError:
        return platform.processor() or "unknown CPU"
    found = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return found.group(1).strip() if found else "unknown CPU"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table, readable as plain text too."""
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=True)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(f"{c!s:<{w}}" for c, w in zip(cells, widths, strict=True)) + " |"

    return [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)]


def inproc_lines(pairs: dict[str, list[tuple[Any, Any]]]) -> tuple[list[str], dict[str, float]]:
    """Median µs per update over alternating runs; ratio = median of the per-pair ratios."""
    rows, ratios = [], {}
    for stream, runs in pairs.items():
        echo = [e for e, _ in runs]
        full = [f for _, f in runs]
        ratio = statistics.median(f.cpu_us_per_update / e.cpu_us_per_update for e, f in runs)
        ratios[stream] = ratio
        for name, results in (("bare PTB echo", echo), ("firstcontact", full)):
            rows.append(
                [
                    stream,
                    name,
                    f"{results[0].updates:,}",
                    f"{statistics.median(r.us_per_update for r in results):,.0f}",
                    f"{statistics.median(r.cpu_us_per_update for r in results):,.0f}",
                    f"{statistics.median(r.calls_per_update for r in results):.2f}",
                    f"{ratio:.2f}×" if name == "firstcontact" else "1×",
                ]
            )
    header = ["stream", "bot", "updates/run", "µs/update", "CPU µs/update", "calls/update"]
    return table([*header, "cost ratio"], rows), ratios


def http_row(result: dict[str, Any]) -> list[str]:
    plan = result["plan"]
    lat = result["latencies_ms"]
    pushing = result["pushing_seconds"]
    offered = result["pushed"] / pushing if pushing > 0 else plan.chats / plan.period
    rate = result["answered"] / result["seconds"] if result["seconds"] else 0.0
    sessions = result["sessions"]
    return [
        result["name"],
        f"{plan.chats:,}",
        f"{offered:,.0f}",
        f"{rate:,.0f}",
        *(f"{percentile(lat, q):,.0f}" for q in (0.5, 0.95, 0.99)),
        f"{result['lost']:,} of {result['pushed']:,}",
        f"{result['bot_cpu'] * 100:.0f}%",
        f"{result['server_cpu'] * 100:.0f}%",
        f"{result['rss_mib']:.0f}",
        "-" if sessions is None else f"{sessions:,}",
        str(result["rejected"]),
    ]


def overload_row(result: dict[str, Any]) -> list[str]:
    """One burst above the cap: how soon 112 and press answers came, how long the rest waited."""
    plan = result["plan"]
    danger, acks, replies = result["danger_ms"], result["ack_ms"], result["reply_ms"]
    pushing = result["pushing_seconds"]
    waiting = result["danger_waiting"]
    return [
        result["name"],
        f"{plan.chats:,}",
        f"{result['pushed'] / pushing:,.0f}" if pushing > 0 else f"{plan.rate:g}",
        f"{_ms(danger, 0.5)} / {_ms(danger, 1.0)} ({len(danger)})",
        f"{min(waiting):,}–{max(waiting):,}" if waiting else "-",
        f"{_ms(acks, 0.5)} / {_ms(acks, 1.0)} ({len(acks)})",
        f"{_ms(replies, 0.5, 1000)} / {_ms(replies, 1.0, 1000)}",
        f"{result['drain_seconds']:.1f}",
        f"{result['lost']:,} of {result['pushed']:,}",
        f"{result['out_of_order']:,}",
        f"{result['bot_cpu'] * 100:.0f}%",
        str(result["rejected"]),
    ]


def _ms(values: list[float], q: float, unit: float = 1.0) -> str:
    """A percentile (1.0: the largest) in ms, or in s when unit is 1000; "-" if none."""
    if not values:
        return "-"
    value = max(values) if q >= 1.0 else percentile(values, q)
    return f"{value / unit:,.1f}" if unit != 1.0 else f"{value:,.0f}"


OVERLOAD_HEADER = [
    "scenario",
    "chats",
    "pushed/s",
    "112 ms p50 / max (n)",
    "replies queued when typed",
    "press answered ms p50 / max (n)",
    "other replies s p50 / max",
    "drained after s",
    "lost",
    "out of order",
    "bot CPU",
    "refused calls",
]


HTTP_HEADER = [
    "scenario",
    "chats",
    "pushed/s",
    "answered/s",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "lost",
    "bot CPU",
    "server CPU",
    "bot RSS MiB",
    "live sessions",
    "refused calls",
]


def memory_lines(rows: list[dict[str, Any]]) -> list[str]:
    base = rows[0]["rss_mib"]
    body = [
        [
            f"{r['stored']:,}",
            f"{r['live']:,}",
            f"{r['db_mib']:.1f}",
            f"{r['rss_mib']:.1f}",
            f"{r['rss_mib'] - base:+.1f}",
            f"{r['read_us']:.0f}",
        ]
        for r in rows
    ]
    header = ["stored sessions", "live", "SQLite MiB", "RSS MiB", "Δ RSS MiB", "µs per get()"]
    return table(header, body)


def write_docs(path: Path, report: Report) -> None:
    """Replace (or add) our section; keep everything else, the Engine section included."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if not text.strip():
        text = (
            "# Benchmarks\n\nFigures from the scripts in benchmarks/; each section says how it "
            f"was measured.\n\n{ENGINE_SECTION}\n\n_Not recorded yet: run "
            "`python -m benchmarks.engine`._\n\n"
        )
    ours = report.markdown()
    section = report.section
    start = text.find(section)
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + ours
    else:
        following = re.search(r"^## ", text[start + len(section) :], re.MULTILINE)
        end = start + len(section) + following.start() if following else len(text)
        tail = text[end:]
        text = text[:start] + ours + ("\n" + tail if tail else "")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"\nwrote the figures to {path}", file=sys.stderr)
