"""The one token bucket: Telegram's send caps, the per-group pace and each chat's flood gate.

A virtual-schedule bucket (GCRA): a call reserves the next free slot at once and, if it must,
sleeps until it, so waiting callers keep their order and no task polls. `rate` calls a second
after a burst of `burst`; a quiet spell saves up the burst again, never more.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class TokenBucket:
    """At most `rate` calls a second after a burst of `burst`; rate 0 = no limit."""

    def __init__(
        self, rate: float, burst: float | None = None, clock: Callable[[], float] = time.monotonic
    ):
        if rate < 0:
            raise ValueError("rate must be 0 (no limit) or more")
        self.rate = rate
        self._interval = 1.0 / rate if rate else 0.0
        self._tolerance = self._interval * ((burst if burst is not None else rate) - 1)
        self._clock = clock
        self._due = 0.0  # when the next call may go if nothing was saved up

    def delay(self) -> float:
        """Seconds until a call may go (0 if now); nothing is taken."""
        if not self.rate:
            return 0.0
        now = self._clock()
        wait = max(self._due, now) - self._tolerance - now
        return wait if wait > 1e-9 else 0.0  # float dust is no reason to sleep

    def take(self) -> None:
        """Use the next slot (the send queue takes one only when delay() is 0)."""
        if self.rate:
            self._due = max(self._due, self._clock()) + self._interval

    def reserve(self) -> float:
        """Take the next slot; returns the seconds to wait before using it (0 if none)."""
        wait = self.delay()
        self.take()
        return wait

    def try_take(self) -> bool:
        """Take a slot only if one is free now (a gate that drops rather than waits)."""
        if self.delay() > 0:
            return False
        self.take()
        return True
