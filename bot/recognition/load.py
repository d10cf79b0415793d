"""flows/herkenning/*.yaml -> a Recogniser; every mistake with file:line in plain words.

`regels.yaml` holds the rules (which concepts together mean danger, crisis or a topic);
every other file holds one language's words for those concepts. A new language is one new
file; recognition always runs over all languages at once.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import wordfreq

from bot.problems import ERROR, DataError, Problem, Where, suggest
from bot.recognition.lexicon import Entry, Lexicon
from bot.recognition.ngrams import Model
from bot.recognition.rules import ALARM_INTENTS, Recogniser, Rule, Target
from bot.recognition.text import tokens
from bot.yamlsource import line_of, read_yaml

# A typed word that is a real word of a language the bot reads is never taken for a typo of
# another: "stukken" is not "stikken", "overleden" is not "overreden". The most frequent
# words of each language come from wordfreq's bundled lists (no download).
KNOWN_WORDS = 30_000

RULES_FILE = "regels.yaml"
MODEL_FILE = "model.json"  # the learned second opinion (`firstcontact intents train`)
RULE_FIELDS = {
    "threshold",
    "topic_threshold",
    "window",
    "learned",
    "emergency",
    "crisis",
    "topics",
}
# how the learned weights take part: the decider decides every alarm (decider.py); the
# second opinion may only add one the rules missed (ngrams.py)
LEARNED = ("decider", "second_opinion")
TARGET_FIELDS = {"rules", "adjust", "overrule", "goto", "note"}
WORD_FIELDS = {"language", "words", "common", "spelling", "prefixes", "note"}


class _Reader:
    """Collects problems while reading, so a volunteer sees all of them at once."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def error(self, file: Path, line: int, message: str) -> None:
        self.problems.append(Problem(ERROR, Where(str(file), line), message))

    def unknown_fields(self, file: Path, node: dict, allowed: set[str], what: str) -> None:
        for key in node:
            if key not in allowed:
                self.error(
                    file,
                    line_of(node, key),
                    f"{what} has a field '{key}' the bot does not know{suggest(key, allowed)}",
                )


def load_recogniser(folder: Path, with_model: bool = True) -> Recogniser:
    """Read the rules and every language's words (and the learned weights, unless they are
    about to be learned again); raises DataError listing every problem."""
    reader = _Reader()
    rules_path = folder / RULES_FILE
    if not rules_path.is_file():
        raise DataError([Problem(ERROR, Where(str(rules_path), 1), "the rules file is missing")])
    entries: list[Entry] = []
    common: set[str] = set()
    spelling: dict[str, str] = {}
    prefixes: set[str] = set()
    languages: set[str] = set()
    for path in sorted(folder.glob("*.yaml")):
        if path.name != RULES_FILE:
            languages.add(_read_words(reader, path, entries, common, spelling, prefixes))
    common |= known_words(languages)
    concepts = {e.concept for e in entries}
    lexicon = Lexicon(entries, common, spelling, prefixes)
    recogniser = _read_rules(reader, rules_path, concepts, lexicon)
    recogniser.model = _read_model(reader, folder / MODEL_FILE) if with_model else None
    if recogniser.model is not None and (recogniser.learned == "decider") != bool(
        recogniser.model.decider
    ):
        reader.error(
            folder / MODEL_FILE,
            1,
            f"the learned weights are not for 'learned: {recogniser.learned}' in {RULES_FILE}; "
            "make them again with: firstcontact intents train",
        )
    if reader.problems:
        raise DataError(reader.problems)
    return recogniser


