"""Edits the bot would accept but that are probably mistakes: saved only with --force."""

from __future__ import annotations

import re

from bot.referrals.fields import plain_http
from bot.referrals.model import Directory

RANGE_RE = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")
# Facts a card states; changing one without saying where it was checked makes the card's
# "checked on ..." line claim a check nobody made.
CARD_FACTS = ("phone", "hours", "website", "chat_url", "free", "anonymous")
CHECK_FIELDS = ("source", "last_verified")


def edit_risks(
    after: Directory, key: str, changes: list[tuple[str, str, str]], rechecked: bool = False
) -> list[str]:
    """Each risk of an edit as one sentence: what it does to a man, and how to avoid it.

    `rechecked`: the coordinator also gave a source or today's check with the edit.
    """
    entry = after.get(key)
    if entry is None:
        return []
    changed = {name for name, _, _ in changes}
    risks: list[str] = []
    for name in ("website", "chat_url"):
        url = getattr(entry, name)
        if name in changed and plain_http(url):
            risks.append(
                f"{name} {url} is not encrypted: anyone on his network (a partner on the home "
                "wifi, say) can see which page he opens, or change it; find its https:// "
                "address, or add --force to save it as it is"
            )
    for name, was, now in changes:
        if name == "hours":
            risks.extend(_overnight(was, now))
    facts = sorted(changed & set(CARD_FACTS))
    if facts and entry.verified and not (rechecked or changed & set(CHECK_FIELDS)):
        risks.append(
            f"{', '.join(facts)} changed, but not where or when it was checked: the card would "
            f"still say it was checked on {entry.last_verified} against {entry.source}; add "
            "--source and --verified-today (or use 'referrals verify'), or --force"
        )
    return risks


def _overnight(was: str, now: str) -> list[str]:
    """Ranges that end before they start run past midnight: right for a night line, otherwise
    the hours were written backwards and the card says closed all day."""
    known = set(_backwards(was))
    return [
        f"hours {start}-{end} run past midnight: open from {start} until {end} the next "
        f"morning, and closed during the day; if you meant {end}-{start}, write that; if "
        "the line really answers at night, add --force"
        for start, end in _backwards(now)
        if (start, end) not in known
    ]


def _backwards(text: str) -> list[tuple[str, str]]:
    found = []
    for h1, m1, h2, m2 in RANGE_RE.findall(text):
        start, end = int(h1) * 60 + int(m1), int(h2) * 60 + int(m2)
        if 0 < end < start:
            found.append((f"{int(h1):02d}:{m1}", f"{int(h2):02d}:{m2}"))
    return found
