"""Hypothesis strategies for hostile input shared by the property tests: any JSON value, request
bodies of any shape (deep nesting included), and random damage to a valid object."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)
# What a client can put in a request body: JSON of any shape, nesting deeper than a parser's
# recursion limit (and still under the web chat's 16 KiB; a 500 found so), or bytes that are
# not JSON (or not UTF-8) at all.
BODIES = st.one_of(
    JSON.map(lambda value: json.dumps(value).encode()),
    st.integers(100, 6_000).map(lambda depth: b"[" * depth + b"]" * depth),
    st.integers(100, 3_000).map(lambda depth: b'{"a":' * depth),
    st.binary(max_size=300),
)


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in an object where a value sits (dict keys and list indexes)."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += paths(child, (*prefix, index))
    return found


def corrupt(update: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    """Up to four changes anywhere: a value replaced by any JSON, removed, or a key added."""
    for _ in range(data.draw(st.integers(0, 4), label="corruptions")):
        places = paths(update)
        if not places:
            break
        place = data.draw(st.sampled_from(places), label="where")
        parent: Any = update
        for step in place[:-1]:
            parent = parent[step]
        action = data.draw(st.sampled_from(["replace", "remove", "add"]), label="how")
        if action == "replace":
            parent[place[-1]] = data.draw(JSON, label="value")
        elif action == "remove":
            del parent[place[-1]]
        elif isinstance(parent, dict):
            parent[data.draw(st.text(max_size=12), label="key")] = data.draw(JSON, label="value")
    return update
