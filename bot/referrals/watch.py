"""Pick up a coordinator's edit within seconds, and never swap in a broken directory."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from bot.problems import ERROR, DataError, Problem, errors
from bot.referrals.checks import check_directory
from bot.referrals.load import load_directory, parse_directory
from bot.referrals.model import Directory
from bot.referrals.source import FileSource

logger = logging.getLogger(__name__)


def read_checked(path: Path, today: date) -> Directory:
    """Load and date-check a file; raise DataError when it has any error."""
    directory = load_directory(path)
    return _dated(directory, today)


def _dated(directory: Directory, today: date) -> Directory:
    problems = check_directory(directory, today)
    if any(p.level == ERROR for p in problems):
        raise DataError(problems)
    return directory


class DirectoryWatcher:
    """Holds the last good directory; looks for a new version at most every `interval` s.

    A file is looked at by the caller of current() (a stat); the database by a thread of its
    own (start_polling), so no message waits on a query.
    """

    def __init__(
        self,
        source: Any,
        interval: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        today: Callable[[], date] = date.today,
        accept: Callable[[Directory], list[Problem]] | None = None,
    ):
        self.source = source if hasattr(source, "read") else FileSource(source)
        self.path = getattr(self.source, "path", None)
        # Extra checks a new version must pass before it replaces the current one (the flows'
        # use of it: no key a flow shows may disappear or become inactive).
        self.accept = accept
        self.interval = interval
        self._clock = clock
        self._today = today
        self._lock = threading.Lock()
        self._stamp = self.source.stamp()
        self._directory = self._read()  # no last good one yet: fail loudly
        self._checked_at = clock()
        self._poller: threading.Thread | None = None
        self._stopping = threading.Event()
        self.reloads = 0
        self.rejected = 0
        self.looks = 0  # looks for a new version so far (tests wait for the next one)

    def _read(self) -> Directory:
        text, _ = self.source.read()
        return _dated(parse_directory(text, self.source.name), self._today())

    def current(self) -> Directory:
        """The directory to use now; with a file, re-reads it when it changed since last look."""
        if self._poller is not None:
            return self._directory
        now = self._clock()
        if now - self._checked_at < self.interval:
            return self._directory
        with self._lock:
            if now - self._checked_at >= self.interval:
                self._checked_at = now
                self._maybe_reload()
            return self._directory

    def start_polling(self) -> None:
        """Look for new versions every `interval` seconds in a thread of its own."""
        if self._poller is None:
            self._poller = threading.Thread(
                target=self._poll, name="referral-directory-watch", daemon=True
            )
            self._poller.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._poller is not None:
            self._poller.join(10)

    def _poll(self) -> None:
        while not self._stopping.wait(self.interval):
            try:
                with self._lock:
                    self._maybe_reload()
            except Exception as exc:  # the database away: keep the last good one, try again
                logger.warning(
                    "could not look for a new referral directory (%s); keeping the last good one",
                    type(exc).__name__,
                )

    def _maybe_reload(self) -> None:
        self.looks += 1
        stamp = self.source.stamp()
        if stamp is None or stamp == self._stamp:
            if stamp is None:
                logger.warning(
                    "referral directory %s is missing; keeping the last good one", self.source.name
                )
            return
        try:
            directory = self._read()
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
        logger.info(
            "referral directory %s reloaded: %d entries", self.source.name, len(directory.entries)
        )

    def _log_rejected(self, problems: list[Problem]) -> None:
        found = errors(problems)
        logger.warning(
            "referral directory %s has %d error(s); keeping the last good directory",
            self.source.name,
            len(found),
        )
        for problem in found:
            logger.warning("  %s", problem)
