"""Reading flows/intents.yaml (and the recognition words beside it) into the engine's Intents."""

from __future__ import annotations

from pathlib import Path

from bot.engine.intents import INTENTS, Intents, IntentSpec, normalise
from bot.problems import ERROR, DataError, Problem, Where, suggest
from bot.recognition.load import load_recogniser
from bot.yamlsource import line_of, read_yaml

OPTIONAL_INTENTS = ("crisis",)
INTENT_FIELDS = {"goto", "notice", "button", "exact", "switch", "note"}
RECOGNITION_DIR = "herkenning"  # beside intents.yaml


def load_intents(path: Path, recognition: Path | None = None) -> Intents:
    """Read flows/intents.yaml and flows/herkenning/; a DataError gives file:line for each
    thing a volunteer got wrong."""
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
        for key in ("exact",):
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
    recogniser = None
    folder = recognition or path.parent / RECOGNITION_DIR
    if folder.is_dir():
        try:
            recogniser = load_recogniser(folder)
        except DataError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DataError(problems)
    return Intents(specs, file, recogniser)


def _opt_str(value: object) -> str | None:
    return str(value).strip() if isinstance(value, str) and value.strip() else None
