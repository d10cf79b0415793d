"""Learn the second opinion (ngrams.Model) from labelled examples, in plain Python.

L2-regularised logistic regression by stochastic gradient descent with AdaGrad steps, one
model per label. The threshold is chosen by five-fold cross-validation on the examples: the
lowest that keeps false alarms on the folds' benign messages at or below `max_false_alarms`,
so the rules' own precision is not traded away. Only a benign message where the learned
opinion could add that alarm counts as one (the rules did not fire, a word of the alarm's
rules is there, no exception overrules): a kitchen knife or "last year" is silenced anyway,
and counting those made the threshold rise whenever hard negatives were added.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from bot.recognition.decider import Decider
from bot.recognition.evaluate import Sample
from bot.recognition.ngrams import LABELS, LabelModel, Model, pieces
from bot.recognition.rules import Recogniser
from bot.recognition.text import tokens

EPOCHS = 12
L2 = 1e-3
STEP = 0.05
MIN_COUNT = 2  # a piece seen once is noise
CRISIS_LEEWAY = 2.0
TOPIC_THRESHOLD = 0.5  # a learned topic is offered only when it is likelier than not
FOLDS = 5
# Folds keep each tuning file together: a file's wording is never both learned and judged,
# which is what an unseen message is like (random folds put near-copies on both sides and
# promised about a third of the false alarms unseen parts showed).
FOLDS_BY_FILE = True
SEED = 8


def fingerprint(examples: Sequence[tuple[str, set[str]]]) -> str:
    """Changes whenever an example or its labels change."""
    digest = hashlib.sha256()
    for text, labels in sorted((t, tuple(sorted(ls))) for t, ls in examples):
        digest.update(text.encode("utf-8") + b"\0" + ",".join(labels).encode() + b"\n")
    return digest.hexdigest()[:16]


def examples_of(recogniser: Recogniser, samples: Sequence[Sample]):
    """Corpus samples as (tokens as the recogniser reads them, labels)."""
    out = []
    for sample in samples:
        labels = set()
        if sample.label == "danger":
            labels.add("emergency")
        if sample.label == "crisis" or sample.also == "crisis":
            labels.add("crisis")
        if sample.label.startswith("topic:"):
            labels.add(sample.label)
        out.append((recogniser.lexicon.normal(tokens(sample.text)), labels))
    return out


def corpus_fingerprint(samples: Sequence[Sample]) -> str:
    """What the shipped weights record as learned from, and tests compare with the corpus."""
    return fingerprint([(s.text, {s.label, s.also or ""}) for s in samples])


def train_model(recogniser: Recogniser, samples: Sequence[Sample]) -> Model:
    """The second opinion for this recogniser, learned from these samples."""
    if recogniser.learned == "decider":
        model = train(
            examples_of(recogniser, samples),
            trained_on=corpus_fingerprint(samples),
            alarms=False,
        )
        model.decider = train_decider(recogniser, samples)
        return model
    return train(
        examples_of(recogniser, samples),
        trained_on=corpus_fingerprint(samples),
        could_add=[could_add(recogniser, s.text) for s in samples],
    )


def could_add(recogniser: Recogniser, text: str) -> frozenset[str]:
    """The alarms the learned opinion could add to this message: those the rules did not
    raise, with a sign of them and no exception that overrules it."""
    verdict = recogniser.read_by_rules(text)
    present = {h.concept for h in verdict.hits}
    return frozenset(
        label
        for label in LABELS
        if label not in verdict.alarms
        and recogniser.has_a_sign(label, present)
        and not recogniser.ruled_out(label, present)
    )


def train(
    examples: Sequence[tuple[tuple[str, ...], set[str]]],
    *,
    max_false_alarms: float = 0.025,
    trained_on: str = "",
    could_add: Sequence[frozenset[str]] | None = None,
    alarms: bool = True,
    groups: Sequence[str] | None = None,
) -> Model:
    """examples: (tokens, labels): labels from LABELS and "topic:<name>"; benign have none.
    could_add: per example, the alarms the learned opinion could add there (all, if None).
    alarms: False when the decider decides them (only the topics are learned here).
    groups: per example, the file it came from: the threshold's folds keep a file together."""
    feats = [pieces(toks) for toks, _ in examples]
    counts: dict[str, int] = {}
    for fs in feats:
        for f in fs:
            counts[f] = counts.get(f, 0) + 1
    vocab = {f for f, n in counts.items() if n >= MIN_COUNT}
    # sorted, so float sums run in one order and the same examples give the same weights
    feats = [sorted(fs & vocab) for fs in feats]
    models = {}
    for label in LABELS if alarms else ():
        ys = [1.0 if label in labels else 0.0 for _, labels in examples]
        # A crisis notice is a soft question with a suicide line, so an ambiguous message gets
        # it rather than silence: that label may ask twice as often as danger's notice.
        limit = max_false_alarms * (CRISIS_LEEWAY if label == "crisis" else 1.0)
        counts_as = [label in c for c in could_add] if could_add else [True] * len(ys)
        threshold = _threshold(feats, ys, examples, limit, counts_as, groups)
        bias, weights = fit(feats, ys)
        kept = {f: w for f, w in weights.items() if abs(w) >= 0.01}
        models[label] = LabelModel(bias, threshold, kept)
    topics = {}
    names = sorted({lb for _, labels in examples for lb in labels if lb.startswith("topic:")})
    for name in names:
        ys = [1.0 if name in labels else 0.0 for _, labels in examples]
        bias, weights = fit(feats, ys)
        kept = {f: w for f, w in weights.items() if abs(w) >= 0.01}
        topics[name.split(":", 1)[1]] = LabelModel(bias, TOPIC_THRESHOLD, kept)
    return Model(models, trained_on, topics)


