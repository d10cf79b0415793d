"""Pick up a coordinator's edit within seconds, and never swap in a broken file."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from bot.problems import ERROR, DataError, Problem, errors
from bot.referrals.checks import check_directory
from bot.referrals.load import load_directory
from bot.referrals.model import Directory

logger = logging.getLogger(__name__)

Stamp = tuple[int, int, int]  # inode, mtime in ns, size


def read_checked(path: Path, today: date) -> Directory:
    """Load and date-check a file; raise DataError when it has any error."""
    directory = load_directory(path)
    problems = check_directory(directory, today)
    if any(p.level == ERROR for p in problems):
        raise DataError(problems)
    return directory


class DirectoryWatcher:
    """Holds the last good directory; looks at the file at most every `interval` seconds."""

    def __init__(
        self,
        path: Path | str,
        interval: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        today: Callable[[], date] = date.today,
        accept: Callable[[Directory], list[Problem]] | None = None,
    ):
        self.path = Path(path)
        # Extra checks a new file must pass before it replaces the current one (the flows'
        # use of it: no key a flow shows may disappear or become inactive).
        self.accept = accept
        self.interval = interval
        self._clock = clock
        self._today = today
        self._lock = threading.Lock()
        self._stamp = self._stat()
        self._directory = read_checked(self.path, today())  # no last good one yet: fail loudly
        self._checked_at = clock()
        self.reloads = 0
        self.rejected = 0

    def current(self) -> Directory:
        """The directory to use now; re-reads the file when it changed since the last look."""
        now = self._clock()
        if now - self._checked_at < self.interval:
            return self._directory
        with self._lock:
            if now - self._checked_at >= self.interval:
                self._checked_at = now
                self._maybe_reload()
            return self._directory

    def _maybe_reload(self) -> None:
        stamp = self._stat()
        if stamp is None or stamp == self._stamp:
            if stamp is None:
                logger.warning("referral file %s is missing; keeping the last good one", self.path)
            return
        try:
            directory = read_checked(self.path, self._today())
            if self.accept is not None:
                refused = errors(self.accept(directory))
                if refused:
                    raise DataError(refused)
        except DataError as exc:
            self._stamp = stamp  # report a broken edit once, not every interval
            self.rejected += 1
            self._log_rejected(exc.problems)
            return
        self._stamp = stamp
        self._directory = directory
        self.reloads += 1
        logger.info("referral file %s reloaded: %d entries", self.path, len(directory.entries))

    def _log_rejected(self, problems: list[Problem]) -> None:
        found = errors(problems)
        logger.warning(
            "referral file %s has %d error(s); keeping the last good directory",
            self.path,
            len(found),
        )
        for problem in found:
            logger.warning("  %s", problem)

    def _stat(self) -> Stamp | None:
        try:
            info = os.stat(self.path)
        except OSError:
            return None
        return (info.st_ino, info.st_mtime_ns, info.st_size)
