"""Test time that moves only when the code under test sleeps: pacing and retries are checked
without waiting, and each sleep still lets other tasks run."""

from __future__ import annotations

import asyncio


class SleepClock:
    """Pass it as the code's clock and its sleep; `slept` lists every pause asked for."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds
        await asyncio.sleep(0)
