"""Edit one entry's YAML in place: typed text to YAML values, comments kept where they belong."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from bot.referrals.fields import YEAR_RE, date_value
from bot.referrals.load import BOOL_FIELDS

LIST_FIELDS = ("regions", "languages", "holidays")
TRUE_WORDS = {"true", "yes", "ja", "1"}
FALSE_WORDS = {"false", "no", "nee", "0"}
QUOTED_FIELDS = ("phone", "hours")  # quoted, so 112 stays text and 0800 keeps its zero


def convert_value(name: str, text: str, today: date, old: Any) -> Any:
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
    if name == "check_every_days":
        return int(text) if text.isdigit() else text
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


def assign(node: CommentedMap, name: str, value: Any) -> None:
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


def show_value(value: Any) -> str:
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
