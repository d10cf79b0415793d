"""Measure recognition on the labelled corpus: recall, false alarms, topic accuracy, cost.

The corpus (tests/corpus/) has a tuning part and a held-out part that nobody tunes on; both
are reported, per intent and language, with every miss listed so a volunteer can see why.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.recognition.rules import Recogniser

LANGUAGES = ("nl", "nl-BE", "en", "fr", "fr-BE", "tr", "ar", "pl")
# heldout2 and heldout3: written later by writers who saw nothing else; heldout3 is measured
# once, at the end of the third tuning round; heldout4 (nl, nl-BE, en, alarms only) is written
# before the fourth round changes anything and measured once, at its end; heldout5 holds the
# languages added later (Belgian French, Turkish, Arabic, Polish), written before their words
# and measured once; heldout6 (every language, alarms and topics) was written by writers who saw
# nothing else, before the fifth round changed anything, and is measured once, at its end
PARTS = ("tune", "heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6")
FIRST = ("nl", "nl-BE", "en", "fr")
ADDED = ("fr-BE", "tr", "ar", "pl")
PART_LANGUAGES = {
    "tune": LANGUAGES,
    "heldout": FIRST,
    "heldout2": FIRST,
    "heldout3": FIRST,
    "heldout4": ("nl", "nl-BE", "en"),
    "heldout5": ADDED,
    "heldout6": LANGUAGES,
}


@dataclass(frozen=True, slots=True)
class Sample:
    text: str
    lang: str
    label: str  # danger, crisis, benign, or topic:<name>
    also: str | None = None
    source: str = ""  # the file it was written in (training folds keep a file together)


@dataclass(slots=True)
class Tally:
    """Counts for one intent (or topics) in one language."""

    total: int = 0
    hits: int = 0
    misses: list[tuple[Sample, str]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.hits / self.total if self.total else 1.0


@dataclass(slots=True)
class Report:
    """One part of the corpus, measured."""

    part: str
    danger: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    crisis: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    false_alarm: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    topic: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    micros: list[float] = field(default_factory=list)

    def overall(self, name: str) -> Tally:
        total = Tally()
        for tally in getattr(self, name).values():
            total.total += tally.total
            total.hits += tally.hits
            total.misses += tally.misses
        return total

    def p99_us(self) -> float:
        ordered = sorted(self.micros)
        return ordered[int(0.99 * (len(ordered) - 1))] if ordered else 0.0


def read_corpus(folder: Path, part: str) -> list[Sample]:
    """Every file of one part (the tuning part may have several: alarm_tune*.yaml). A held-out
    part leaves out messages that also occur in the tuning part (short common phrases several
    writers wrote): those were tuned on."""
    samples = _read_part(folder, part)
    if part == "tune":
        return samples
    tuned = {_same(s.text) for s in _read_part(folder, "tune")}
    return [s for s in samples if _same(s.text) not in tuned]


def _same(text: str) -> str:
    return " ".join(text.casefold().split())


def _read_part(folder: Path, part: str) -> list[Sample]:
    samples: list[Sample] = []
    pattern = "{kind}_tune*.yaml" if part == "tune" else "{kind}_" + part + ".yaml"
    for path in sorted(folder.glob(pattern.format(kind="alarm"))):
        for row in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            samples.append(
                Sample(str(row["text"]), row["lang"], row["label"], row.get("also"), path.name)
            )
    for path in sorted(folder.glob(pattern.format(kind="topics"))):
        for row in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            samples.append(
                Sample(str(row["text"]), row["lang"], f"topic:{row['topic']}", None, path.name)
            )
    return samples


def evaluate(recogniser: Recogniser, samples: list[Sample], part: str) -> Report:
    """Run every sample through the recogniser, as the engine does, and count."""
    report = Report(part)
    for sample in samples:
        start = time.perf_counter()
        verdict = recogniser.read(sample.text)
        report.micros.append((time.perf_counter() - start) * 1e6)
        got = ", ".join(verdict.alarms) or (f"topic:{verdict.topic}" if verdict.topic else "-")
        if sample.label == "danger":
            _count(report.danger[sample.lang], sample, bool(verdict.alarms), got)
        elif sample.label == "crisis":
            _count(report.crisis[sample.lang], sample, "crisis" in verdict.alarms, got)
        else:
            # Benign and topic messages: an alarm first would be a false alarm.
            tally = report.false_alarm[sample.lang]
            tally.total += 1
            if verdict.alarms:
                tally.hits += 1
                tally.misses.append((sample, got))
        if sample.label.startswith("topic:"):
            wanted = sample.label.split(":", 1)[1]
            _count(report.topic[sample.lang], sample, verdict.topic == wanted, got)
    return report


def _count(tally: Tally, sample: Sample, hit: bool, got: str) -> None:
    tally.total += 1
    if hit:
        tally.hits += 1
    else:
        tally.misses.append((sample, got))


def format_report(report: Report, show_misses: bool = True) -> str:
    """A plain table per measure and language, then every miss with what was recognised."""
    lines = [f"== {report.part} =="]
    rows = (
        ("danger recall", "danger"),
        ("crisis recall", "crisis"),
        ("false alarms", "false_alarm"),
        ("topic accuracy", "topic"),
    )
    languages = PART_LANGUAGES.get(report.part, LANGUAGES)
    header = f"{'':16}" + "".join(f"{lang:>16}" for lang in (*languages, "all"))
    lines.append(header)
    for title, name in rows:
        cells = []
        for lang in languages:
            tally = getattr(report, name).get(lang)
            cells.append(_cell(tally))
        cells.append(_cell(report.overall(name)))
        lines.append(f"{title:16}" + "".join(f"{c:>16}" for c in cells))
    lines.append(f"cost per message: p99 {report.p99_us():.0f} µs over {len(report.micros)}")
    if show_misses:
        for title, name in rows:
            misses = report.overall(name).misses
            if misses:
                lines.append(f"-- {title}: {'alarms' if name == 'false_alarm' else 'misses'}")
                for sample, got in misses:
                    lines.append(f"  [{sample.lang}] {sample.label} <- {got}: {sample.text}")
    return "\n".join(lines)


def _cell(tally: Tally | None) -> str:
    if tally is None or tally.total == 0:
        return "-"
    return f"{100 * tally.rate:.1f}% ({tally.hits}/{tally.total})"
