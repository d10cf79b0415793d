"""Per-field change rows between two versions of the directory, as HSDS's metadata keeps them."""

from __future__ import annotations

from bot.referrals.yamledit import show_value
from bot.yamlsource import parse_round_trip

ENTRY = "*"  # the field name of a row about a whole entry (added or removed)


def field_changes(before: str, after: str, file: str = "") -> list[tuple[str, str, str, str]]:
    """(key, field, previous value, replacement value) for every field that differs."""
    old = parse_round_trip(before, file) or {}
    new = parse_round_trip(after, file) or {}
    rows: list[tuple[str, str, str, str]] = []
    for key in [*old, *(k for k in new if k not in old)]:
        if key not in new:
            rows.append((str(key), ENTRY, "(entry)", "(removed)"))
            continue
        was, now = old.get(key) or {}, new[key] or {}
        if key not in old:
            rows.append((str(key), ENTRY, "(none)", "(added)"))
        for name in [*was, *(n for n in now if n not in was)]:
            previous, replacement = show_value(was.get(name)), show_value(now.get(name))
            if previous != replacement:
                rows.append((str(key), str(name), previous, replacement))
    return rows
