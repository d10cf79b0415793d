"""The learned decider: one logistic model per alarm over what the rules saw in a message.

The rules' score alone is fitted to the wording they were written from. The decider reads
the same message as the concepts the words files found (each concept, each pair of concepts
within a few words: [wapen, keuken], [slaan, verleden]), the rules' own score in steps and
their strongest rule, and the word pieces of the second opinion (ngrams.pieces), and weighs
them all with weights learned from the tuning examples (train.py). It decides: it may add an
alarm the rules missed and take away one they raised, except that a very strong rules' score
(the floor: a weapon with a threat now, strangulation now, "112") always stands. The weights
are plain data in flows/herkenning/model.json; explain.py names what weighed most.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.recognition.lexicon import Hit
from bot.recognition.ngrams import LabelModel, Opinion, read_labels

PAIR_WINDOW = 6  # two concepts at most this many words apart form a pair
MAX_PAIRED_HITS = 40  # a very long message: pairs from its first hits only
SCORE_STEPS = (0.5, 1.0, 1.5, 2.0)  # "the rules' score is at least ..." features


def concept_features(
    hits: Iterable[Hit], scores: dict[str, float], best: dict[str, str]
) -> set[str]:
    """What the rules saw, as features: concepts, close pairs, score steps, strongest rule."""
    out: set[str] = set()
    hits = list(hits)
    for hit in hits:
        out.add("k:" + hit.concept)
    paired = hits[:MAX_PAIRED_HITS]  # the lexicon finds them in word order
    for i, a in enumerate(paired):
        for b in paired[i + 1 :]:
            if b.start - a.start > PAIR_WINDOW:
                break
            if a.concept != b.concept:
                first, second = sorted((a.concept, b.concept))
                out.add(f"p:{first}+{second}")
    for name, score in scores.items():
        if score < 0:
            out.add(f"s:{name}<0")
        for step in SCORE_STEPS:
            if score >= step:
                out.add(f"s:{name}>={step:g}")
    for name, rule in best.items():
        out.add(f"r:{name}:{rule}")
    return out


@dataclass(slots=True)
class Decider:
    """The decider's weights per alarm, and the rules' score at which an alarm always stands."""

    labels: dict[str, LabelModel]
    floor: float = 2.0
    _table: tuple[list[str], dict[str, tuple[float, ...]]] | None = field(default=None, repr=False)

    def opinions(self, feats: set[str], explain: bool = False) -> list[Opinion]:
        """Every alarm's probability; with explain, the features that weighed most either way."""
        if explain:
            out = []
            for label, m in self.labels.items():
                opinion = m.opinion(label, feats)
                found = [(f, m.weights[f]) for f in feats if f in m.weights]
                pro = sorted((fw for fw in found if fw[1] > 0), key=lambda fw: -fw[1])[:4]
                con = sorted((fw for fw in found if fw[1] < 0), key=lambda fw: fw[1])[:3]
                opinion.top = pro + con
                out.append(opinion)
            return out
        if self._table is None:
            names = list(self.labels)
            every = set().union(*(self.labels[n].weights for n in names))
            joint = {f: tuple(self.labels[n].weights.get(f, 0.0) for n in names) for f in every}
            self._table = (names, joint)
        return read_labels(self.labels, self._table, feats)

    def to_data(self) -> dict:
        return {
            "floor": self.floor,
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
    def from_data(cls, data: dict) -> Decider:
        labels = {
            str(label): LabelModel(
                float(node["bias"]),
                float(node["threshold"]),
                {str(f): float(w) for f, w in node["weights"].items()},
            )
            for label, node in data["labels"].items()
        }
        return cls(labels, float(data.get("floor", 2.0)))
