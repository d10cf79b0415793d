"""The official Bot API spec, indexed once at import so no request ever reads a file."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

SPEC_ENV = "FIRSTCONTACT_BOT_API_SPEC"
_SPEC_PARTS = ("shared", "telegram-bot-api", "api.min.json")

PRIMITIVES = frozenset({"Integer", "String", "Boolean", "Float", "True", "InputFile"})

_LENGTH_RE = re.compile(r"\b(\d+)-(\d+) (characters|bytes|Bytes)\b(.{0,30})")
_COUNT_RE = re.compile(r"\b(\d+)-(\d+) (?!characters|bytes|Bytes|for\b|are\b)")
_AT_MOST_RE = re.compile(r"\b[Aa]t most (\d+)\b")
_TAG_RE = re.compile(r'(?:always|must be) "?([a-z_]+)"?')


@dataclass(frozen=True, slots=True)
class Field:
    """One parameter or object field, with the limits its prose documents."""

    name: str
    types: tuple[str, ...]
    required: bool
    description: str
    length: tuple[int, int, str] | None = None  # (min, max, "characters" | "bytes")
    after_entities: bool = False  # the length counts the text after entity parsing
    count: tuple[int, int] | None = None  # bounds on the number of array items


@dataclass(frozen=True, slots=True)
class Kind:
    """One object type; `tag` is the (field, value) that selects it among its siblings."""

    name: str
    fields: dict[str, Field]
    required: frozenset[str]
    subtypes: tuple[str, ...]
    tag: tuple[str, str] | None


@dataclass(frozen=True, slots=True)
class Method:
    """One API method and its parameters."""

    name: str
    params: dict[str, Field]
    returns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Spec:
    """The whole API: methods by exact and lower-case name, and object types."""

    version: str
    methods: dict[str, Method]
    methods_lower: dict[str, Method]
    types: dict[str, Kind]

    def method(self, name: str) -> Method | None:
        """Real Telegram matches method names case-insensitively."""
        return self.methods.get(name) or self.methods_lower.get(name.lower())


def spec_path() -> Path:
    """Find api.min.json: the env override, else shared/ beside the repository."""
    override = os.environ.get(SPEC_ENV)
    if override:
        return Path(override)
    here = Path(__file__)
    candidates = []
    for base in (here.resolve().parents[3], here.absolute().parents[3]):
        candidates += [base.parent.joinpath(*_SPEC_PARTS), base.joinpath(*_SPEC_PARTS)]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    tried = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(f"Bot API spec not found (tried {tried}); set {SPEC_ENV}")


def _field(raw: dict) -> Field:
    types = tuple(raw["types"])
    text = raw.get("description", "")
    length = None
    after = False
    count = None
    if types == ("String",):
        m = _LENGTH_RE.search(text)
        if m and int(m[1]) <= int(m[2]):
            length = (int(m[1]), int(m[2]), m[3].lower())
            after = "after entit" in m[4]
    elif all(t.startswith("Array of ") for t in types):
        m = _COUNT_RE.search(text)
        if m and int(m[1]) <= int(m[2]):
            count = (int(m[1]), int(m[2]))
        elif m := _AT_MOST_RE.search(text):
            count = (0, int(m[1]))
    return Field(raw["name"], types, bool(raw.get("required")), text, length, after, count)


def _kind(raw: dict) -> Kind:
    fields = {f["name"]: _field(f) for f in raw.get("fields", [])}
    tag = None
    for key in ("type", "status", "source"):
        f = fields.get(key)
        if f and (m := _TAG_RE.search(f.description)):
            tag = (key, m[1])
            break
    required = frozenset(n for n, f in fields.items() if f.required)
    return Kind(raw["name"], fields, required, tuple(raw.get("subtypes", ())), tag)


def load_spec(path: Path | None = None) -> Spec:
    """Parse and index the spec file."""
    data = json.loads((path or spec_path()).read_text(encoding="utf-8"))
    methods = {}
    for name, raw in data["methods"].items():
        params = {f["name"]: _field(f) for f in raw.get("fields", [])}
        methods[name] = Method(name, params, tuple(raw.get("returns", ())))
    types = {name: _kind(raw) for name, raw in data["types"].items()}
    lower = {name.lower(): m for name, m in methods.items()}
    return Spec(data.get("version", "?"), methods, lower, types)


SPEC = load_spec()
