"""Engine benchmark: µs per step, µs per new session, bytes per session, start-up time.

Also times the naive design (a `transitions` Machine per session) in the same run, so the
ratio is measured on the same machine and Python. Run: python -m benchmarks.engine
Targets: <= 50 µs p99 per step, <= 100 µs per new session, <= 2 KiB per session, <= 1 s start.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
import tracemalloc

from transitions import Machine

from bot.application import load_runtime
from bot.definitions.bundle import build_engine
from bot.engine.machine import choice_trigger
from bot.engine.model import Forget, Say, Start, Text

TEXTS = ["ik weet het niet", "terug", "menu", "help", "2", "hallo?", "ze heeft een mes"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def deep_size(obj, seen: set[int] | None = None) -> int:
    """Bytes of an object and everything it owns (strings shared with the flows included)."""
    seen = seen if seen is not None else set()
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    size = sys.getsizeof(obj)
    if isinstance(obj, dict):
        size += sum(deep_size(k, seen) + deep_size(v, seen) for k, v in obj.items())
    elif isinstance(obj, (list, tuple, set, frozenset)):
        size += sum(deep_size(v, seen) for v in obj)
    elif hasattr(obj, "__slots__"):
        size += sum(deep_size(getattr(obj, s), seen) for s in obj.__slots__ if hasattr(obj, s))
    return size


def walk(engine, steps: int, seed: int) -> list[float]:
    rng = random.Random(seed)
    session, replies = engine.resume(None, Start(), 0.0)
    timings: list[float] = []
    clock = time.perf_counter_ns
    for i in range(steps):
        say = next((r for r in reversed(replies) if isinstance(r, Say) and r.buttons), None)
        if say is None or session is None or rng.random() < 0.1:
            event = Text(rng.choice(TEXTS)) if session is not None else Start()
        else:
            event = rng.choice(say.buttons).event
        t0 = clock()
        session, replies = engine.resume(session, event, float(i))
        timings.append((clock() - t0) / 1000)
        if any(isinstance(r, Forget) for r in replies):
            session, replies = engine.resume(None, Start(), float(i))
    return timings


def naive_machine_per_session(engine, count: int) -> tuple[float, float]:
    """µs and bytes to build one Machine per session for the main flow (the design we avoid)."""
    flow = engine.flows["main"].flow
    states = list(flow.steps)
    transitions = [
        {"trigger": choice_trigger(i), "source": s.id, "dest": c.next}
        for s in flow.steps.values()
        for i, c in enumerate(s.choices)
        if c.next and ":" not in c.next
    ]

    class Model:
        pass

    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    t0 = time.perf_counter()
    keep = []
    for _ in range(count):
        model = Model()
        Machine(
            model=model,
            states=states,
            transitions=transitions,
            initial=flow.start,
            auto_transitions=False,
        )
        keep.append(model)
    elapsed = time.perf_counter() - t0
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return elapsed / count * 1e6, used / count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200_000)
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--naive", type=int, default=200, help="machines to build, naive design")
    args = parser.parse_args()

    t0 = time.perf_counter()
    engine = build_engine()
    startup_engine = time.perf_counter() - t0
    t0 = time.perf_counter()
    load_runtime()
    startup_runtime = time.perf_counter() - t0

    walk(engine, 5_000, seed=1)  # warm up
    steps = walk(engine, args.steps, seed=2)

    clock = time.perf_counter_ns
    new_times = []
    sessions = []
    for i in range(args.sessions):
        t0 = clock()
        session, _ = engine.resume(None, Start(), float(i))
        new_times.append((clock() - t0) / 1000)
        sessions.append(session)
    session_bytes = statistics.mean(deep_size(s) for s in sessions[:500])
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    more = [engine.new_session(float(i)) for i in range(args.sessions)]
    traced = (tracemalloc.get_traced_memory()[0] - before) / len(more)
    tracemalloc.stop()

    naive_us, naive_bytes = naive_machine_per_session(engine, args.naive)
    new_median = statistics.median(new_times)
    rows = [
        (
            "flows compiled",
            f"{len(engine.flows)} flows, "
            f"{sum(len(f.flow.steps) for f in engine.flows.values())} steps",
        ),
        ("start-up: load + compile flows", f"{startup_engine * 1000:.1f} ms"),
        ("start-up: full runtime (flows, referrals, catalogs)", f"{startup_runtime * 1000:.1f} ms"),
        ("engine step, median", f"{statistics.median(steps):.1f} µs"),
        ("engine step, p99", f"{percentile(steps, 0.99):.1f} µs"),
        ("new session (/start, greeting), median", f"{new_median:.1f} µs"),
        ("new session, p99", f"{percentile(new_times, 0.99):.1f} µs"),
        ("bytes per session (deep size, after /start)", f"{session_bytes:.0f} B"),
        ("bytes per session (tracemalloc, bare)", f"{traced:.0f} B"),
        ("naive: Machine per session, build", f"{naive_us:.0f} µs"),
        ("naive: Machine per session, memory", f"{naive_bytes / 1024:.0f} KiB"),
        ("ratio naive/ours, new session time", f"{naive_us / new_median:.0f}×"),
        ("ratio naive/ours, memory", f"{naive_bytes / session_bytes:.0f}×"),
    ]
    width = max(len(r[0]) for r in rows)
    print(
        f"engine benchmark ({args.steps} steps, {args.sessions} sessions, "
        f"Python {sys.version.split()[0]})"
    )
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
