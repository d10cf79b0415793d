"""The referral directory in the database, for a deployment: the same for every process,
editable in a container, with history (storage/directory.py). It answers the same questions
as bot.referrals.source.FileSource, so the watcher and the commands need not know which."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError

from bot.referrals.load import read_directory
from bot.referrals.source import FileSource, SavedMeanwhileError, SaveFailedError

logger = logging.getLogger(__name__)
T = TypeVar("T")
DATABASE_NAME = "database:referrals.yaml"  # how problems name the database's directory
SEED_BY = "firstcontact"
TIMEOUT = 30.0


class DatabaseSource:
    """The directory in the database (storage.directory), seeded from the shipped file.

    Its calls are made from any thread: a private event loop in a thread of its own runs them,
    so the bot's loop never waits on the database for the directory.
    """

    kind = "database"
    name = DATABASE_NAME

    def __init__(self, url: str, seed_file: Path):
        from storage.directory import DirectoryStore

        self.seed_file = Path(seed_file)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="referral-directory-db", daemon=True
        )
        self._thread.start()
        try:
            self.store = self._run(DirectoryStore.open(url))
            self._seed()
        except BaseException:
            self._stop()
            raise

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(TIMEOUT)

    def _seed(self) -> None:
        """First use: the shipped file. Later, a newer shipped file replaces the seed only
        while no coordinator has saved on top of it (their edits are never overwritten)."""
        from storage.directory import SavedMeanwhile

        shipped = read_directory(self.seed_file)
        newest = self._run(self.store.newest())
        digest = hashlib.sha256(shipped.encode()).hexdigest()[:12]
        note = f"from {self.seed_file.name} (sha256 {digest})"
        if newest is not None and (newest.document == shipped or newest.action != "seed"):
            if newest.document != shipped and newest.action != "seed":
                logger.warning(
                    "the shipped %s differs from the directory coordinators keep in the "
                    "database (version %d); the database is used. Compare them with "
                    "'firstcontact referrals import %s --dry-run'",
                    self.seed_file.name,
                    newest.id,
                    self.seed_file,
                )
            return
        parent = newest.id if newest is not None else None
        with contextlib.suppress(SavedMeanwhile):  # another process seeded it at that moment
            self._run(self.store.save(parent, shipped, by=SEED_BY, action="seed", note=note))

    def stamp(self) -> Any:
        return self._run(self.store.newest_id())

    def read(self) -> tuple[str, Any]:
        newest = self._run(self.store.newest())
        if newest is None:
            raise LookupError("the directory database is empty")
        return newest.document, newest.id

    def save(self, base: Any, text: str, **kw: Any) -> str:
        """A new version on top of `base`, with its change rows; raises if `base` is old."""
        from storage.directory import SavedMeanwhile

        try:
            number = self._run(self.store.save(base, text, **kw))
        except SavedMeanwhile:
            raise SavedMeanwhileError(
                "the directory was changed by someone else meanwhile"
            ) from None
        except DBAPIError as exc:  # one transaction: nothing of it was written
            raise SaveFailedError(_refusal(exc, base)) from None
        return f"Saved as version {number} of the directory in the database"

    def history(self, key: str | None = None) -> list:
        return self._run(self.store.history(key))

    def revision(self, number: int):
        return self._run(self.store.revision(number))

    def close(self) -> None:
        try:
            self._run(self.store.close())
        finally:
            self._stop()

    def _stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(TIMEOUT)
        self._loop.close()


def _refusal(exc: DBAPIError, base: Any) -> str:
    """Why the database refused a new version, in plain words, with what to do."""
    from storage.faults import describe_error, disk_full

    kept = (
        f"The directory stays at version {base} and every running bot keeps using it."
        if base is not None
        else "Every running bot keeps the directory it has."
    )
    if disk_full(exc):
        return (
            "the disk that holds the directory's database is full. "
            f"{kept} Free some space on that disk, then run the command again"
        )
    return (
        f"the directory's database refused the change ({describe_error(exc)}). "
        f"{kept} Check the database, then run the command again"
    )


def open_directory(database_url: str, seed_file: Path, file: Path | None = None) -> Any:
    """Where the directory lives: `file` when given; else, with a SQL database (the bot's own,
    Settings.database_url), in that database, seeded from `seed_file` (Settings.referrals_file);
    with memory:// sessions (tests, one process), that file itself."""
    from storage.settings import MEMORY_URL

    if file is not None:
        return FileSource(file)
    if database_url.strip() == MEMORY_URL:
        return FileSource(seed_file)
    return DatabaseSource(database_url, seed_file)
