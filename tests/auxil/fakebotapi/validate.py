"""Checks a call's parameters against the spec the way the real server parses them."""

from __future__ import annotations

import json
import re
from typing import Any

from .formatting import FormatError, format_text, strip_text
from .limits import OBJECT_CHECKS, ApiError, bad, check_params, length_error
from .spec import PRIMITIVES, SPEC, Field, Kind, Method

_INT_RE = re.compile(r"\s*-?\d+\s*")
_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})

Formatted = dict[str, tuple[str, list[dict]]]
_EXACT = {"String": str, "Integer": int, "Boolean": bool, "Float": float}
_STRICT = {
    "Integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "Float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "String": lambda v: isinstance(v, str),
    "Boolean": lambda v: isinstance(v, bool),
    "True": lambda v: v is True,
    "InputFile": lambda v: False,
}


def is_file(value: Any) -> bool:
    """An uploaded multipart file part."""
    return hasattr(value, "file") and hasattr(value, "filename")


def _needs_json(types: tuple[str, ...]) -> bool:
    return "String" not in types and any(t not in PRIMITIVES for t in types)


def _primitive(name: str, value: Any, path: str, strict: bool) -> Any:
    if strict:
        if _STRICT[name](value):
            return value
    elif name == "Integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and _INT_RE.fullmatch(value):
            return int(value)
    elif name == "Float":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
    elif name == "String":
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
    elif name in ("Boolean", "True"):
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
            return value.lower() in _TRUE
    elif name == "InputFile":
        if is_file(value) or (isinstance(value, str) and value.startswith("attach://")):
            return value
        raise bad(f"{path} must be a file uploaded with multipart/form-data")
    raise bad(f"{path} must be of type {name}, got {json.dumps(value, default=repr)[:60]}")


def _coerce_one(name: str, value: Any, path: str, strict: bool = False) -> Any:
    if name in PRIMITIVES:
        return _primitive(name, value, path, strict)
    if name.startswith("Array of "):
        if not isinstance(value, list):
            raise bad(f"{path} must be an Array, got {type(value).__name__}")
        inner = name[len("Array of ") :]
        return [_coerce_one(inner, v, f"{path}[{i}]", strict) for i, v in enumerate(value)]
    kind = SPEC.types.get(name)
    if kind is None:
        return value
    if kind.subtypes:
        return coerce(kind.subtypes, value, path, strict=strict)
    return _object(kind, value, path, strict)


def _object(kind: Kind, value: Any, path: str, strict: bool) -> dict:
    if not isinstance(value, dict):
        raise bad(f"{path} must be a {kind.name} object, got {type(value).__name__}")
    if kind.tag and value.get(kind.tag[0]) != kind.tag[1]:
        raise bad(f'{path}.{kind.tag[0]} must be "{kind.tag[1]}" for {kind.name}')
    if not kind.fields:
        return value
    out = {}
    for key, item in value.items():
        f = kind.fields.get(key)
        if f is None:
            raise bad(f'{path}: unknown field "{key}" in {kind.name}')
        if item is None:
            if strict:
                raise bad(f"{path}.{key} is null; absent fields must be left out")
            continue
        out[key] = _field_value(f, item, f"{path}.{key}", top=False, strict=strict)
    missing = kind.required - out.keys()
    if missing:
        raise bad(f'{path}: field "{min(missing)}" is required in {kind.name}')
    for f in kind.fields.values():
        if f.after_entities and f.name in out:
            formatted_text(f, out, kind.fields, f"{path}.{f.name}")
    check = OBJECT_CHECKS.get(kind.name)
    if check:
        check(out, path)
    return out


def coerce(
    types: tuple[str, ...], value: Any, path: str, top: bool = False, strict: bool = False
) -> Any:
    """Convert `value` to the first of `types` it fits, or raise the most telling refusal."""
    if top and isinstance(value, str) and _needs_json(types):
        try:
            value = json.loads(value)
        except ValueError:
            raise bad(f"can't parse {path} JSON object") from None
    if len(types) == 1:
        return _coerce_one(types[0], value, path, strict)
    candidates = list(types)
    if isinstance(value, dict):
        kinds = [SPEC.types.get(t) for t in types]
        tagged = [k.name for k in kinds if k and k.tag and value.get(k.tag[0]) == k.tag[1]]
        fitting = [k.name for k in kinds if k and not k.tag and k.required <= value.keys()]
        candidates = tagged or fitting + [t for t in types if t not in fitting]
    first: ApiError | None = None
    for name in candidates:
        try:
            return _coerce_one(name, value, path, strict)
        except ApiError as exc:
            first = first or exc
    raise first  # type: ignore[misc]


def _field_value(f: Field, value: Any, path: str, top: bool, strict: bool = False) -> Any:
    if len(f.types) == 1 and type(value) is _EXACT.get(f.types[0]) and not f.length:
        return value  # the common case, already of the right type
    result = coerce(f.types, value, path, top, strict)
    if f.length and not f.after_entities and isinstance(result, str):
        lo, hi, unit = f.length
        size = len(result.encode()) if unit == "bytes" else len(result)
        if not lo <= size <= hi:
            raise length_error(path, size, lo, hi, unit)
    if f.count and isinstance(result, list) and not f.count[0] <= len(result) <= f.count[1]:
        raise bad(f"{path} must have {f.count[0]}-{f.count[1]} items, got {len(result)}")
    return result


def formatted_text(f: Field, container: dict, fields: dict[str, Field], path: str) -> tuple:
    """Parse a text field with its parse mode and check its visible length."""
    mode_key = f"{f.name}_parse_mode" if f"{f.name}_parse_mode" in fields else "parse_mode"
    entities_key = f"{f.name}_entities" if f"{f.name}_entities" in fields else "entities"
    raw = container[f.name]
    if container.get(entities_key):
        text, entities = strip_text(raw, container[entities_key])
    else:
        try:
            text, entities = format_text(raw, container.get(mode_key))
        except FormatError as exc:
            raise bad(f"can't parse entities: {exc}") from None
        except KeyError:
            raise bad(f'unsupported parse_mode "{container[mode_key]}"') from None
    lo, hi, _ = f.length  # type: ignore[misc]
    if not lo <= len(text) <= hi:
        raise length_error(path, len(text), lo, hi, "visible characters")
    return text, entities


def validate_call(method: Method, raw: dict[str, Any]) -> tuple[dict[str, Any], Formatted]:
    """Typed parameters and parsed texts for a call, or an ApiError saying what is wrong."""
    params: dict[str, Any] = {}
    for key, value in raw.items():
        f = method.params.get(key)
        if f is None:
            raise bad(f'unknown parameter "{key}" for method {method.name}')
        if value is None or (value == "" and f.types != ("String",)):
            continue
        params[key] = _field_value(f, value, key, top=True)
    for name, f in method.params.items():
        if f.required and name not in params:
            raise bad("message text is empty" if name == "text" else f"{name} is empty")
    formatted: Formatted = {}
    for name, f in method.params.items():
        if f.after_entities and name in params:
            formatted[name] = formatted_text(f, params, method.params, name)
    check_params(method.name, params)
    return params, formatted


def validate_object(type_name: str, value: Any, path: str | None = None) -> Any:
    """Check an object the fake server emits (updates, messages) strictly against the spec."""
    return _coerce_one(type_name, value, path or type_name, strict=True)
