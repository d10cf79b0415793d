"""A full disk under an SQLite database, two ways: a tiny tmpfs filled to the last byte (when
this process may mount one: root with CAP_SYS_ADMIN), or SQLite's own `max_page_count` held at
the file's present size on every new connection (anywhere). Both make SQLite answer
SQLITE_FULL ("database or disk is full") to a write that needs room; reads still work."""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa

TMPFS_SIZE = "16m"


class FullDisk:
    """`folder` holds the database; fill() makes the disk full, free() gives the room back."""

    def __init__(self, folder: Path, how: str):
        self.folder = folder
        self.how = how
        self._filler = folder / "filler.bin"
        self._limit: Any = None

    def fill(self, database: Path) -> None:
        if self.how == "tmpfs":
            fd = os.open(self._filler, os.O_WRONLY | os.O_CREAT, 0o600)
            try:
                size = 1 << 20
                while size:  # big pieces, then smaller, down to the last byte
                    try:
                        os.write(fd, b"\0" * size)
                    except OSError as exc:
                        assert exc.errno == errno.ENOSPC
                        size //= 2
            finally:
                os.close(fd)
            return
        with sqlite3.connect(database) as conn:
            pages = conn.execute("PRAGMA page_count").fetchone()[0]

        def limit(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.cursor().execute(f"PRAGMA max_page_count = {int(pages)}")

        self._limit = limit
        sa.event.listen(sa.engine.Engine, "connect", limit)

    def free(self) -> None:
        if self._limit is not None:
            sa.event.remove(sa.engine.Engine, "connect", self._limit)
            self._limit = None
        with contextlib.suppress(FileNotFoundError):
            self._filler.unlink()


@contextlib.contextmanager
def full_disk(folder: Path, how: str) -> Iterator[FullDisk]:
    """`how` is "tmpfs" or "max_page_count"; for tmpfs, raises PermissionError if this process
    may not mount one (the caller skips, saying so)."""
    folder.mkdir(parents=True, exist_ok=True)
    if how == "tmpfs":
        if os.geteuid() != 0:
            raise PermissionError("mounting a tmpfs needs root")
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE},mode=0700", "tmpfs", str(folder)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise PermissionError(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    disk = FullDisk(folder, how)
    try:
        yield disk
    finally:
        disk.free()
        if how == "tmpfs":
            subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)
