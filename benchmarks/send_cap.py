"""What sharing Telegram's send cap through PostgreSQL costs: a row update per message or slices.

Run: python -m benchmarks.send_cap [--seconds 5] [--database-url URL]   (PostgreSQL as the tests
use it: FIRSTCONTACT_TEST_POSTGRES_URL or 127.0.0.1:5432/test; a schema of its own per row).

Each "worker" is a send queue over workers.SharedCap with connections of its own, all in this
process (one clock, so their sends can be counted together); each keeps far more sends waiting
than the cap allows, so the cap is the only limit. Per row: messages a second all workers
sent together, the most in any one second, database round trips per message, the time a lease
took (p50/p99), and this process's CPU per message (PostgreSQL's own is not counted).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import os
import time
from contextlib import AsyncExitStack

from benchmarks.telegram_channel import common
from bot.channels.telegram.sendqueue import SendQueue
from bot.channels.workers import SharedCap, open_shared
from storage import open_store
from tests.auxil.stores import postgres_schema, postgres_url


class TimedCap(SharedCap):
    """The shipped cap, timing each lease's round trip."""

    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self.lease_ms: list[float] = []

    async def lease(self, wanted: int) -> None:
        started = time.perf_counter()
        await super().lease(wanted)
        self.lease_ms.append((time.perf_counter() - started) * 1000)


async def scenario(workers: int, rate: float, slice_seconds: float, seconds: float) -> dict:
    async with postgres_schema() as kw, AsyncExitStack() as stack:
        store = await open_store(postgres_url(), 3600, **kw)  # creates send_budget
        await store.close()
        caps, queues = [], []
        for _ in range(workers):
            shared = open_shared(postgres_url(), **kw)
            stack.push_async_callback(shared.close)
            cap = TimedCap(shared.budget, rate, slice_seconds=slice_seconds)
            caps.append(cap)
            queues.append(SendQueue(cap))
        sent: list[float] = []
        end = time.monotonic() + seconds

        async def sender(queue: SendQueue, chat: int) -> None:
            while time.monotonic() < end:
                await queue.turn(chat)
                sent.append(time.monotonic())

        senders = max(8, int(rate))  # sends always waiting on every worker
        cpu = common.cpu_seconds()
        started = time.monotonic()
        await asyncio.gather(*(sender(q, c) for q in queues for c in range(senders)))
        elapsed, cpu = time.monotonic() - started, common.cpu_seconds() - cpu
        for queue in queues:
            queue.close()
        sent.sort()
        window = [bisect.bisect_left(sent, at + 1.0) - i for i, at in enumerate(sent)]
        leases = sum(cap.leases for cap in caps)
        lease_ms = [ms for cap in caps for ms in cap.lease_ms]
        return {
            "per_s": len(sent) / elapsed,
            "most": max(window) if window else 0,
            "trips": leases / max(len(sent), 1),
            "p50": common.percentile(lease_ms, 0.5),
            "p99": common.percentile(lease_ms, 0.99),
            "cpu_us": cpu / max(len(sent), 1) * 1e6,
        }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    common.quiet()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        "| cap msg/s | workers | lease | sent msg/s | most in 1 s | round trips/msg "
        "| lease p50 / p99 ms | CPU µs/msg |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for rate in (30.0, 1000.0):
        for workers in (2, 4):
            for slice_seconds, label in ((0.0, "1 slot"), (0.1, "0.1 s slice")):
                r = await scenario(workers, rate, slice_seconds, args.seconds)
                print(
                    f"| {rate:g} | {workers} | {label} | {r['per_s']:.0f} | {r['most']} "
                    f"| {r['trips']:.2f} | {r['p50']:.1f} / {r['p99']:.1f} | {r['cpu_us']:.0f} |",
                    flush=True,
                )
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    asyncio.run(main())
