"""Recognition figures: recall, false alarms and topic accuracy per language, and cost per message.

Measured on both parts of the labelled corpus (tests/corpus/): the tuning part the words and
rules were tuned on, and the held-out part nobody tunes on. `--record` writes the figures to
tests/corpus/recorded.yaml (the floors tests/test_recognition_corpus.py holds the recogniser
to) and to docs/recognition.md.
Run: python -m benchmarks.recognition [--record] [--misses]
Targets on the held-out part: danger recall >= 98%, crisis recall 100%, false alarms <= 5%,
topic accuracy >= 85%, <= 200 µs p99 per message. Each part is reported for the languages it
was written in (the fourth held-out part: Belgian French, Turkish, Arabic, Polish).
"""

from __future__ import annotations

import argparse
import platform
import re
import statistics
import time
from datetime import date
from pathlib import Path

import yaml

from bot.definitions.bundle import DEFAULT_FLOWS_DIR
from bot.recognition.evaluate import (
    PART_LANGUAGES,
    PARTS,
    Report,
    evaluate,
    format_report,
    read_corpus,
)
from bot.recognition.load import load_recogniser

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
RECORDED = CORPUS / "recorded.yaml"
DOC = ROOT / "docs" / "recognition.md"
MEASURES = {
    "danger": "danger recall",
    "crisis": "crisis recall",
    "false_alarm": "false alarms",
    "topic": "topic accuracy",
}
TARGETS = {"danger": 0.98, "crisis": 1.0, "false_alarm": 0.05, "topic": 0.85}
REPEATS = 30
BEGIN, END = "<!-- figures: begin -->", "<!-- figures: end -->"


def cost(recogniser, texts: list[str]) -> dict[str, float]:
    """µs per message over every corpus message, REPEATS times, after a warm-up."""
    for text in texts:
        recogniser.read(text)
    times = []
    for _ in range(REPEATS):
        for text in texts:
            start = time.perf_counter_ns()
            recogniser.read(text)
            times.append((time.perf_counter_ns() - start) / 1000)
    times.sort()
    return {
        "median_us": round(statistics.median(times), 1),
        "p99_us": round(times[int(0.99 * (len(times) - 1))], 1),
        "max_us": round(times[-1], 1),
    }


def figures(report: Report) -> dict:
    out = {}
    for name in MEASURES:
        per = {lang: getattr(report, name)[lang] for lang in PART_LANGUAGES[report.part]}
        overall = report.overall(name)
        out[name] = {
            "all": [overall.hits, overall.total],
            **{lang: [t.hits, t.total] for lang, t in per.items() if t.total},
        }
    return out


def rate(pair: list[int]) -> float:
    return pair[0] / pair[1] if pair[1] else 1.0


def verdicts(found: dict) -> list[str]:
    lines = []
    for name, target in TARGETS.items():
        if not found[name]["all"][1]:
            continue  # a part without messages for this measure (heldout4 has no topics)
        value = rate(found[name]["all"])
        met = value <= target if name == "false_alarm" else value >= target
        sign = "<=" if name == "false_alarm" else ">="
        lines.append(
            f"{MEASURES[name]}: {100 * value:.1f}% (target {sign} {100 * target:.0f}%): "
            f"{'met' if met else 'NOT met'}"
        )
    return lines


def markdown(results: dict, timing: dict) -> str:
    lines = [
        BEGIN,
        f"Measured {results['date']} on {results['machine']} "
        f"(`python -m benchmarks.recognition --record`).",
        "",
    ]
    for part in PARTS:
        if part not in results:
            continue
        found = results[part]
        title = {
            "tune": "tuning part",
            "heldout": "held-out part (never tuned on; validation part of the learned opinion)",
            "heldout2": "second held-out part (test part of round two: nothing chosen on it)",
            "heldout3": "third held-out part (test part of the third round: measured once)",
            "heldout4": "fourth held-out part (nl, nl-BE, en; test part of the fourth round: "
            "written before it, measured once)",
            "heldout5": "held-out part of the added languages (fr-BE, tr, ar, pl: written "
            "before their words, measured once)",
            "heldout6": "sixth held-out part (every language; written before the fifth round by "
            "writers who saw nothing else, measured once)",
        }[part]
        languages = PART_LANGUAGES[part]
        lines += [f"**{title}**", "", "| | " + " | ".join(languages) + " | all |"]
        lines.append("|---" * (len(languages) + 2) + "|")
        for name, label in MEASURES.items():
            if not any(found[name].get(lang) for lang in languages):
                continue  # no topic messages in this part
            cells = []
            for lang in (*languages, "all"):
                pair = found[name].get(lang)
                cells.append(
                    f"{100 * rate(pair):.1f}% ({pair[0]}/{pair[1]})" if pair and pair[1] else "-"
                )
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
        lines += ["", *[f"- {v}" for v in verdicts(found)], ""]
    lines += [
        f"Cost per message (all corpus messages x {REPEATS}): median {timing['median_us']} µs, "
        f"p99 {timing['p99_us']} µs, max {timing['max_us']} µs (target p99 <= 200 µs).",
        END,
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", action="store_true", help="write recorded.yaml and the doc")
    parser.add_argument("--misses", action="store_true", help="list every miss")
    args = parser.parse_args()
    recogniser = load_recogniser(DEFAULT_FLOWS_DIR / "herkenning")
    results: dict = {"date": date.today().isoformat(), "machine": platform.machine()}
    texts = []
    for part in PARTS:
        samples = read_corpus(CORPUS, part)
        if not samples:
            continue
        texts += [s.text for s in samples]
        report = evaluate(recogniser, samples, part)
        print(format_report(report, show_misses=args.misses))
        results[part] = figures(report)
        print("\n".join(verdicts(results[part])))
    timing = cost(recogniser, texts)
    results["cost"] = timing
    print(
        f"cost: median {timing['median_us']} µs, p99 {timing['p99_us']} µs, max {timing['max_us']}"
    )
    if args.record:
        RECORDED.write_text(
            "# Written by python -m benchmarks.recognition --record; tests hold the recogniser "
            "to these.\n" + yaml.safe_dump(results, sort_keys=False),
            encoding="utf-8",
        )
        doc = DOC.read_text(encoding="utf-8")
        block = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
        DOC.write_text(block.sub(lambda _: markdown(results, timing), doc), encoding="utf-8")
        print(f"recorded in {RECORDED.relative_to(ROOT)} and {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
