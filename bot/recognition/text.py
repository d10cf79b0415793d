"""Typed text -> tokens: one normal form for every way a man may type the same word."""

from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 2000  # longer messages are read on their first part only
# Words, numbers, single pictographs (emoji carry meaning: 🔪, 🩸, 🆘) and "?" (a question
# is rarely an alarm).
_TOKEN = re.compile(r"[a-z0-9]+|[\u2600-\u27bf\U0001f000-\U0001faff]|\?")
_REPEAT = re.compile(r"([a-z])\1{2,}")  # "heeeelp" -> "help", "HELPPP" -> "help"
_FOLD = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "ı": "i"})


def fold(text: str) -> str:
    """Lower case without accents: 'Wurgt ME!!' -> 'wurgt me!!', 'étranglé' -> 'etrangle'."""
    text = text[:MAX_CHARS].casefold()
    if text.isascii():
        return text  # most messages: nothing to take off
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Dutch contractions that are one word: m'n = mijn, z'n = zijn, d'r = haar.
_CONTRACTIONS = re.compile(r"\b(m[\u2019'`]n|z[\u2019'`]n|d[\u2019'`]r)\b")
_WHOLE = {"mn": "mijn", "zn": "zijn", "dr": "haar"}


def tokens(text: str) -> tuple[str, ...]:
    """The words of a message in order, letter runs shortened; emoji kept as words."""
    folded = _CONTRACTIONS.sub(lambda m: _WHOLE[m[1][0] + m[1][-1]], fold(text))
    return tuple(_REPEAT.sub(r"\1", t) for t in _TOKEN.findall(folded))
