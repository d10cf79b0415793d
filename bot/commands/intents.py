"""`firstcontact intents ...`: why a message counts as danger, crisis or a topic; measured."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.commands.parsers import add_command, add_group
from bot.definitions.intentsfile import RECOGNITION_DIR
from bot.problems import DataError
from bot.recognition.evaluate import PARTS, evaluate, format_report, read_corpus
from bot.recognition.explain import explain
from bot.recognition.load import MODEL_FILE, load_recogniser
from bot.recognition.train import train_model

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "tests" / "corpus"


def register(sub) -> None:
    inner = add_group(
        sub,
        "intents",
        "explain or measure how typed text is recognised (danger, crisis, topics)",
        'firstcontact intents explain "ze staat voor de deur met een mes"',
        "Work with the recognition words and rules in flows/herkenning/.",
        "intents_command",
    )
    explain_cmd = add_command(
        inner,
        "explain",
        "show what a message is recognised as, and which words and rules made it so",
        'firstcontact intents explain "ik zie het niet meer zitten"',
        run_explain,
    )
    explain_cmd.add_argument("text", help="the message, in quotes")
    _flows_dir(explain_cmd)
    eval_cmd = add_command(
        inner,
        "eval",
        "measure recall, false alarms and topic accuracy on the labelled corpus",
        "firstcontact intents eval --part heldout --misses",
        run_eval,
    )
    eval_cmd.add_argument(
        "--part",
        choices=(*PARTS, "both"),
        default="both",
        help="the tuning part, a held-out part (never tuned on), or all of them (default)",
    )
    eval_cmd.add_argument("--misses", action="store_true", help="list every miss and false alarm")
    eval_cmd.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help="folder with alarm_<part>.yaml and topics_<part>.yaml (default: tests/corpus)",
    )
    _flows_dir(eval_cmd)
    train_cmd = add_command(
        inner,
        "train",
        "learn the second opinion's weights from the tuning part of the corpus",
        "firstcontact intents train",
        run_train,
        description=(
            "Learn flows/herkenning/model.json from tests/corpus/*_tune*.yaml (never from a "
            "held-out part), for the way regels.yaml names under 'learned:' (the decider or the "
            "second opinion). Run it after the tuning examples or the words change; tests check "
            "it is in step."
        ),
    )
    train_cmd.add_argument(
        "--corpus", type=Path, default=DEFAULT_CORPUS, help="folder with the tuning files"
    )
    _flows_dir(train_cmd)


def _flows_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--flows-dir",
        type=Path,
        help="folder with the flow files (default: $FIRSTCONTACT_FLOWS_DIR, else the shipped "
        "flows/)",
    )


def _recogniser(args: argparse.Namespace, with_model: bool = True):
    try:
        return load_recogniser(args.flows_dir / RECOGNITION_DIR, with_model)
    except DataError as exc:
        print("The recognition words or rules have problems:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return None


def run_explain(args: argparse.Namespace) -> int:
    recogniser = _recogniser(args)
    if recogniser is None:
        return 2
    print(explain(recogniser, recogniser.read(args.text, explain=True)))
    return 0


def run_train(args: argparse.Namespace) -> int:
    recogniser = _recogniser(args, with_model=False)  # the weights are learned again
    if recogniser is None:
        return 2
    samples = read_corpus(args.corpus, "tune")
    if not samples:
        print(f"no tuning examples in {args.corpus}", file=sys.stderr)
        return 2
    model = train_model(recogniser, samples)
    path = args.flows_dir / RECOGNITION_DIR / MODEL_FILE
    path.write_text(json.dumps(model.to_data(), ensure_ascii=False, indent=0) + "\n", "utf-8")
    labels = model.decider.labels if model.decider else model.labels
    sizes = ", ".join(f"{k}: {len(m.weights)} weights" for k, m in labels.items())
    way = "decider" if model.decider else "second opinion"
    print(f"learned the {way} from {len(samples)} tuning examples ({sizes}); wrote {path}")
    return 0


def run_eval(args: argparse.Namespace) -> int:
    recogniser = _recogniser(args)
    if recogniser is None:
        return 2
    parts = PARTS if args.part == "both" else (args.part,)
    for part in parts:
        samples = read_corpus(args.corpus, part)
        if not samples and args.part == "both":
            continue  # a part not written yet
        if not samples:
            print(f"no corpus for part '{part}' in {args.corpus}", file=sys.stderr)
            return 2
        print(format_report(evaluate(recogniser, samples, part), show_misses=args.misses))
    return 0
