"""Typed text -> tokens: one normal form for every way a man may type the same word."""

from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 2000  # longer messages are read on their first part only
# Arabic letters (hamza to ya, and the Persian/Urdu forms a phone keyboard may give)
_ARABIC = "\u0621-\u063a\u0641-\u064a\u0671-\u06d3"
# Words (Latin or Arabic script), numbers, single pictographs (emoji carry meaning: 🔪, 🩸,
# 🆘) and "?" (a question is rarely an alarm).
_TOKEN = re.compile(rf"[a-z0-9]+|[{_ARABIC}]+|[\u2600-\u27bf\U0001f000-\U0001faff]|\?")
# "heeeelp" -> "help", "HELPPP" -> "help", "ساعدوووني" -> "ساعدوني", "ههههه" -> "ه"
_REPEAT = re.compile(rf"([a-z{_ARABIC}])\1{{2,}}")
_FOLD = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "ł": "l",  # Polish: "złamał" is typed "zlamal" as often as not
        "ı": "i",  # Turkish dotless i; dotted capital İ folds to i below
        # Arabic: one spelling for letters phones and writers use interchangeably
        "\u0640": None,  # tatweel (kashida), only stretches a word: "قـــتل" is "قتل"
        "ة": "ه",  # ta marbuta, often typed as ha
        "ى": "ي",  # alef maksura, often typed as ya
        "ی": "ي",  # Persian ya
        "ک": "ك",  # Persian kaf
        "؟": "?",
        "،": ",",
        "؛": ";",
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Eastern Arabic-Indic digits
    }
)


def fold(text: str) -> str:
    """Lower case without accents or Arabic vowel marks: 'Wurgt ME!!' -> 'wurgt me!!',
    'étranglé' -> 'etrangle', 'BOĞUYOR' -> 'boguyor', 'أَقْتُلُ' -> 'اقتل'."""
    text = text[:MAX_CHARS].casefold()
    if text.isascii():
        return text  # most messages: nothing to take off
    # NFKD splits accents, Turkish İ's dot, Arabic hamza (أ إ آ ؤ ئ) and presentation forms
    # from their letters; the marks then go, with the Arabic vowel signs (harakat).
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Dutch contractions that are one word: m'n = mijn, z'n = zijn, d'r = haar.
_CONTRACTIONS = re.compile(r"\b(m[\u2019'`]n|z[\u2019'`]n|d[\u2019'`]r)\b")
_WHOLE = {"mn": "mijn", "zn": "zijn", "dr": "haar"}


def tokens(text: str) -> tuple[str, ...]:
    """The words of a message in order, letter runs shortened; emoji kept as words."""
    folded = _CONTRACTIONS.sub(lambda m: _WHOLE[m[1][0] + m[1][-1]], fold(text))
    return tuple(_REPEAT.sub(r"\1", t) for t in _TOKEN.findall(folded))
