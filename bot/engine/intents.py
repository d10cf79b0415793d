"""Global intents (emergency, crisis, stop, back, menu, help, language) for typed text.

Exact words for each intent live in flows/intents.yaml; danger, crisis and topics in any
wording are recognised by bot.recognition from the words and rules in flows/herkenning/.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from bot.problems import Where
from bot.recognition.rules import Recogniser, Verdict

INTENTS = ("emergency", "crisis", "stop", "back", "menu", "help", "language")
# Typed words that may signal a crisis are answered with a notice; emergency is checked first.
ALARMS = ("emergency", "crisis")
MAX_MATCH_CHARS = 2000  # longer messages are matched on their first part only
_NON_WORD = re.compile(r"[\W_]+")  # any script's letters and digits stay: Arabic words match too


def normalise(text: str) -> str:
    """Lower case, accents and punctuation removed, spaces folded: 'Wís!' -> 'wis'."""
    decomposed = unicodedata.normalize("NFKD", text[:MAX_MATCH_CHARS].strip().casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", plain).strip()


@dataclass(frozen=True, slots=True)
class IntentSpec:
    """One intent: where it leads and the words that call it."""

    name: str
    goto: str | None = None
    notice: str | None = None
    button: str | None = None
    exact: frozenset[str] = frozenset()
    switch: dict[str, str] = field(default_factory=dict)  # normalised word -> locale
    where: Where | None = None


@dataclass(frozen=True, slots=True)
class IntentMatch:
    name: str
    arg: str | None = None
    also: tuple[str, ...] = ()  # answered right after: crisis beside danger, help after "help"


class Intents:
    """The compiled intent table; `read(text)` is called on every typed message."""

    def __init__(
        self, specs: dict[str, IntentSpec], file: str = "", recogniser: Recogniser | None = None
    ):
        self.specs = specs
        self.file = file
        self.recogniser = recogniser
        self._exact: dict[str, str] = {}
        for name in ("stop", "back", "menu", "help", "language", "emergency"):
            spec = specs.get(name)
            for word in spec.exact if spec else ():
                self._exact.setdefault(word, name)
        self._switch = {w: loc for s in specs.values() for w, loc in s.switch.items()}

    def match(self, text: str) -> IntentMatch | None:
        """The intent this message calls, if any; danger and crisis win over everything."""
        return self.read(text)[0]

    def read(self, text: str, norm: str | None = None) -> tuple[IntentMatch | None, Verdict | None]:
        """The intent a message calls and what the recogniser made of it (for topics)."""
        norm = normalise(text) if norm is None else norm
        verdict = self.recogniser.read(text) if self.recogniser else None
        alarms = [name for name in ALARMS if self._exact_alarm(name, norm)]
        for name in verdict.alarms if verdict else ():
            if name not in alarms and name in self.specs:
                alarms.append(name)
        if alarms:
            also = tuple(alarms[1:])
            if self._exact.get(norm) == "help":
                also += ("help",)  # "help" alone: 112 first, then how the chat works
            return IntentMatch(alarms[0], also=also), verdict
        return self.match_normalised(norm), verdict

    def match_normalised(self, norm: str) -> IntentMatch | None:
        """Exact words only (stop, back, menu, help, language), for text already normalised."""
        if not norm:
            return None
        if norm in self._switch:
            return IntentMatch("language", self._switch[norm])
        name = self._exact.get(norm)
        return IntentMatch(name) if name else None

    def _exact_alarm(self, name: str, norm: str) -> bool:
        spec = self.specs.get(name)
        return bool(spec and norm in spec.exact)
