"""A second opinion learned from the tuning examples: logistic weights over word pieces.

The rules explain themselves but miss wordings nobody wrote down. This model reads the same
tokens as pieces (whole words, word pairs, and four-letter pieces of each word, so
"wurgde" shares "wurg" with "gewurgd") and adds up one weight per piece. The weights are plain
data in flows/herkenning/model.json, made by `firstcontact intents train` from the tuning part
of the corpus; no library is needed to use them, and every verdict names its pieces.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.recognition.decider import Decider

LABELS = ("emergency", "crisis")


LETTER_CACHE = 20_000  # common words whose letter pieces are kept (a few MB at most)


def letters(word: str) -> tuple[str, ...]:
    """The four-letter pieces of one word, its edges marked: "<wur", "wurg", ..., "rgt>"."""
    padded = f"c:<{word}>"  # pieces start after the "c:" tag
    return tuple("c:" + padded[j : j + 4] for j in range(2, len(padded) - 3))


def pieces(
    toks: Iterable[str],
    known: frozenset[str] = frozenset(),
    cache: dict[str, tuple[str, ...]] | None = None,
) -> set[str]:
    """The features of a message: words, word pairs and letter pieces, each counted once.
    The letter pieces of `known` (real, common) words are kept in `cache`; nothing else a
    man typed is kept."""
    out: set[str] = set()
    add, update = out.add, out.update
    previous = ""
    for word in toks:
        if not word.isalnum():
            continue
        add("w:" + word)
        if previous:
            add(f"b:{previous}_{word}")
        previous = word
        if cache is not None and word in known:
            found = cache.get(word)
            if found is None:
                if len(cache) >= LETTER_CACHE:
                    cache.clear()
                found = cache[word] = letters(word)
            update(found)
        else:
            update(letters(word))
    return out


@dataclass(slots=True)
class Opinion:
    """One label's probability and the pieces that weighed most, for explanations."""

    label: str
    probability: float
    threshold: float
    top: list[tuple[str, float]] = field(default_factory=list)

    @property
    def fires(self) -> bool:
        return self.probability >= self.threshold


@dataclass(slots=True)
class LabelModel:
    bias: float
    threshold: float
    weights: dict[str, float]

    def opinion(self, label: str, feats: set[str], explain: bool = False) -> Opinion:
        weights = self.weights
        z = self.bias + sum(filter(None, map(weights.get, feats)))  # the sum runs in C
        probability = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
        top: list[tuple[str, float]] = []
        if explain:
            found = [(f, weights[f]) for f in feats if f in weights]
            top = sorted(found, key=lambda fw: -fw[1])[:5]
        return Opinion(label, probability, self.threshold, top)


def read_labels(
    models: dict[str, LabelModel],
    table: tuple[list[str], dict[str, tuple[float, ...]]],
    feats: set[str],
) -> list[Opinion]:
    """Every label's opinion in one pass over the pieces (the sums run in C)."""
    names, joint = table
    rows = list(filter(None, map(joint.get, feats)))
    sums = [sum(col) for col in zip(*rows, strict=True)] if rows else [0.0] * len(names)
    out = []
    for name, total in zip(names, sums, strict=True):
        m = models[name]
        z = m.bias + total
        out.append(Opinion(name, 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))), m.threshold))
    return out


@dataclass(slots=True)
class Model:
    """The learned weights per label, and what they were learned from."""

    labels: dict[str, LabelModel]
    trained_on: str = ""  # a fingerprint of the examples, to notice when they changed
    topics: dict[str, LabelModel] = field(default_factory=dict)  # asked when rules name none
    decider: Decider | None = None  # when there: decides the alarms (decider.py)
    _tables: dict[str, tuple[list[str], dict[str, tuple[float, ...]]]] = field(
        default_factory=dict, repr=False
    )

    def opinions(self, feats: set[str], explain: bool = False) -> list[Opinion]:
        """The alarms' opinions on a message's pieces (see `pieces`)."""
        if explain:
            return [m.opinion(label, feats, explain) for label, m in self.labels.items()]
        return read_labels(self.labels, self._table("labels"), feats)

    def topic_opinion(self, feats: set[str], explain: bool = False) -> Opinion | None:
        """The likeliest topic, or None when the topics have no learned weights."""
        if not self.topics:
            return None
        if explain:
            found = [m.opinion(name, feats, explain) for name, m in self.topics.items()]
        else:
            found = read_labels(self.topics, self._table("topics"), feats)
        return max(found, key=lambda o: o.probability)

    def _table(self, which: str) -> tuple[list[str], dict[str, tuple[float, ...]]]:
        """piece -> its weight under every label, built once, so a message is read once."""
        table = self._tables.get(which)
        if table is None:
            models = getattr(self, which)
            names = list(models)
            every = set().union(*(models[n].weights for n in names))
            joint = {f: tuple(models[n].weights.get(f, 0.0) for n in names) for f in every}
            table = self._tables[which] = (names, joint)
        return table

    def to_data(self) -> dict:
        def plain(models: dict[str, LabelModel]) -> dict:
            return {
                label: {
                    "bias": round(m.bias, 4),
                    "threshold": round(m.threshold, 4),
                    "weights": {f: round(w, 4) for f, w in sorted(m.weights.items())},
                }
                for label, m in models.items()
            }

        data = {
            "trained_on": self.trained_on,
            "labels": plain(self.labels),
            "topics": plain(self.topics),
        }
        if self.decider is not None:
            data["decider"] = self.decider.to_data()
        return data

    @classmethod
    def from_data(cls, data: dict) -> Model:
        def models(nodes: dict) -> dict[str, LabelModel]:
            return {
                str(label): LabelModel(
                    float(node["bias"]),
                    float(node["threshold"]),
                    {str(f): float(w) for f, w in node["weights"].items()},
                )
                for label, node in nodes.items()
            }

        from bot.recognition.decider import Decider  # it builds on this module's LabelModel

        topics = models(data.get("topics") or {})
        decider = Decider.from_data(data["decider"]) if data.get("decider") else None
        return cls(models(data["labels"]), str(data.get("trained_on", "")), topics, decider)
