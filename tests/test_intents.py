"""Intent matching on normalised text: hits from tests/intent_cases.yaml, and near-misses."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from bot.definitions.bundle import DEFAULT_FLOWS_DIR
from bot.definitions.intentsfile import load_intents
from bot.engine.intents import normalise
from bot.problems import DataError

CASES = YAML(typ="safe").load((Path(__file__).parent / "intent_cases.yaml").read_text("utf-8"))
INTENTS = load_intents(DEFAULT_FLOWS_DIR / "intents.yaml")
FIRES = [(name, text) for name, texts in CASES["fires"].items() for text in texts]
SWITCHES = [(loc, text) for loc, texts in CASES["language_switch"].items() for text in texts]


@pytest.mark.parametrize(("intent", "text"), FIRES)
def test_fires(intent: str, text: str) -> None:
    match = INTENTS.match(text)
    # "help" alone is answered as danger first, then with how the chat works (also=help)
    assert match is not None and intent in (match.name, *match.also), f"{text!r} -> {match}"


@pytest.mark.parametrize(("locale", "text"), SWITCHES)
def test_language_switch(locale: str, text: str) -> None:
    match = INTENTS.match(text)
    assert match is not None and (match.name, match.arg) == ("language", locale)


@pytest.mark.parametrize("text", CASES["quiet"])
def test_near_misses_stay_quiet(text: str) -> None:
    assert INTENTS.match(text) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Wís!", "wis"),
        ("  HELP   me  ", "help me"),
        ("/stop", "stop"),
        # "/stop@SomeBot" never reaches the engine: bot.channels.inbound.typed, the one
        # command parser, makes it Intent("stop") (tests/test_turn.py)
        ("/stop@SomeBot", "stop somebot"),
        ("Ça va?", "ca va"),
        ("één", "een"),
        ("🙂", ""),
        ("", ""),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_huge_text_is_cut_before_matching() -> None:
    assert INTENTS.match("a " * 100_000 + "ik ben in gevaar") is None
    assert INTENTS.match("ik ben in gevaar " + "a " * 100_000).name == "emergency"


def test_broken_intents_file_names_line(tmp_path: Path) -> None:
    path = tmp_path / "intents.yaml"
    path.write_text("stop:\n  exact: [stop]\nstpo:\n  exact: [x]\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_intents(path)
    text = str(info.value)
    assert f"{path}:3" in text and "did you mean 'stop'" in text
    assert "intent 'emergency' is missing" in text
