"""Round-trip YAML for the directory: parse with lines, dump with comments, replace atomically."""

from __future__ import annotations

import io
import os
import re
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from bot.engine.model import Where
from bot.problems import ERROR, DataError, Problem

DATE_RE = re.compile(r"(?<![\d-])(\d{4}-\d{2}-\d{2})(?![\d-])")


def round_trip_yaml() -> YAML:
    """One configuration for reading and writing, so an edit changes only the edited lines."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # never fold a long line the coordinator wrote on one line
    return yaml


def parse_yaml(text: str, file: str) -> Any:
    """Parse text round-trip; a syntax error becomes a DataError pointing at the line."""
    try:
        return round_trip_yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        what = (exc.problem or "the layout is not valid YAML").strip()
        if "duplicate key" in what:
            what = "the same key is written twice in one entry or in the file"
        hint = "check the indentation, and put text containing ':' or '#' in quotes"
        message = f"this line cannot be read: {what} ({hint})"
        raise DataError([Problem(ERROR, Where(file, line), message)]) from None
    except YAMLError as exc:
        message = f"the file cannot be read as YAML: {exc}"
        raise DataError([Problem(ERROR, Where(file, 1), message)]) from None
    except ValueError:  # YAML reads 2026-13-01 as a date and fails on the month
        raise DataError([_impossible_date(text, file)]) from None


def _impossible_date(text: str, file: str) -> Problem:
    """The first date written in the file that does not exist, with its line."""
    for number, line in enumerate(text.splitlines(), start=1):
        for found in DATE_RE.finditer(line.split("#", 1)[0]):
            try:
                date.fromisoformat(found.group(1))
            except ValueError:
                message = (
                    f"the date {found.group(1)} does not exist; write a real date as YYYY-MM-DD"
                )
                return Problem(ERROR, Where(file, number), message)
    return Problem(ERROR, Where(file, 1), "the file holds a value YAML cannot read")


def read_text(path: Path) -> str:
    """The file's text, or a DataError a coordinator understands."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        message = "the referral file does not exist (check the path or FIRSTCONTACT_REFERRALS)"
        raise DataError([Problem(ERROR, Where(str(path), 1), message)]) from None
    except (OSError, UnicodeDecodeError) as exc:
        message = f"the referral file cannot be read: {exc}"
        raise DataError([Problem(ERROR, Where(str(path), 1), message)]) from None


def dump_yaml(data: Any) -> str:
    stream = io.StringIO()
    round_trip_yaml().dump(data, stream)
    return stream.getvalue()


def line_of(node: Any, key: Any = None) -> int:
    """1-based line of a mapping key, a sequence item, or the node itself (1 when unknown)."""
    try:
        if isinstance(node, CommentedMap) and key is not None and key in node:
            return node.lc.key(key)[0] + 1
        if isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
            return node.lc.item(key)[0] + 1
        if hasattr(node, "lc") and node.lc.line is not None:
            return node.lc.line + 1
    except (KeyError, IndexError, TypeError, AttributeError):
        pass
    return 1


def write_atomically(path: Path, text: str) -> None:
    """Write next to the file, then rename over it: readers see the old or the new file, whole."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
