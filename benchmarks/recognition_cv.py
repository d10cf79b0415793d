"""Cross-validated figures of the two ways the learned weights take part, on the tuning part only.

Each tuning file is one fold (its wording is never both learned and judged): the weights are
learned from the other files, the file's messages are judged, and the figures add up over all
files. Both methods are measured the same way, with their thresholds chosen by their own rule
on these cross-validated probabilities:
- second_opinion: the rules decide, the learned pieces may add an alarm (ngrams.py);
- decider: a logistic model over the rules' concepts, pairs, score and the pieces decides, a
  rules' score at the floor stands (decider.py).
The words and rules themselves were written from the whole tuning part, so these figures
flatter whatever trusts the rules most; `--fresh GLOB` instead learns from the tuning files
that do not match and judges the ones that do (files the words were not yet tuned on).
Run: python -m benchmarks.recognition_cv [--fresh 'alarm_tune5_*'] [--limit 0.03]
"""

from __future__ import annotations

import argparse
import fnmatch
import math
from pathlib import Path

from bot.definitions.bundle import DEFAULT_FLOWS_DIR
from bot.recognition.evaluate import Sample, read_corpus
from bot.recognition.load import load_recogniser
from bot.recognition.ngrams import LABELS, pieces
from bot.recognition.rules import Recogniser
from bot.recognition.train import (
    CRISIS_LEEWAY,
    DECIDER_FALSE_ALARMS,
    DECIDER_FLOOR,
    MIN_COUNT,
    could_add,
    decider_probabilities,
    decider_rows,
    decider_threshold,
    examples_of,
    fit,
    train_model,
)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
FOLDER = DEFAULT_FLOWS_DIR / "herkenning"


def _probability(bias: float, weights: dict[str, float], feats) -> float:
    z = bias + sum(weights.get(f, 0.0) for f in feats)
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def second_opinion_folds(recogniser: Recogniser, samples: list[Sample]) -> list[set[str]]:
    """Per sample, the alarms of rules + second opinion with weights learned without its file."""
    examples = examples_of(recogniser, samples)
    feats = [pieces(toks) for toks, _ in examples]
    groups = sorted({s.source for s in samples})
    addable = [could_add(recogniser, s.text) for s in samples]
    rules = [set(recogniser.read_by_rules(s.text).alarms) for s in samples]
    probabilities = {label: [0.0] * len(samples) for label in LABELS}
    for group in groups:
        train_i = [i for i, s in enumerate(samples) if s.source != group]
        counts: dict[str, int] = {}
        for i in train_i:
            for f in feats[i]:
                counts[f] = counts.get(f, 0) + 1
        rows = [sorted(f for f in feats[i] if counts[f] >= MIN_COUNT) for i in train_i]
        for label in LABELS:
            ys = [1.0 if label in examples[i][1] else 0.0 for i in train_i]
            bias, weights = fit(rows, ys)
            for i, s in enumerate(samples):
                if s.source == group:
                    probabilities[label][i] = _probability(bias, weights, feats[i])
    benign = [i for i, (_, labels) in enumerate(examples) if not labels]
    out = [set(r) for r in rules]
    for label in LABELS:
        limit = 0.025 * (CRISIS_LEEWAY if label == "crisis" else 1.0)
        allowed = int(limit * len(benign))
        could = sorted(
            (probabilities[label][i] for i in benign if label in addable[i]), reverse=True
        )
        threshold = min(0.99, max(0.5, (could[allowed] if allowed < len(could) else 0.0) + 1e-6))
        for i, p in enumerate(probabilities[label]):
            if p >= threshold and label in addable[i]:
                out[i].add(label)
    return out


def decider_folds(
    recogniser: Recogniser, samples: list[Sample], limit: float, floor: float
) -> list[set[str]]:
    """Per sample, the decider's alarms with weights learned without its file."""
    rows = decider_rows(recogniser, samples, floor)
    out = [set() for _ in samples]
    for label in LABELS:
        ys = [1.0 if label in row.labels else 0.0 for row in rows]
        probabilities = decider_probabilities(rows, ys)
        leeway = CRISIS_LEEWAY if label == "crisis" else 1.0
        threshold = decider_threshold(rows, label, probabilities, limit * leeway)
        for i, row in enumerate(rows):
            if row.floored[label] or (probabilities[i] >= threshold and row.may[label]):
                out[i].add(label)
    return out


def figures(samples: list[Sample], alarms: list[set[str]]) -> str:
    """Recall of danger and crisis, and false alarms: any alarm first on a benign message,
    and of those how many were only the crisis question (a softer answer)."""
    counts = {"danger": [0, 0], "crisis": [0, 0], "benign": [0, 0]}
    only_crisis = 0
    for sample, found in zip(samples, alarms, strict=True):
        kind = sample.label if sample.label in ("danger", "crisis") else "benign"
        hit = "crisis" in found if kind == "crisis" else bool(found)
        counts[kind][0] += hit
        counts[kind][1] += 1
        only_crisis += kind == "benign" and found == {"crisis"}
    cells = [
        f"{name} {100 * hit / total:.1f}% ({hit}/{total})"
        for name, (hit, total) in zip(
            ("danger recall", "crisis recall", "false alarms"), counts.values(), strict=True
        )
        if total
    ]
    return " | ".join(cells) + f" (crisis question only: {only_crisis})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", help="judge the tuning files matching this, learn from the rest")
    parser.add_argument("--limit", type=float, default=DECIDER_FALSE_ALARMS)
    parser.add_argument("--floor", type=float, default=DECIDER_FLOOR)
    args = parser.parse_args()
    recogniser = load_recogniser(FOLDER)
    samples = read_corpus(CORPUS, "tune")
    rules_alone = [set(recogniser.read_by_rules(s.text).alarms) for s in samples]
    if args.fresh:
        judged = [s for s in samples if fnmatch.fnmatch(s.source, args.fresh + "*")]
        left_out = {id(s) for s in judged}
        learned = [s for s in samples if id(s) not in left_out]
        print(f"learn from {len(learned)}, judge {len(judged)} messages of '{args.fresh}'")
        fresh_rules = [set(recogniser.read_by_rules(s.text).alarms) for s in judged]
        print(f"rules alone:    {figures(judged, fresh_rules)}")
        for method in ("second_opinion", "decider"):
            recogniser.learned = method
            recogniser.model = train_model(recogniser, learned)
            found = [set(recogniser.read(s.text).alarms) for s in judged]
            print(f"{method + ':':15} {figures(judged, found)}")
        return 0
    print(f"{len(samples)} tuning messages, one fold per file")
    print(f"rules alone:    {figures(samples, rules_alone)} (the rules were written from these)")
    print(f"second_opinion: {figures(samples, second_opinion_folds(recogniser, samples))}")
    decided = decider_folds(recogniser, samples, args.limit, args.floor)
    print(f"decider:        {figures(samples, decided)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
