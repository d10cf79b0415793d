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

LABELS = ("emergency", "crisis")


def pieces(toks: Iterable[str]) -> set[str]:
    """The features of a message: words, word pairs and letter pieces, each counted once."""
    out: set[str] = set()
    add = out.add
    previous = ""
    for word in toks:
        if not word.isalnum():
            continue
        add("w:" + word)
        if previous:
            add(f"b:{previous}_{word}")
        previous = word
        padded = f"c:<{word}>"  # letter pieces start after the "c:" tag
        for j in range(2, len(padded) - 3):
            add("c:" + padded[j : j + 4])
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


@dataclass(slots=True)
class Model:
    """The learned weights per label, and what they were learned from."""

    labels: dict[str, LabelModel]
    trained_on: str = ""  # a fingerprint of the examples, to notice when they changed

    def opinions(self, toks: tuple[str, ...], explain: bool = False) -> list[Opinion]:
        feats = pieces(toks)
        return [m.opinion(label, feats, explain) for label, m in self.labels.items()]

    def to_data(self) -> dict:
        return {
            "trained_on": self.trained_on,
            "labels": {
                label: {
                    "bias": round(m.bias, 4),
                    "threshold": round(m.threshold, 4),
                    "weights": {f: round(w, 4) for f, w in sorted(m.weights.items())},
                }
                for label, m in self.labels.items()
            },
        }

    @classmethod
    def from_data(cls, data: dict) -> Model:
        labels = {
            str(label): LabelModel(
                float(node["bias"]),
                float(node["threshold"]),
                {str(f): float(w) for f, w in node["weights"].items()},
            )
            for label, node in data["labels"].items()
        }
        return cls(labels, str(data.get("trained_on", "")))
