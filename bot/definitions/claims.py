"""Flow text must not claim a fact the directory does not hold: "bel dag en nacht" stays true
only while a line the step shows is open round the clock, "gratis" while one is free.

A claim is read only in a sentence about calling or writing a line (bel, bellen, lijn,
nummer, chatten met), so the bot's own "deze chat is anoniem" is not a fact about a line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.engine.model import Step
from bot.referrals.model import Directory, Entry
from bot.regions import REGIONS

_SENTENCE = re.compile(r"[^.!?\n]+")
_ABOUT_A_LINE = re.compile(r"\b(bel|belt|bellen|lijn|hulplijn|nummer)\b|\bchat(ten)? met\b", re.I)


@dataclass(frozen=True, slots=True)
class Claim:
    """Words that state a fact, the fact in plain words, and how the directory shows it."""

    words: re.Pattern[str]
    fact: str
    holds: Callable[[Entry], bool]


CLAIMS = (
    Claim(
        re.compile(r"\b(dag en nacht|24/7|24 uur per dag|altijd bereikbaar|elk uur)\b", re.I),
        'open day and night (hours: "24/7")',
        lambda e: bool(e.hours and e.hours.always),
    ),
    Claim(re.compile(r"\bgratis\b", re.I), "free (free: true)", lambda e: e.free),
    Claim(re.compile(r"\banoniem\b", re.I), "anonymous (anonymous: true)", lambda e: e.anonymous),
)


def contradictions(directory: Directory, step: Step) -> list[str]:
    """One plain message per claim in the step's text that none of its lines makes true."""
    if not step.referrals:
        return []
    found = []
    sentences = [s for s in _SENTENCE.findall(step.text) if _ABOUT_A_LINE.search(s)]
    for claim in CLAIMS:
        said = next((m.group(0) for s in sentences for m in [claim.words.search(s)] if m), None)
        if said is None:
            continue
        for region in REGIONS:
            lines = _lines(directory, step, region)
            if lines and not any(claim.holds(e) for e in lines):
                names = ", ".join(e.name for e in lines)
                found.append(
                    f"step '{step.id}' says \"{said}\", but in {region} none of the lines it "
                    f"shows ({names}) is {claim.fact} in referrals.yaml; say it from the "
                    f"directory's card, or change the text"
                )
                break
    return found


def _lines(directory: Directory, step: Step, region: str) -> list[Entry]:
    """The active, non-emergency entries a step names for a region."""
    entries = (directory.get(k) for k in step.referral_keys(region))
    return [e for e in entries if e is not None and e.active and not e.emergency]
