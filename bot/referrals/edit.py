"""Change one entry from the command line: check the whole result, then replace the file at once."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from bot.problems import ERROR, DataError, Problem, errors, suggest
from bot.referrals.checks import check_directory
from bot.referrals.fields import YEAR_RE, date_value
from bot.referrals.load import BOOL_FIELDS, FIELDS, parse_directory, read_directory
from bot.referrals.model import VERIFIED
from bot.referrals.yamlio import dump_yaml, write_atomically
from bot.yamlsource import parse_round_trip

LIST_FIELDS = ("regions", "languages", "holidays")
TRUE_WORDS = {"true", "yes", "ja", "1"}
FALSE_WORDS = {"false", "no", "nee", "0"}
QUOTED_FIELDS = ("phone", "hours")  # quoted, so 112 stays text and 0800 keeps its zero


class EditRefused(Exception):
    """The edit was not made; the message says why in plain words. The file is untouched."""


@dataclass
class EditResult:
    """What changed (field, before, after) and the warnings the new file still has."""

    changes: list[tuple[str, str, str]] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def parse_assignments(pairs: list[str]) -> dict[str, str]:
    """`["phone=0800-2000", "free=true"]` -> {"phone": "0800-2000", "free": "true"}."""
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise EditRefused(f"'{pair}' is not FIELD=VALUE (for example phone=0800-2000)")
        if name not in FIELDS:
            raise EditRefused(f"the bot does not know the field '{name}'{suggest(name, FIELDS)}")
        out[name] = value.strip()
    return out


def edit_entry(
    path: Path,
    key: str,
    values: dict[str, str],
    today: date,
    *,
    verified_today: bool = False,
    mark_verified: bool = False,
    source: str | None = None,
) -> EditResult:
    """Apply field values to one entry and write the file, or raise and leave it as it was."""
    original = read_directory(path)
    try:
        data = parse_round_trip(original, str(path))
    except DataError as exc:
        found = "; ".join(str(p) for p in exc.problems)
        raise EditRefused(f"the file cannot be read right now, fix this first: {found}") from None
    if not isinstance(data, CommentedMap):
        raise EditRefused(f"{path} does not hold entries; fix it by hand first")
    node = data.get(key)
    if not isinstance(node, CommentedMap):
        hint = suggest(key, [str(k) for k in data])
        raise EditRefused(f"there is no entry '{key}' in {path}{hint}")
    wanted = dict(values)
    if source is not None:
        wanted["source"] = source
    if verified_today or mark_verified:
        wanted["last_verified"] = "today"
    if mark_verified:
        wanted["status"] = VERIFIED
    result = EditResult()
    for name, text in wanted.items():
        before = _show(node.get(name))
        if text == "":
            node.pop(name, None)
        else:
            _assign(node, name, _convert(name, text, today, node.get(name)))
        after = _show(node.get(name))
        if before != after:
            result.changes.append((name, before, after))
    new_text = dump_yaml(data)
    try:
        directory = parse_directory(new_text, str(path))
    except DataError as exc:
        raise DataError(errors(exc.problems)) from None
    problems = check_directory(directory, today)
    if any(p.level == ERROR for p in problems):
        raise DataError(errors(problems))
    if read_directory(path) != original:
        raise EditRefused(f"{path} was changed by someone else meanwhile; run the command again")
    if new_text != original:
        write_atomically(path, new_text)
    result.warnings = [p for p in problems if p.level != ERROR]
    return result


def _convert(name: str, text: str, today: date, old: Any) -> Any:
    """Turn command-line text into the YAML value; bad values are left for validation to name."""
    lowered = text.lower()
    if name in BOOL_FIELDS:
        if lowered in TRUE_WORDS:
            return True
        if lowered in FALSE_WORDS:
            return False
        return text
    if name == "last_verified":
        return today if lowered in ("today", "vandaag") else (date_value(text) or text)
    if name == "source_date":
        return int(text) if YEAR_RE.match(text) else (date_value(text) or text)
    if name in LIST_FIELDS:
        items = [item.strip() for item in text.split(",") if item.strip()]
        if name == "holidays":
            items = [date_value(item) or item for item in items]
        seq = CommentedSeq(items)
        seq.fa.set_flow_style()
        return seq
    if name in QUOTED_FIELDS or isinstance(old, DoubleQuotedScalarString):
        return DoubleQuotedScalarString(text)
    if isinstance(old, SingleQuotedScalarString):
        return SingleQuotedScalarString(text)
    return text


def _assign(node: CommentedMap, name: str, value: Any) -> None:
    """Set a field, keeping the comment lines that followed the old value (or ended the entry)."""
    if name in node:
        old = node[name]
        moved = _take_tail_comment(old) if _is_block(old) else None
    else:
        moved = _take_tail_comment(node)
    node[name] = value
    if moved:
        node.ca.items[name] = [None, None, moved, None]


def _take_tail_comment(node: Any) -> Any:
    """Detach the comment lines that follow the last value (they belong below the entry)."""
    slot = _tail_slot(node)
    if slot is None:
        return None
    items, index = slot
    token = items[index]
    if token is None or "\n" not in token.value:
        return None
    keep, _, rest = token.value.partition("\n")
    if not rest:
        return None
    moved = copy.copy(token)
    moved.value = "\n" + rest
    if keep:
        token.value = keep + "\n"
    else:
        items[index] = None
    return moved


def _tail_slot(node: Any) -> tuple[list, int] | None:
    """Where ruamel keeps the comment after the deepest last value: (ca list, index)."""
    if isinstance(node, CommentedMap) and node:
        last = list(node)[-1]
        deeper = _tail_slot(node[last]) if _is_block(node[last]) else None
        if deeper is not None:
            return deeper
        items = node.ca.items.get(last)
        return (items, 2) if items else None
    if isinstance(node, CommentedSeq) and node:
        last_index = len(node) - 1
        deeper = _tail_slot(node[last_index]) if _is_block(node[last_index]) else None
        if deeper is not None:
            return deeper
        items = node.ca.items.get(last_index)
        return (items, 0) if items else None
    return None


def _is_block(value: Any) -> bool:
    return isinstance(value, CommentedMap | CommentedSeq) and not value.fa.flow_style()


def _show(value: Any) -> str:
    if value is None:
        return "(not set)"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
