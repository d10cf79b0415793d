"""YAML mistakes in plain words: volunteers fix a line they can find, not a parser's jargon.

Both YAML readers (libyaml for flows, ruamel.yaml for the directory and transcripts) raise
errors worded for programmers ("expected <block end>, but found '<scalar>'"); `explain`
turns either into the line to look at and what to do there.
"""

from __future__ import annotations

import re
from typing import Any

QUOTE_NOT_CLOSED = (
    "a text opens with {quote} here but the closing {quote} is missing: end the text with "
    "{quote} on this line, or write it without quotes"
)
COLON_IN_TEXT = (
    "a ':' followed by a space inside a text: put the whole text in quotes, or write | and "
    "the text on the next lines, indented"
)
NOT_LINED_UP = (
    "this line is not lined up with the lines above it: the names in one block start in the "
    "same column, and the items of a list each start with '- ' in the same column (indent "
    "with spaces)"
)
TEXT_AFTER_QUOTE = (
    "there is more text after the closing quote: put the whole text inside the quotes"
)
NO_COLON = (
    "this line has a name without ':' after it (write name: value), or a text goes on to the "
    "next line without being indented further"
)
TAB = "a tab character: indent with spaces only"
STARTS_WITH = "a text cannot start with {char}: put the whole text in quotes"
LIST_NOT_CLOSED = (
    "a list that opens with [ here is not closed with ] (or a comma is missing between its items)"
)
MAP_NOT_CLOSED = (
    "a block that opens with {{ here is not closed with }} (or a comma is missing between its "
    "parts)"
)
BACKSLASH = (
    "a backslash (\\) inside double quotes: write it twice (\\\\), or use single quotes instead"
)
BLOCK_TEXT = "after | or > the text must start on the next line, indented further than this one"
TWICE = "the name '{key}' appears twice in the same block"
UNREADABLE = (
    "this line cannot be read: check that it is lined up with the lines above it and that a "
    "text with ':' or '#' in it is in quotes"
)

_OPENING_QUOTE = re.compile(r"""^\s*(?:-\s+)*(?:[^\s'"#][^#]*?:\s+)?(["'])""")
_BLOCK_START = re.compile(r"[:-]\s+[|>][-+0-9]*\s*(?:#.*)?$")
_DUPLICATE = re.compile(r"""(?:found duplicate key|the name) ["']([^"']+)["']""")
_INDENTATION = ("<block end>", "expected key", "'-' indicator", "block mapping", "block collection")


def explain(exc: Any, text: str) -> tuple[int, str]:
    """The 1-based line to look at and a plain-words message, for a PyYAML or ruamel error."""
    problem = str(getattr(exc, "problem", None) or "")
    context = str(getattr(exc, "context", None) or "")
    at = _line(getattr(exc, "problem_mark", None)) or _line(getattr(exc, "context_mark", None))
    started = _line(getattr(exc, "context_mark", None)) or at or 1
    at = at or 1
    lines = text.splitlines()
    unclosed = _unclosed_quote(lines, at)
    if "quoted scalar" in context and "end of stream" in problem:
        quote = _quote_on(lines, started)
        return started, QUOTE_NOT_CLOSED.format(quote=quote)
    duplicate = _DUPLICATE.search(problem)
    if duplicate:
        return at, TWICE.format(key=duplicate.group(1))
    if "escape character" in problem:
        return at, BACKSLASH
    if "tab character" in problem or _char_at(lines, exc) == "\t":
        return at, TAB
    if "cannot start any token" in problem or "unknown directive" in problem:
        char = "%" if "directive" in problem else _char_at(lines, exc)
        return at, STARTS_WITH.format(char=char or "@")
    if "alias" in problem or "alias" in context:
        return at, STARTS_WITH.format(char="*")
    if "anchor" in context:
        return at, STARTS_WITH.format(char="&")
    if "constructor for the tag" in problem:
        return at, STARTS_WITH.format(char="!")
    if "block scalar" in context:
        return at, BLOCK_TEXT
    if "flow sequence" in context:
        return started, LIST_NOT_CLOSED
    if "flow mapping" in context:
        return started, MAP_NOT_CLOSED
    if unclosed is not None:
        number, quote = unclosed
        return number, QUOTE_NOT_CLOSED.format(quote=quote)
    if "mapping values are not allowed" in problem:
        return at, COLON_IN_TEXT
    if "simple key" in context and "':'" in problem:
        return started, NO_COLON
    if any(word in problem or word in context for word in _INDENTATION):
        if _text_after_quote(lines, at):
            return at, TEXT_AFTER_QUOTE
        return at, NOT_LINED_UP
    return at, UNREADABLE


def _line(mark: Any) -> int:
    return mark.line + 1 if mark is not None else 0


def _char_at(lines: list[str], exc: Any) -> str:
    mark = getattr(exc, "problem_mark", None)
    if mark is None or not 0 <= mark.line < len(lines):
        return ""
    row = lines[mark.line]
    return row[mark.column] if 0 <= mark.column < len(row) else ""


def _quote_on(lines: list[str], number: int) -> str:
    found = _OPENING_QUOTE.match(lines[number - 1]) if 0 < number <= len(lines) else None
    return found.group(1) if found else '"'


def _closes(rest: str, quote: str) -> int:
    """Where the quoted text in `rest` (after its opening quote) closes, or -1."""
    index = 0
    while index < len(rest):
        char = rest[index]
        if quote == '"' and char == "\\":
            index += 2
            continue
        if char == quote:
            if quote == "'" and rest[index + 1 : index + 2] == "'":
                index += 2
                continue
            return index
        index += 1
    return -1


def _unclosed_quote(lines: list[str], before: int) -> tuple[int, str] | None:
    """The first line up to `before` where a quoted text opens and does not close on that line
    (lines of a | or > text block are text, so "'s avonds" there opens nothing)."""
    block_indent = -1
    for number, row in enumerate(lines[:before], start=1):
        indent = len(row) - len(row.lstrip())
        if block_indent >= 0 and (not row.strip() or indent > block_indent):
            continue
        block_indent = indent if _BLOCK_START.search(row) else -1
        found = _OPENING_QUOTE.match(row)
        if found and _closes(row[found.end() :], found.group(1)) < 0:
            return number, found.group(1)
    return None


def _text_after_quote(lines: list[str], number: int) -> bool:
    """True when a quoted text on this line closes and more words follow it."""
    if not 0 < number <= len(lines):
        return False
    row = lines[number - 1]
    found = _OPENING_QUOTE.match(row)
    if not found:
        return False
    rest = row[found.end() :]
    end = _closes(rest, found.group(1))
    tail = rest[end + 1 :].split(" #", 1)[0].strip() if end >= 0 else ""
    return bool(tail)
