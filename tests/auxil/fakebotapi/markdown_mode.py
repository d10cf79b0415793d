"""parse_mode=MarkdownV2 and legacy Markdown, following TDLib's parsers."""

from __future__ import annotations

from .textparts import Builder, FormatError, byte_offset

_RESERVED_V2 = set("_*[]()~`>#+-=|{}.!")
_V2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
    "code": "Code",
    "pre": "Pre",
    "custom_emoji": "CustomEmoji",
}
_V2_OPEN = {"*": "bold", "~": "strikethrough"}


def parse_markdown_v2(text: str) -> tuple[str, list[dict]]:
    """Follows TDLib's parse_markdown_v2: every reserved character outside markup is an error."""
    out = Builder()
    stack: list[tuple[str, int, int, str]] = []  # kind, utf16 start, index, language
    quote_start: int | None = None
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if ch == "\\" and nxt and 0 < ord(nxt) <= 126:
            out.add(nxt)
            i += 2
            continue
        top = stack[-1][0] if stack else None
        in_code = top in ("code", "pre")
        if ch == "\n" and quote_start is not None and nxt != ">":
            out.entity("blockquote", quote_start)
            quote_start = None
        if ch not in _RESERVED_V2 or (in_code and ch != "`"):
            out.add(ch)
            i += 1
            continue
        if ch == ">" and (i == 0 or text[i - 1] == "\n") and not stack:
            if quote_start is None:
                quote_start = out.offset
            i += 1
            continue
        ends = {
            "bold": ch == "*",
            "italic": ch == "_" and nxt != "_",
            "underline": text.startswith("__", i),
            "strikethrough": ch == "~",
            "spoiler": text.startswith("||", i),
            "code": ch == "`",
            "pre": text.startswith("```", i),
            "text_link": ch == "]",
            "custom_emoji": ch == "]",
        }
        if top and ends[top]:
            i = _v2_close(text, i, stack, out)
            continue
        i = _v2_open(text, i, stack, out)
    if stack:
        kind, _, index, _ = stack[-1]
        where = byte_offset(text, index)
        raise FormatError(f"Can't find end of {_V2_NAMES[kind]} entity at byte offset {where}")
    if quote_start is not None:
        out.entity("blockquote", quote_start)
    return out.result()


def _v2_open(text: str, i: int, stack: list, out: Builder) -> int:
    ch, nxt = text[i], text[i + 1 : i + 2]
    language = ""
    step = 1
    if ch in _V2_OPEN:
        kind = _V2_OPEN[ch]
    elif ch == "_":
        kind, step = ("underline", 2) if nxt == "_" else ("italic", 1)
    elif ch == "|" and nxt == "|":
        kind, step = "spoiler", 2
    elif ch == "[":
        kind = "text_link"
    elif ch == "!" and nxt == "[":
        kind, step = "custom_emoji", 2
    elif text.startswith("```", i):
        kind = "pre"
        end = text.find("\n", i + 3)
        head = text[i + 3 : end] if end >= 0 else ""
        if end >= 0 and head and not any(c.isspace() for c in head):
            language, step = head, end + 1 - i
        else:
            step = 3
    elif ch == "`":
        kind = "code"
    else:
        raise FormatError(
            f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
        )
    stack.append((kind, out.offset, i, language))
    return i + step


def _v2_close(text: str, i: int, stack: list, out: Builder) -> int:
    kind, start, index, language = stack.pop()
    step = {"underline": 2, "spoiler": 2, "pre": 3}.get(kind, 1)
    i += step
    if kind in ("text_link", "custom_emoji"):
        url = ""
        if text.startswith("(", i):
            end = text.find(")", i)
            if end < 0:
                where = byte_offset(text, index)
                raise FormatError(f"Can't find end of a URL at byte offset {where}")
            url = text[i + 1 : end].replace("\\)", ")").replace("\\\\", "\\")
            i = end + 1
        if kind == "custom_emoji":
            emoji_id = url.removeprefix("tg://emoji?id=")
            if emoji_id == url:
                raise FormatError(
                    f"Custom emoji entity must contain a tg://emoji URL at byte "
                    f"offset {byte_offset(text, index)}"
                )
            out.entity(kind, start, custom_emoji_id=emoji_id)
        elif url:
            out.entity(kind, start, url=url)
        return i
    out.entity(kind, start, language=language if kind == "pre" else None)
    return i


# ---------------------------------------------------------------- legacy Markdown

_LEGACY = {"*": "bold", "_": "italic", "`": "code", "[": "text_link"}


def parse_markdown(text: str) -> tuple[str, list[dict]]:
    """Legacy Markdown: no nesting, and an unclosed marker is an error."""
    out = Builder()
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.add(text[i + 1])
            i += 2
            continue
        if ch not in _LEGACY:
            out.add(ch)
            i += 1
            continue
        start = out.offset
        close = {"[": "]"}.get(ch, ch)
        marker = "```" if text.startswith("```", i) else ch
        end = text.find(marker if marker == "```" else close, i + len(marker))
        if end < 0:
            where = byte_offset(text, i)
            raise FormatError(f"Can't find end of the entity starting at byte offset {where}")
        out.add(text[i + len(marker) : end])
        i = end + len(marker if marker == "```" else close)
        if marker == "```":
            out.entity("pre", start)
        elif ch == "[":
            url = ""
            if text.startswith("(", i) and (stop := text.find(")", i)) >= 0:
                url, i = text[i + 1 : stop], stop + 1
            if url:
                out.entity("text_link", start, url=url)
        else:
            out.entity(_LEGACY[ch], start)
    return out.result()
