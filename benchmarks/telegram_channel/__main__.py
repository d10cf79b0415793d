"""Telegram channel benchmark: the full stack against a bare PTB echo bot, in process and over HTTP.

In process: both bots get the same updates through PTB, their API calls answered instantly
without HTTP, so the ratio is our cost per update against PTB's floor. Over HTTP: the strict
fake Bot API runs in its own process with N simulated men pressing buttons (each one every few
seconds, open loop), the bot polls it from another; we measure reply latency, lost replies,
CPU and memory. Then a burst at 5× the 30 messages/s cap: how soon 112 and press answers come
while the backlog drains. Then RSS against the number of stored sessions. Everything binds
127.0.0.1 only, is bounded in time and stops by itself. Not part of the test suite.

Run: .venv/bin/python -m benchmarks.telegram_channel            (about 5 minutes; writes the docs)
     .venv/bin/python -m benchmarks.telegram_channel --quick    (about 30 s smoke run; prints only)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import sys
import time
from dataclasses import dataclass
from typing import Any

from benchmarks.telegram_channel import common, memory, report
from benchmarks.telegram_channel import in_process as inproc
from benchmarks.telegram_channel import over_http as http
from benchmarks.telegram_channel.load import LoadPlan
from benchmarks.telegram_channel.overload import OverloadPlan
from bot.application import load_runtime

DOCS = common.ROOT / "docs" / "benchmarks.md"


@dataclass(frozen=True)
class Settings:
    pairs: int  # alternating echo/full runs in process, per stream
    chats: int  # in process: chats per round
    rounds: int  # in process: updates per chat per run
    sizes: tuple[int, ...]  # stored sessions for the memory check
    reads: int
    scenarios: tuple[http.Scenario, ...]
    overloads: tuple[http.Scenario, ...]  # bursts above the send cap, as shipped


def _plan(
    chats: int, period: float, duration: float, ramp: float, style: str, grace: float
) -> LoadPlan:
    return LoadPlan(chats, period, duration, ramp, style, grace)


FULL = Settings(
    pairs=5,
    chats=200,
    rounds=5,
    sizes=(10_000, 100_000),
    reads=10_000,
    scenarios=(
        http.Scenario("bare PTB echo (floor)", "echo", _plan(1_000, 2, 20, 2, "text", 10)),
        http.Scenario("firstcontact", "full", _plan(100, 2, 20, 2, "buttons", 10)),
        http.Scenario("firstcontact", "full", _plan(1_000, 2, 25, 2, "buttons", 10)),
        http.Scenario(
            "firstcontact, webhook mode",
            "full",
            _plan(1_000, 2, 25, 2, "buttons", 10),
            webhook=True,
        ),
        http.Scenario(
            "firstcontact, 10,000 started",
            "full",
            _plan(10_000, 20, 30, 0, "buttons", 10),
            seeded=True,
        ),
        http.Scenario(
            "firstcontact as shipped (30 msg/s cap)",
            "full",
            _plan(100, 2, 15, 2, "buttons", 10),
            shipped_limiter=True,
        ),
    ),
    overloads=(
        http.Scenario(
            "firstcontact as shipped, 5× burst",
            "full",
            OverloadPlan(chats=600, rate=150, dangers=6, presses=30),
            shipped_limiter=True,
        ),
    ),
)
QUICK = Settings(
    pairs=1,
    chats=100,
    rounds=3,
    sizes=(1_000, 5_000),
    reads=500,
    scenarios=(
        http.Scenario("bare PTB echo (floor)", "echo", _plan(100, 2, 4, 1, "text", 2)),
        http.Scenario("firstcontact", "full", _plan(100, 2, 4, 1, "buttons", 2)),
        http.Scenario(
            "firstcontact, webhook mode", "full", _plan(100, 2, 4, 1, "buttons", 2), webhook=True
        ),
    ),
    overloads=(
        http.Scenario(
            "firstcontact as shipped, 5× burst",
            "full",
            OverloadPlan(chats=300, rate=150, dangers=2, presses=5),
            shipped_limiter=True,
        ),
    ),
)


async def _inproc(settings: Settings) -> dict[str, list[tuple[Any, Any]]]:
    runtime = load_runtime()
    pairs: dict[str, list[tuple[Any, Any]]] = {}
    for stream in ("text", "buttons"):
        for _ in range(settings.pairs):  # alternate, so both see the same machine noise
            echo = await inproc.run_echo(stream, settings.chats, settings.rounds)
            full = await inproc.run_full(runtime, stream, settings.chats, settings.rounds)
            pairs.setdefault(stream, []).append((echo, full))
    return pairs


def run_inproc(settings: Settings, out: report.Report) -> None:
    pairs = asyncio.run(_inproc(settings))
    lines, ratios = report.inproc_lines(pairs)
    notes = [
        "",
        f"Median of {settings.pairs} alternating runs of {settings.chats} chats × "
        f"{settings.rounds} updates (after 2 warm-up rounds); ratio = median of the per-run "
        "CPU ratios. The echo bot runs PTB with 256 concurrent updates, firstcontact with its "
        "shipped setting (100,000: no update waits for a dispatch slot); both use the same "
        "in-process request class (valid JSON answers, no HTTP). *text*: each update is a "
        "typed message and each bot sends one message (like for like). *buttons*: /start, "
        "then presses of a button of the last reply; we answer the query and send the next "
        "step, the echo bot only answers the query. Each bot gets updates as it does in "
        "production: the echo bot "
        "as PTB Update objects (what its Updater hands it), firstcontact as raw JSON (what its "
        "own poller hands it). Our sender's 30 messages/s cap is lifted here.",
    ]
    out.add("In process (no HTTP)", lines + notes)
    for stream, what in (("text", "same work per update"), ("buttons", "button presses")):
        ratio = ratios[stream]
        out.verdict(
            f"cost per update ≤ {report.INPROC_RATIO_TARGET:g}× bare echo ({what})",
            ratio <= report.INPROC_RATIO_TARGET,
            f"{ratio:.2f}×",
        )


def run_memory(settings: Settings, out: report.Report) -> None:
    rows = memory.measure(list(settings.sizes), settings.reads)
    growth = rows[-1]["rss_mib"] - rows[0]["rss_mib"]
    notes = [
        "",
        "A fresh process opens the SQLite store, stores sessions as after /start, reads "
        f"{settings.reads:,} random ones back with get(), then reports its RSS. The store "
        "keeps at most 10,000 decoded sessions in memory (an LRU), so with 10,000 stored "
        "every get() is a memory hit, and with more stored most go to SQLite.",
    ]
    out.add("Memory against stored sessions", report.memory_lines(rows) + notes)
    extra = rows[-1]["stored"] - rows[0]["stored"]
    out.verdict(
        f"memory does not grow with stored sessions (≤ {report.MEMORY_GROWTH_TARGET_MIB:g} MiB "
        f"for {extra:,} more)",
        growth <= report.MEMORY_GROWTH_TARGET_MIB,
        f"{growth:+.1f} MiB ({growth * 2**20 / extra:.0f} B per extra session)",
    )


def _run_table(scenarios, header: list[str], row) -> tuple[list[str], list[dict]]:
    """Run each scenario over HTTP: one table row each (a failed run says why), and results."""
    rows, results = [], []
    for scenario in scenarios:
        print(f"  running: {scenario.name}, {scenario.plan.chats:,} chats …", flush=True)
        try:
            result = http.run_scenario(scenario)
        except RuntimeError as exc:
            rows.append([scenario.name, f"{scenario.plan.chats:,}", f"failed: {exc}"])
            continue
        results.append(result)
        rows.append(row(result))
    width = len(header)
    return report.table(header, [r + [""] * (width - len(r)) for r in rows]), results


def run_http(settings: Settings, out: report.Report) -> None:
    lines, results = _run_table(settings.scenarios, report.HTTP_HEADER, report.http_row)
    refused: dict[str, int] = {}
    for result in results:
        for reason, count in result["refusals"].items():
            refused[reason] = refused.get(reason, 0) + count
    notes = _http_notes(settings)
    if refused:
        notes += [
            "",
            "Calls the fake server refused: "
            + "; ".join(f"{reason} ({count:,}×)" for reason, count in sorted(refused.items()))
            + ".",
        ]
    out.add("Over HTTP against the fake Bot API", lines + notes)
    _http_verdicts(results, out)


def _http_notes(settings: Settings) -> list[str]:
    plans = "; ".join(
        f"{s.name}: {s.plan.chats:,} chats, one update each every {s.plan.period:g} s "
        f"(±20 %) for {s.plan.duration:g} s, "
        + (
            "all conversations started beforehand (sessions in SQLite, greeting in each chat)"
            if s.seeded
            else f"/start spread over the first {s.plan.ramp:g} s"
        )
        for s in settings.scenarios
    )
    return [
        "",
        "The fake Bot API (tests/fakebotapi, validating every call against the official "
        "spec) and the simulated men run in one process, the bot in another, both on "
        "127.0.0.1; the bot long-polls getUpdates, or in the webhook row gets each update "
        "POSTed by the server (up to 40 at once, as Telegram does) and answers a press in "
        "that response. Latency: push of the update → the server "
        "receiving the reply's sendMessage. Lost: pushed, not answered within "
        f"{settings.scenarios[0].plan.grace:g} s after the last push. Open loop: a man "
        "presses on time even while waiting. Our bot presses buttons of its last reply "
        "(/start again after being forgotten); the echo bot gets typed text (one message "
        "back each). CPU: share of one core while the load ran. Firstcontact rows use the "
        "production TelegramBot with SQLite (long-poll timeout 1 s instead of 25 s, so it stops "
        "quickly; under load getUpdates returns at once anyway), its 30 messages/s overall "
        "cap lifted except in the 'as shipped' row.",
        "",
        f"Runs: {plans}.",
    ]


def _http_verdicts(results: list[dict[str, Any]], out: report.Report) -> None:
    def find(
        bot: str, chats: int, shipped: bool = False, webhook: bool = False
    ) -> dict[str, Any] | None:
        for r in results:
            is_full = r["handled"] is not None
            same = (bot == "full") == is_full and r["plan"].chats == chats
            if same and ("shipped" in r["name"]) == shipped and ("webhook" in r["name"]) == webhook:
                return r
        return None

    for mode, target in (
        ("", find("full", 1_000)),
        (" (webhook)", find("full", 1_000, webhook=True)),
    ):
        if target is None:
            continue
        p99 = common.percentile(target["latencies_ms"], 0.99)
        rate = target["answered"] / target["seconds"] if target["seconds"] else 0.0
        out.verdict(
            f"1,000 chats pressing every 2 s over HTTP{mode}: no reply lost, p99 ≤ "
            f"{report.P99_TARGET_MS:g} ms",
            target["lost"] == 0 and p99 <= report.P99_TARGET_MS,
            f"{rate:,.0f} answered/s, p99 {p99:,.0f} ms, lost {target['lost']:,} of "
            f"{target['pushed']:,}",
        )
    live = find("full", 10_000)
    if live is not None:
        out.verdict(
            "memory at 10,000 live sessions (bot process)",
            None,
            f"{live['rss_mib']:.0f} MiB RSS with {live['sessions']:,} live sessions",
        )
    floor = find("echo", 1_000) or find("echo", 100)
    if floor is not None:
        p99 = common.percentile(floor["latencies_ms"], 0.99)
        out.verdict(
            f"floor: bare PTB echo bot, {floor['plan'].chats:,} chats, same rate",
            None,
            f"p99 {p99:,.0f} ms, lost {floor['lost']:,} of {floor['pushed']:,}, "
            f"bot CPU {floor['bot_cpu'] * 100:.0f}%",
        )


def run_overload(settings: Settings, out: report.Report) -> None:
    assert all(isinstance(s.plan, OverloadPlan) for s in settings.overloads)
    lines, results = _run_table(settings.overloads, report.OVERLOAD_HEADER, report.overload_row)
    runs = "; ".join(
        f"{s.name}: {s.plan.chats:,} chats send /start at {s.plan.rate:g}/s "
        f"({s.plan.burst_seconds:g} s), {s.plan.dangers} type the danger words and "
        f"{s.plan.presses} press a button mid-burst"
        for s in settings.overloads
        if isinstance(s.plan, OverloadPlan)
    )
    notes = [
        "",
        "The production TelegramBot with its shipped 30 messages/s cap, polling the fake Bot "
        "API in another process (as in the rows above). From a quarter to three quarters of the "
        'way through the burst, men type "ik ben nu in gevaar" (alternately one whose greeting '
        "arrived and the newest one whose greeting still waits, so his own reply must go first "
        "too) and men whose greeting arrived press its first button. 112: push → the server "
        "receiving the notice. Press answered: push → answerCallbackQuery. Other replies: push "
        "→ reply for every greeting and press reply, the wait the cap imposes. Drained: first "
        "push → last reply; at 30/s the cap alone needs (replies − 30) / 30 s. Out of order: a "
        "notice that came before its chat's earlier reply.",
        "",
        f"Runs: {runs}.",
    ]
    out.add("Overload: danger first under the send cap", lines + notes)
    for result in results:
        danger, acks = result["danger_ms"], result["ack_ms"]
        worst_112 = max(danger) if danger else float("inf")
        worst_ack = max(acks) if acks else float("inf")
        rate = result["pushed"] / result["pushing_seconds"] if result["pushing_seconds"] else 0
        out.verdict(
            f"112 within {report.URGENT_TARGET_MS / 1000:g} s of being typed, mid-burst at "
            f"{rate:,.0f} updates/s against the 30/s cap",
            worst_112 <= report.URGENT_TARGET_MS,
            f"max {worst_112:,.0f} ms over {len(danger)}, with up to "
            f"{max(result['danger_waiting'], default=0):,} replies queued",
        )
        out.verdict(
            f"every press answered within {report.URGENT_TARGET_MS / 1000:g} s during that burst",
            worst_ack <= report.URGENT_TARGET_MS and len(acks) == result["plan"].presses,
            f"max {worst_ack:,.0f} ms over {len(acks)}",
        )
        out.verdict(
            "that burst: no reply lost, each chat's replies in order",
            result["lost"] == 0 and result["out_of_order"] == 0,
            f"lost {result['lost']:,} of {result['pushed']:,}, out of order "
            f"{result['out_of_order']:,}, drained after {result['drain_seconds']:.1f} s",
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a ~30 s smoke run (prints only)")
    parser.add_argument(
        "--only",
        choices=("inproc", "memory", "http", "overload"),
        help="run one part (prints only)",
    )
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/benchmarks.md")
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    command = ".venv/bin/python -m benchmarks.telegram_channel" + "".join(
        f" {shlex.quote(a)}" for a in (sys.argv[1:] if argv is None else argv)
    )
    out = report.Report(command)
    load = " / ".join(f"{v:.2f}" for v in out.load_before)
    print(f"Telegram benchmark on {out.machine()}; load average {load}", flush=True)
    common.quiet()
    started = time.monotonic()
    parts = {
        "inproc": run_inproc,
        "memory": run_memory,
        "http": run_http,
        "overload": run_overload,
    }
    for name, run in parts.items():
        if args.only in (None, name):
            run(settings, out)
    out.load_after = os.getloadavg()
    print("\nTargets\n")
    for target, passed, measured in out.verdicts:
        mark = "-" if passed is None else ("met" if passed else "MISSED")
        print(f"  [{mark:>6}] {target}: {measured}")
    print(f"\ntotal {time.monotonic() - started:.0f} s", flush=True)
    if not (args.quick or args.only or args.no_docs):
        report.write_docs(DOCS, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