def fit(feats: list[list[str]], ys: list[float]) -> tuple[float, dict[str, float]]:
    """Logistic weights for examples whose pieces each count once (public: the CV benchmark)."""
    return _fit_values([[(f, 1.0) for f in fs] for fs in feats], ys)


def _fit_values(
    feats: list[list[tuple[str, float]]], ys: list[float], l2: float = L2
) -> tuple[float, dict[str, float]]:
    """Logistic weights for (feature, value) rows; the rarer label counts as much in all."""
    weights: dict[str, float] = {}
    squares: dict[str, float] = {}
    bias, bias_sq = 0.0, 1e-8
    order = list(range(len(ys)))
    rng = random.Random(SEED)
    positive = sum(ys) or 1.0
    balance = (len(ys) - positive) / positive  # the rarer label counts as much in all
    for _ in range(EPOCHS):
        rng.shuffle(order)
        for i in order:
            fs, y = feats[i], ys[i]
            z = bias + sum(weights.get(f, 0.0) * v for f, v in fs)
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            g = (p - y) * (balance if y else 1.0)
            bias_sq += g * g
            bias -= STEP * g / math.sqrt(bias_sq)
            for f, v in fs:
                w = weights.get(f, 0.0)
                gf = g * v + l2 * w
                sq = squares.get(f, 1e-8) + gf * gf
                squares[f] = sq
                weights[f] = w - STEP * gf / math.sqrt(sq)
    return bias, weights


def _threshold(
    feats, ys, examples, max_false_alarms: float, counts_as: list[bool], groups=None
) -> float:
    """The lowest threshold whose cross-validated false alarms stay within the limit: a
    share of all benign messages, counting those where the opinion could raise the alarm."""
    n = len(ys)
    scored: list[tuple[float, float, bool]] = []  # (probability, y, benign)
    for fold in _folds(groups or [""] * n):
        test = set(fold)
        train_i = [i for i in range(n) if i not in test]
        bias, weights = fit([feats[i] for i in train_i], [ys[i] for i in train_i])
        for i in test:
            z = bias + sum(weights.get(f, 0.0) for f in feats[i])
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            scored.append((p, ys[i], not examples[i][1], counts_as[i]))
    benign = [(p, counts) for p, _, b, counts in scored if b]
    allowed = int(max_false_alarms * len(benign))
    could = sorted((p for p, counts in benign if counts), reverse=True)
    # just above the (allowed+1)-th highest probability among those it could alarm
    edge = could[allowed] if allowed < len(could) else 0.0
    return min(0.99, max(0.5, edge + 1e-6))


# The learned decider (decider.py): concepts and the rules' score weigh in fully, word
# pieces at half (a piece is one of thousands seen a few times each; a concept generalises
# across wording and languages), so the same regularisation holds pieces back more.
DECIDER_PIECES = 0.5
DECIDER_FLOOR = 2.0  # the rules' score at which an alarm stands whatever the decider says
DECIDER_FALSE_ALARMS = 0.03  # cross-validated, on the benign messages it could turn


