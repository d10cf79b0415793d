"""Telegram's parse modes: visible text, entities and length as the real API computes them."""

from __future__ import annotations

from .html_mode import parse_html
from .markdown_mode import parse_markdown, parse_markdown_v2
from .textparts import FormatError, utf16_len

__all__ = ["PARSERS", "FormatError", "format_text", "strip_text", "utf16_len"]

PARSERS = {"html": parse_html, "markdownv2": parse_markdown_v2, "markdown": parse_markdown}


def strip_text(text: str, entities: list[dict]) -> tuple[str, list[dict]]:
    """Telegram trims surrounding whitespace and clips the entities to what is left."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    kept = []
    for entity in entities:
        begin = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, size)
        if end > begin:
            kept.append({**entity, "offset": begin, "length": end - begin})
    return stripped, kept


def format_text(text: str, parse_mode: str | None) -> tuple[str, list[dict]]:
    """Visible text and entities for `text` sent with `parse_mode` (raises FormatError)."""
    if not parse_mode:
        return strip_text(text, [])
    parser = PARSERS.get(parse_mode.lower())
    if parser is None:
        raise KeyError(parse_mode)
    return strip_text(*parser(text))