def _read_model(reader: _Reader, path: Path) -> Model | None:
    """The learned weights, if there are any; a broken file is a problem, not a traceback."""
    if not path.is_file():
        return None
    try:
        return Model.from_data(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        reader.error(
            path,
            1,
            "the learned weights are damaged; make them again with: firstcontact intents train",
        )
        return None


def known_words(languages: set[str]) -> set[str]:
    """The most frequent words of each language, folded as messages are."""
    known: set[str] = set()
    for language in sorted(languages):
        if language in wordfreq.available_languages():
            words = wordfreq.top_n_list(language, KNOWN_WORDS)
            plain = [w for w in words if w.isascii() and w.isalnum()]  # most: no folding
            known.update(plain)
            for word in set(words).difference(plain):
                known.update(tokens(word))
    return known


def _read_words(
    reader: _Reader,
    path: Path,
    entries: list[Entry],
    common: set[str],
    spelling: dict[str, str],
    prefixes: set[str],
) -> str:
    """One language's file into entries, common words, spellings and prefixes; returns its
    language."""
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("words"), dict):
        reader.error(path, 1, "a words file needs 'language:' and 'words:' (concept: [words])")
        return ""
    reader.unknown_fields(path, data, WORD_FIELDS, "this words file")
    words = data["words"]
    for concept, forms in words.items():
        line = line_of(words, concept)
        if not isinstance(forms, list):
            reader.error(path, line, f"'{concept}' must be a list of words, like [mes, messen]")
            continue
        for i, form in enumerate(forms):
            where = f"{path}:{line_of(forms, i, line)}"
            normal = _form(str(form))
            if not normal:
                reader.error(path, line_of(forms, i, line), f"'{form}' in '{concept}' has no word")
                continue
            if normal.strip("*") and len(normal.replace("*", "")) < 3 and "*" in normal:
                reader.error(
                    path,
                    line_of(forms, i, line),
                    f"'{form}' in '{concept}': a word with * needs at least three letters",
                )
                continue
            entries.append(Entry(str(concept), normal, where))
    for word in data.get("common") or []:
        common.update(tokens(str(word)))
    raw_prefixes = data.get("prefixes") or []
    if not isinstance(raw_prefixes, list):
        reader.error(path, line_of(data, "prefixes"), "'prefixes' must be a list, like [و, ب]")
        raw_prefixes = []
    for prefix in raw_prefixes:
        typed = tokens(str(prefix))
        if len(typed) != 1 or not typed[0].isalpha():
            reader.error(
                path, line_of(data, "prefixes"), f"prefix '{prefix}' must be letters of one word"
            )
            continue
        if typed[0].isascii():
            # every language is read at once: "b" taken off would turn "bang" into "ang"
            reader.error(
                path,
                line_of(data, "prefixes"),
                f"prefix '{prefix}' is in Latin letters, which every other language shares; "
                "write the whole words (or stems) instead",
            )
            continue
        prefixes.add(typed[0])
    variants = data.get("spelling") or {}
    if not isinstance(variants, dict):
        reader.error(path, line_of(data, "spelling"), "'spelling' must map a spelling to a word")
        return str(data.get("language") or "")
    for variant, standard in variants.items():
        typed, meant = tokens(str(variant)), tokens(str(standard))
        if len(typed) != 1 or len(meant) != 1:
            reader.error(
                path,
                line_of(variants, variant),
                f"spelling '{variant}: {standard}' must be one word for one word",
            )
            continue
        spelling[typed[0]] = meant[0]
    return str(data.get("language") or "")


def _form(raw: str) -> str:
    """A volunteer's entry in the tokens' own normal form, keeping * at either end of a word."""
    parts = []
    for word in raw.split():
        head = "*" if word.startswith("*") else ""
        tail = "*" if word.endswith("*") and len(word) > 1 else ""
        toks = tokens(word.strip("*"))
        if not toks:
            continue
        parts.append(head + " ".join(toks) + tail)
    return " ".join(parts)


def _read_rules(reader: _Reader, path: Path, concepts: set[str], lexicon: Lexicon) -> Recogniser:
    data = read_yaml(path)
    if not isinstance(data, dict):
        reader.error(path, 1, "the rules file needs 'emergency:', 'crisis:' and 'topics:'")
        return Recogniser(lexicon, {}, {})
    reader.unknown_fields(path, data, RULE_FIELDS, "the rules file")
    intents = {}
    for name in ALARM_INTENTS:
        node = data.get(name)
        if not isinstance(node, dict):
            reader.error(path, line_of(data, name), f"'{name}' needs 'rules:'")
            continue
        intents[name] = _target(reader, path, name, node, concepts)
    topics = {}
    topic_nodes = data.get("topics") or {}
    for name, node in topic_nodes.items():
        if not isinstance(node, dict) or not isinstance(node.get("goto"), str):
            reader.error(
                path, line_of(topic_nodes, name), f"topic '{name}' needs 'goto:' and 'rules:'"
            )
            continue
        topics[str(name)] = _target(reader, path, str(name), node, concepts)
    learned = data.get("learned", "second_opinion")
    if learned not in LEARNED:
        reader.error(
            path,
            line_of(data, "learned"),
            f"'learned' must be one of {', '.join(LEARNED)}{suggest(str(learned), set(LEARNED))}",
        )
        learned = "second_opinion"
    return Recogniser(
        lexicon,
        intents,
        topics,
        learned=str(learned),
        threshold=_number(reader, path, data, "threshold", 1.0),
        topic_threshold=_number(reader, path, data, "topic_threshold", 1.0),
        window=int(_number(reader, path, data, "window", 12)),
    )


