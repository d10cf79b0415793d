"""Which of our languages a man gets, from what his client says it wants: Telegram's
`language_code` ("fr", "pt-br") or a browser's Accept-Language ("fr-BE,fr;q=0.9,en;q=0.5").

Pure functions (the engine uses them). Only the language counts: "nl-BE" gives Dutch and
"fr-BE" French, but neither presets a region; he still says where he looks for help, so an
Arabic-speaking man in Flanders gets Arabic and the Flemish lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from babel import negotiate_locale

MAX_HEADER = 512  # an Accept-Language longer than this is cut: nobody needs more
MAX_TAGS = 16
_TAG = re.compile(r"^[A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*$")


def preferred(header: str | None) -> list[str]:
    """The language tags of an Accept-Language header (or one tag), best first.

    Tags with q=0, '*' and malformed parts are dropped; equal weights keep their order.
    """
    if not header:
        return []
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header[:MAX_HEADER].split(",")[:MAX_TAGS]):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        if not _TAG.match(tag):
            continue
        weight = 1.0
        if params.strip():
            match = re.fullmatch(r"\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*", params)
            if match is None:
                continue  # a weight we cannot read: better not guess
            weight = float(match.group(1))
        if weight > 0:
            weighted.append((-weight, index, tag.replace("_", "-")))
    return [tag for _, _, tag in sorted(weighted)]


def negotiate(wanted: str | Sequence[str] | None, available: Sequence[str]) -> str | None:
    """The best of `available` for what the client asked, or None if none of them fits."""
    tags = preferred(wanted) if isinstance(wanted, str) or wanted is None else list(wanted)
    if not tags:
        return None
    found = negotiate_locale(tags, list(available), sep="-")
    return found if found in available else None