@dataclass(slots=True)
class DeciderRow:
    """One tuning message as the decider reads it, with what it may do there."""

    feats: list[tuple[str, float]]
    labels: set[str]
    may: dict[str, bool]  # per alarm: the decider may raise it here (a sign, no exception)
    floored: dict[str, bool]  # per alarm: the rules' score stands on its own here
    group: str  # the file it was written in


def decider_rows(recogniser: Recogniser, samples: Sequence[Sample], floor: float) -> list:
    rows = []
    for sample, (_, labels) in zip(samples, examples_of(recogniser, samples), strict=True):
        verdict = recogniser.read_by_rules(sample.text)
        present = {h.concept for h in verdict.hits}
        feats = sorted(
            (f, DECIDER_PIECES if f[0] in "wbc" else 1.0)
            for f in recogniser.decider_features(verdict)
        )
        may = {lb: recogniser.may_decide(lb, present, lb in verdict.alarms) for lb in LABELS}
        floored = {lb: verdict.scores.get(lb, 0.0) >= floor for lb in LABELS}
        rows.append(DeciderRow(feats, labels, may, floored, sample.source))
    return rows


def train_decider(
    recogniser: Recogniser,
    samples: Sequence[Sample],
    *,
    max_false_alarms: float = DECIDER_FALSE_ALARMS,
    floor: float = DECIDER_FLOOR,
) -> Decider:
    """The decider's weights from all these samples; each threshold from cross-validation
    with the folds kept by file (a file's wording is never both learned and judged)."""
    rows = decider_rows(recogniser, samples, floor)
    labels = {}
    for label in LABELS:
        ys = [1.0 if label in row.labels else 0.0 for row in rows]
        limit = max_false_alarms * (CRISIS_LEEWAY if label == "crisis" else 1.0)
        probabilities = decider_probabilities(rows, ys)
        threshold = decider_threshold(rows, label, probabilities, limit)
        bias, weights = _fit_decider(rows, ys, range(len(rows)))
        labels[label] = LabelModel(bias, threshold, weights)
    return Decider(labels, floor)


def _fit_decider(rows, ys, chosen) -> tuple[float, dict[str, float]]:
    """Weights over the features seen at least MIN_COUNT times in the chosen rows, exported
    as one weight per feature (a piece's weight already counts its lower value)."""
    chosen = list(chosen)
    counts: dict[str, int] = {}
    for i in chosen:
        for f, _ in rows[i].feats:
            counts[f] = counts.get(f, 0) + 1
    feats = [[(f, v) for f, v in rows[i].feats if counts[f] >= MIN_COUNT] for i in chosen]
    bias, weights = _fit_values(feats, [ys[i] for i in chosen])
    value = {f: v for i in chosen for f, v in rows[i].feats}
    out = {f: w * value[f] for f, w in weights.items()}
    return bias, {f: w for f, w in out.items() if abs(w) >= 0.01}


def _folds(groups: Sequence[str]) -> list[list[int]]:
    """One fold per file when the samples come from several (FOLDS or more), else FOLDS
    random ones."""
    by_group: dict[str, list[int]] = {}
    for i, group in enumerate(groups):
        by_group.setdefault(group, []).append(i)
    if FOLDS_BY_FILE and len(by_group) >= FOLDS:
        return [by_group[g] for g in sorted(by_group)]
    index = list(range(len(groups)))
    random.Random(SEED).shuffle(index)
    return [index[k::FOLDS] for k in range(FOLDS)]


def decider_probabilities(rows, ys) -> list[float]:
    """Each message's probability from weights learned without its fold."""
    out = [0.0] * len(rows)
    for fold in _folds([row.group for row in rows]):
        held = set(fold)
        bias, weights = _fit_decider(rows, ys, (i for i in range(len(rows)) if i not in held))
        for i in fold:
            z = bias + sum(weights.get(f, 0.0) for f, _ in rows[i].feats)
            out[i] = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
    return out


def decider_threshold(rows, label: str, probabilities: list[float], limit: float) -> float:
    """The lowest threshold whose cross-validated false alarms stay within the limit (a share
    of all benign messages), counting those the decider could turn into this alarm."""
    benign = [i for i, row in enumerate(rows) if not row.labels]
    allowed = int(limit * len(benign))
    could = sorted(
        (probabilities[i] for i in benign if rows[i].may[label] and not rows[i].floored[label]),
        reverse=True,
    )
    edge = could[allowed] if allowed < len(could) else 0.0
    return min(0.99, max(0.05, edge + 1e-6))
