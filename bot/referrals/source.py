"""The directory as a file: development, tests and one process. bot/directory_source.py has the
database kind, which answers the same questions, so the watcher need not know which."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from bot.referrals.load import read_directory
from bot.referrals.yamlio import write_atomically


class SavedMeanwhileError(Exception):
    """The directory changed since the change was worked out; nothing was saved."""


class SaveFailedError(Exception):
    """The storage refused the new version (a full disk): nothing was saved, the old one stays.
    Its message says so in plain words, for the coordinator, after "Nothing was changed: "."""


class FileSource:
    """The directory as one YAML file; its version is its text."""

    kind = "file"

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.name = str(self.path)

    def stamp(self) -> Any:
        """Changes whenever the file does (inode, time, size); None when it is missing."""
        try:
            info = os.stat(self.path)
        except OSError:
            return None
        return (info.st_ino, info.st_mtime_ns, info.st_size)

    def read(self) -> tuple[str, Any]:
        """The text, and the version a save must start from (the text itself)."""
        text = read_directory(self.path)
        return text, text

    def save(self, base: Any, text: str, **_: Any) -> str:
        """Replace the file at once, unless it changed since `base` was read."""
        if read_directory(self.path) != base:
            raise SavedMeanwhileError(f"{self.path} was changed by someone else meanwhile")
        if text != base:
            write_atomically(self.path, text)
        return f"Saved {self.path}"

    def history(self, key: str | None = None) -> list | None:
        """None: a file keeps no history (git does, for the shipped one)."""
        return None

    def close(self) -> None:
        return None