def _number(reader: _Reader, path: Path, node: dict, key: str, default: float) -> float:
    value = node.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        reader.error(path, line_of(node, key), f"'{key}' must be a number above 0")
        return default
    return float(value)


def _target(reader: _Reader, path: Path, name: str, node: dict, concepts: set[str]) -> Target:
    reader.unknown_fields(path, node, TARGET_FIELDS, f"'{name}'")
    rules = []
    raw_rules = node.get("rules") or []
    if not isinstance(raw_rules, list) or not raw_rules:
        reader.error(path, line_of(node, "rules"), f"'{name}' needs a list of rules")
        raw_rules = []
    for i, raw in enumerate(raw_rules):
        line = line_of(raw_rules, i)
        rule = _rule(reader, path, line, name, raw, concepts)
        if rule:
            rules.append(rule)
    adjust = []
    for concept, delta in (node.get("adjust") or {}).items():
        line = line_of(node["adjust"], concept)
        if concept not in concepts:
            reader.error(
                path,
                line,
                f"'{name}' adjusts by '{concept}', which no words file "
                f"has{suggest(concept, concepts)}",
            )
        elif isinstance(delta, bool) or not isinstance(delta, int | float):
            reader.error(path, line, f"the adjustment '{concept}' of '{name}' must be a number")
        else:
            adjust.append((str(concept), float(delta)))
    overrule = node.get("overrule") or []
    if not isinstance(overrule, list):
        reader.error(path, line_of(node, "overrule"), f"'overrule' of '{name}' must be a list")
        overrule = []
    for concept in overrule:
        if concept not in concepts:
            reader.error(
                path,
                line_of(node, "overrule"),
                f"'{name}' is overruled by '{concept}', which no words file "
                f"has{suggest(str(concept), concepts)}",
            )
    goto = node.get("goto") if isinstance(node.get("goto"), str) else None
    return Target(name, tuple(rules), tuple(adjust), frozenset(map(str, overrule)), goto=goto)


def _rule(
    reader: _Reader, path: Path, line: int, name: str, raw: Any, concepts: set[str]
) -> Rule | None:
    """[concept, ...] (weight 1), or {all: [...], weight: 1.5, window: 6, max_words: 3}."""
    if isinstance(raw, list):
        raw = {"all": raw}
    if not isinstance(raw, dict) or not isinstance(raw.get("all"), list) or not raw["all"]:
        reader.error(
            path, line, f"a rule of '{name}' must be a list of concepts, like [wapen, dreigen]"
        )
        return None
    unknown = [c for c in raw["all"] if c not in concepts]
    for concept in unknown:
        reader.error(
            path,
            line,
            f"a rule of '{name}' uses '{concept}', which no words file "
            f"has{suggest(concept, concepts)}",
        )
    weight = raw.get("weight", 1.0)
    window = raw.get("window", 0)
    max_words = raw.get("max_words", 0)
    if isinstance(weight, bool) or not isinstance(weight, int | float):
        reader.error(path, line, f"the weight of a rule of '{name}' must be a number")
        return None
    if isinstance(window, bool) or not isinstance(window, int) or window < 0:
        reader.error(
            path, line, f"the window of a rule of '{name}' must be a whole number of words"
        )
        return None
    if isinstance(max_words, bool) or not isinstance(max_words, int) or max_words < 0:
        reader.error(path, line, f"max_words of a rule of '{name}' must be a whole number")
        return None
    if unknown:
        return None
    concepts_ = tuple(str(c) for c in raw["all"])
    return Rule(concepts_, float(weight), window, max_words, f"{path}:{line}")
