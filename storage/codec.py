"""Session <-> column values, checked both ways so a bad value never reaches or leaves the table.

Messages name the field that is wrong, never its value, so they are safe to log.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from bot.engine.model import Session
from storage.base import Saved
from storage.schema import MAX_ID, MAX_LOCALE, MAX_REGION

COLUMNS = (
    "flow",
    "step",
    "locale",
    "region",
    "answers",
    "history",
    "message_ids",
    "created",
    "updated",
)

_KEY = re.compile(r"[0-9a-f]{64}")
_JSON_COLUMNS = ("answers", "history", "message_ids")
# One encoder for every row: json.dumps with options builds a new encoder each call.
_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode

Row = dict[str, Any]


class CorruptRow(ValueError):
    """A stored row cannot be read back as a Session; the message names the field only."""


def check_key(key: str) -> str:
    """Refuse anything but a session_key() result, so a raw chat id can never become a key."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise ValueError("A session key must be 64 lowercase hex characters from session_key().")
    return key


def _field(saved: Saved, name: str) -> Any:
    """message_ids is the channel's, beside the session; every other column is the session's."""
    return saved.message_ids if name == "message_ids" else getattr(saved.session, name)


def serialize(saved: Saved) -> Row:
    """Column values for a row (without its key); ValueError if a field can't be stored."""
    try:
        plain = _checked_plain(
            {name: _field(saved, name) for name in COLUMNS if name not in _JSON_COLUMNS}
        )
        for name in _JSON_COLUMNS:
            _check_json_value(name, _field(saved, name))
    except CorruptRow as exc:
        raise ValueError(f"This session cannot be stored: {exc}") from None
    plain.update((name, _encode(_field(saved, name))) for name in _JSON_COLUMNS)
    return plain


def deserialize(row: Mapping[str, Any]) -> Saved:
    """A row read back; raises CorruptRow if anything is missing or malformed."""
    try:
        values = {name: row[name] for name in COLUMNS}
    except KeyError as exc:
        raise CorruptRow(f"column {exc.args[0]} is missing") from None
    plain = _checked_plain({k: v for k, v in values.items() if k not in _JSON_COLUMNS})
    for name in _JSON_COLUMNS:
        plain[name] = _check_json_value(name, _parsed(values[name], name))
    message_ids = plain.pop("message_ids")
    return Saved(Session(**plain), message_ids)


def _checked_plain(values: Row) -> Row:
    _check_text(values, "flow", MAX_ID)
    _check_text(values, "step", MAX_ID)
    _check_text(values, "locale", MAX_LOCALE)
    if values["region"] is not None:
        _check_text(values, "region", MAX_REGION)
    for name in ("created", "updated"):
        value = values[name]
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not math.isfinite(value):
            raise CorruptRow(f"{name} is not a finite number")
        values[name] = float(value)
    return values


def _check_json_value(name: str, value: Any) -> Any:
    if name == "answers":
        ok = isinstance(value, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        )
        what = "a mapping of text to text"
    elif name == "history":
        ok = isinstance(value, list) and all(isinstance(h, str) for h in value)
        what = "a list of text"
    else:
        ok = isinstance(value, list) and all(
            isinstance(i, int) and not isinstance(i, bool) for i in value
        )
        what = "a list of whole numbers"
    if not ok:
        raise CorruptRow(f"{name} is not {what}")
    return value


def _check_text(values: Row, name: str, limit: int) -> None:
    value = values[name]
    if not isinstance(value, str) or not value or len(value) > limit:
        raise CorruptRow(f"{name} is not text of 1 to {limit} characters")


def _parsed(text: Any, name: str) -> Any:
    if not isinstance(text, str):
        raise CorruptRow(f"{name} is not JSON text")
    try:
        return json.loads(text)
    except ValueError:
        raise CorruptRow(f"{name} is not valid JSON") from None
