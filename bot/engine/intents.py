"""Global intents (emergency, stop, back, menu, help, language) matched on normalised text.

The words behind each intent live in flows/intents.yaml so volunteers can review them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from bot.engine.model import Where
from bot.engine.yamlsource import line_of, read_yaml, suggest
from bot.problems import ERROR, DataError, Problem

INTENTS = ("emergency", "crisis", "stop", "back", "menu", "help", "language")
OPTIONAL_INTENTS = ("crisis",)
# Typed words that may signal a crisis are answered with a notice; emergency is checked first.
ALARMS = ("emergency", "crisis")
INTENT_FIELDS = {"goto", "notice", "button", "exact", "phrases", "unless", "switch", "note"}
MAX_MATCH_CHARS = 2000  # longer messages are matched on their first part only
_NON_WORD = re.compile(r"[^a-z0-9]+")
_COMMAND_SUFFIX = re.compile(r"^/(\w+)@\w+")


def normalise(text: str) -> str:
    """Lower case, accents and punctuation removed, spaces folded: 'Wís!' -> 'wis'."""
    text = _COMMAND_SUFFIX.sub(r"/\1", text[:MAX_MATCH_CHARS].strip())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", plain).strip()


def _phrase_pattern(phrases: list[str]) -> re.Pattern[str] | None:
    words = sorted({normalise(p) for p in phrases if normalise(p)}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, words)) + r")(?![a-z0-9])")


@dataclass(frozen=True, slots=True)
class IntentSpec:
    """One intent: where it leads and the words that call it."""

    name: str
    goto: str | None = None
    notice: str | None = None
    button: str | None = None
    exact: frozenset[str] = frozenset()
    phrases: re.Pattern[str] | None = None
    unless: re.Pattern[str] | None = None
    switch: dict[str, str] = field(default_factory=dict)  # normalised word -> locale
    where: Where | None = None


@dataclass(frozen=True, slots=True)
class IntentMatch:
    name: str
    arg: str | None = None


class Intents:
    """The compiled intent table; `match(text)` is called on every typed message."""

    def __init__(self, specs: dict[str, IntentSpec], file: str = ""):
        self.specs = specs
        self.file = file
        self._exact: dict[str, str] = {}
        for name in ("stop", "back", "menu", "help", "language", "emergency"):
            spec = specs.get(name)
            for word in spec.exact if spec else ():
                self._exact.setdefault(word, name)
        self._switch = {w: loc for s in specs.values() for w, loc in s.switch.items()}

    def match(self, text: str) -> IntentMatch | None:
        """The intent this message calls, if any; emergency phrases win over everything."""
        return self.match_normalised(normalise(text))

    def match_normalised(self, norm: str) -> IntentMatch | None:
        """The same, for text already passed through normalise()."""
        if not norm:
            return None
        for name in ALARMS:
            spec = self.specs.get(name)
            if spec and self._is_alarm(spec, norm):
                return IntentMatch(name)
        if norm in self._switch:
            return IntentMatch("language", self._switch[norm])
        name = self._exact.get(norm)
        return IntentMatch(name) if name else None

    @staticmethod
    def _is_alarm(spec: IntentSpec, norm: str) -> bool:
        if norm in spec.exact:
            return True
        if spec.phrases is None or not spec.phrases.search(norm):
            return False
        return not (spec.unless and spec.unless.search(norm))


def load_intents(path: Path) -> Intents:
    """Read flows/intents.yaml; a DataError gives file:line for anything a volunteer got wrong."""
    data = read_yaml(path)
    file = str(path)
    problems: list[Problem] = []
    if not isinstance(data, dict):
        raise DataError(
            [
                Problem(
                    ERROR,
                    Where(file, 1),
                    f"intents.yaml must list the intents {', '.join(INTENTS)}, each with its words",
                )
            ]
        )
    specs: dict[str, IntentSpec] = {}
    for name, node in data.items():
        where = Where(file, line_of(data, name))
        if name not in INTENTS:
            problems.append(
                Problem(
                    ERROR, where, f"'{name}' is not an intent the bot knows{suggest(name, INTENTS)}"
                )
            )
            continue
        if not isinstance(node, dict):
            problems.append(Problem(ERROR, where, f"intent '{name}' needs fields like 'exact:'"))
            continue
        for key in node:
            if key not in INTENT_FIELDS:
                problems.append(
                    Problem(
                        ERROR,
                        Where(file, line_of(node, key)),
                        f"intent '{name}' has a field '{key}' the bot does not "
                        f"know{suggest(key, INTENT_FIELDS)}",
                    )
                )
        lists = {}
        for key in ("exact", "phrases", "unless"):
            value = node.get(key) or []
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                problems.append(
                    Problem(
                        ERROR,
                        Where(file, line_of(node, key)),
                        f"'{key}' of intent '{name}' must be a list of words",
                    )
                )
                value = []
            lists[key] = value
        switch: dict[str, str] = {}
        for locale, words in (node.get("switch") or {}).items():
            for word in words or []:
                switch[normalise(str(word))] = str(locale)
        specs[name] = IntentSpec(
            name=name,
            goto=_opt_str(node.get("goto")),
            notice=_opt_str(node.get("notice")),
            button=_opt_str(node.get("button")),
            exact=frozenset(n for n in map(normalise, lists["exact"]) if n),
            phrases=_phrase_pattern(lists["phrases"]),
            unless=_phrase_pattern(lists["unless"]),
            switch=switch,
            where=where,
        )
    for name in INTENTS:
        if name in OPTIONAL_INTENTS:
            continue
        if name not in specs and not any(
            p.message.startswith(f"intent '{name}'") for p in problems
        ):
            problems.append(Problem(ERROR, Where(file, 1), f"intent '{name}' is missing"))
    if problems:
        raise DataError(problems)
    return Intents(specs, file)


def _opt_str(value: object) -> str | None:
    return str(value).strip() if isinstance(value, str) and value.strip() else None
