"""parse_mode=HTML, following TDLib's parser and its error messages."""

from __future__ import annotations

import html
import re

from .textparts import Builder, FormatError, byte_offset

_HTML_KINDS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
    "tg-time": "date_time",
}
_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|lt|gt|amp|quot);")
_NAME_TOKEN_RE = re.compile(r"[A-Za-z0-9.-]*")


def _decode_entity(text: str, i: int) -> tuple[str, int] | None:
    """Telegram knows numeric entities and only &lt; &gt; &amp; &quot; by name."""
    m = _ENTITY_RE.match(text, i)
    if not m:
        return None
    return html.unescape(m[0]), m.end()


def parse_html(text: str) -> tuple[str, list[dict]]:
    """Follows TDLib's parse_html, including its error messages."""
    out = Builder()
    stack: list[tuple[str, dict[str, str], int, int]] = []  # tag, attrs, utf16 start, index
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "&" and (decoded := _decode_entity(text, i)):
            out.add(decoded[0])
            i = decoded[1]
            continue
        if ch != "<":
            j = i + 1
            while j < n and text[j] not in "<&":
                j += 1
            out.add(text[i:j])
            i = j
            continue
        begin = i
        i += 1
        if i < n and text[i] == "/":
            i = _close_tag(text, begin, i, stack, out)
        else:
            i = _open_tag(text, begin, i, stack, out)
    if stack:
        raise FormatError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.result()


def _unclosed(text: str, tag: str, begin: int) -> FormatError:
    return FormatError(f'Unclosed start tag "{tag}" at byte offset {byte_offset(text, begin)}')


def _open_tag(text: str, begin: int, i: int, stack: list, out: Builder) -> int:
    n = len(text)
    while i < n and not text[i].isspace() and text[i] != ">":
        i += 1
    if i >= n:
        raise FormatError(f"Unclosed start tag at byte offset {byte_offset(text, begin)}")
    tag = text[begin + 1 : i].lower()
    if tag not in _HTML_KINDS:
        where = byte_offset(text, begin)
        raise FormatError(f'Unsupported start tag "{tag}" at byte offset {where}')
    attrs: dict[str, str] = {}
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise _unclosed(text, tag, begin)
        if text[i] == ">":
            break
        start = i
        while i < n and not text[i].isspace() and text[i] not in "=>":
            i += 1
        name = text[start:i].lower()
        while i < n and text[i].isspace():
            i += 1
        if i < n and text[i] != "=":
            if name == "expandable" and tag == "blockquote":
                attrs[name] = ""
                continue
            where = byte_offset(text, begin)
            raise FormatError(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                f"at byte offset {where}"
            )
        i += 1
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise _unclosed(text, tag, begin)
        if text[i] in "'\"":
            quote = text[i]
            end = text.find(quote, i + 1)
            if end < 0:
                raise _unclosed(text, tag, begin)
            attrs[name] = html.unescape(text[i + 1 : end])
            i = end + 1
        else:
            m = _NAME_TOKEN_RE.match(text, i)
            i = m.end()
            if i < n and not text[i].isspace() and text[i] != ">":
                where = byte_offset(text, m.start())
                raise FormatError(f"Unexpected end of name token at byte offset {where}")
            attrs[name] = m[0].lower()
    if tag == "span" and attrs.get("class") != "tg-spoiler":
        where = byte_offset(text, begin)
        raise FormatError(f'Tag "span" must have class "tg-spoiler" at byte offset {where}')
    stack.append((tag, attrs, out.offset, begin))
    return i + 1


def _close_tag(text: str, begin: int, i: int, stack: list, out: Builder) -> int:
    n = len(text)
    if not stack:
        raise FormatError(f"Unexpected end tag at byte offset {byte_offset(text, begin)}")
    i += 1
    start = i
    while i < n and not text[i].isspace() and text[i] != ">":
        i += 1
    name = text[start:i].lower()
    while i < n and text[i].isspace():
        i += 1
    if i >= n or text[i] != ">":
        raise FormatError(f"Unclosed end tag at byte offset {byte_offset(text, begin)}")
    tag, attrs, offset, opened = stack.pop()
    if name and name != tag:
        where = byte_offset(text, begin)
        raise FormatError(
            f'Unmatched end tag at byte offset {where}, expected "</{tag}>", found "</{name}>"'
        )
    kind = _HTML_KINDS[tag]
    if kind == "text_link":
        if attrs.get("href"):
            out.entity(kind, offset, url=attrs["href"])
    elif kind == "custom_emoji":
        out.entity(kind, offset, custom_emoji_id=attrs.get("emoji-id"))
    elif kind == "date_time":
        unix = attrs.get("unix", "")
        if not unix.isdigit():
            where = byte_offset(text, opened)
            raise FormatError(
                f'Tag "tg-time" must have a numeric "unix" attribute at byte offset {where}'
            )
        out.entity(kind, offset, unix_time=int(unix), date_time_format=attrs.get("format"))
    elif kind == "blockquote" and "expandable" in attrs:
        out.entity("expandable_blockquote", offset)
    elif kind == "code" and stack and stack[-1][0] == "pre":
        language = attrs.get("class", "").removeprefix("language-")
        stack[-1][1]["language"] = language
    elif kind == "pre":
        out.entity(kind, offset, language=attrs.get("language"))
    else:
        out.entity(kind, offset)
    return i + 1
