"""YAML mistakes read as plain words with the right line, in flows, the directory and transcripts.

Each case is pinned as the whole message a volunteer sees (as goflow's TestBrokenFlows does),
so a parser's jargon cannot creep back in through a library upgrade.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.definitions.flowfile import load_flow
from bot.problems import DataError
from bot.referrals import load_directory
from bot.transcripts import play
from tests.auxil.directory import BASE, replace_line

FLOW = """\
flow: extra
title: Een voorbeeld
steps:
  - id: begin
    note: Alleen voor wie meeleest.
    text: |
      's Avonds is het rustig.
      Hoi, waar gaat het over?
    choices:
      - label: Verder
        next: klaar
  - id: klaar
    text: Dank je.
    end: true
"""

QUOTE_LINE = (
    "a text opens with {q} here but the closing {q} is missing: end the text with {q} on this "
    "line, or write it without quotes"
)
LINED_UP = (
    "this line is not lined up with the lines above it: the names in one block start in the same "
    "column, and the items of a list each start with '- ' in the same column (indent with spaces)"
)
COLON = (
    "a ':' followed by a space inside a text: put the whole text in quotes, or write | and the "
    "text on the next lines, indented"
)

FLOW_CASES = {
    # the quote opens on line 13 and the parser trips over the next quote much later
    "unclosed quote, more quotes below": (
        FLOW.replace("text: Dank je.", 'text: "Dank je.')
        + '  - id: later\n    text: "Tot ziens"\n    end: true\n',
        "extra.yaml:13: error: " + QUOTE_LINE.format(q='"'),
    ),
    "unclosed quote at the end of the file": (
        FLOW.replace("    end: true\n", "    end: true\n    note: 'Nog niet klaar\n"),
        "extra.yaml:15: error: " + QUOTE_LINE.format(q="'"),
    ),
    "colon inside a text": (
        FLOW.replace("text: Dank je.", "text: Let op: dit is kort."),
        "extra.yaml:13: error: " + COLON,
    ),
    "name not lined up": (
        FLOW.replace("        next: klaar", "       next: klaar"),
        "extra.yaml:11: error: " + LINED_UP,
    ),
    "list item not lined up": (
        FLOW.replace("  - id: klaar", " - id: klaar"),
        "extra.yaml:12: error: " + LINED_UP,
    ),
    "text after the closing quote": (
        FLOW.replace("text: Dank je.", 'text: "Dank" je.'),
        "extra.yaml:13: error: there is more text after the closing quote: put the whole text "
        "inside the quotes",
    ),
    "a tab": (
        FLOW.replace("    end: true", "\tend: true"),
        "extra.yaml:14: error: a tab character: indent with spaces only",
    ),
    "a name without a colon": (
        FLOW.replace("    end: true", "    end"),
        "extra.yaml:14: error: this line has a name without ':' after it (write name: value), or a "
        "text goes on to the next line without being indented further",
    ),
    "a text starting with @": (
        FLOW.replace("text: Dank je.", "text: @hulplijn"),
        "extra.yaml:13: error: a text cannot start with @: put the whole text in quotes",
    ),
    "a text starting with *": (
        FLOW.replace("text: Dank je.", "text: *belangrijk*"),
        "extra.yaml:13: error: a text cannot start with *: put the whole text in quotes",
    ),
    "a list not closed": (
        FLOW.replace("    end: true\n", "    end: true\n    set: [a, b\n", 1),
        "extra.yaml:15: error: a list that opens with [ here is not closed with ] (or a comma is "
        "missing between its items)",
    ),
    "a backslash in double quotes": (
        FLOW.replace("text: Dank je.", 'text: "C:\\map"'),
        "extra.yaml:13: error: a backslash (\\) inside double quotes: write it twice (\\\\), "
        "or use single quotes instead",
    ),
    "text on the line of |": (
        FLOW.replace("text: |\n", "text: | Hallo\n"),
        "extra.yaml:6: error: after | or > the text must start on the next line, indented further "
        "than this one",
    ),
    "a name twice": (
        FLOW.replace("    end: true", "    end: true\n    end: false"),
        "extra.yaml:15: error: the name 'end' appears twice in the same block",
    ),
}

JARGON = ("<", "scalar", "token", "violates", "block end", "mapping", "expected", "stream")


def _problem(exc: pytest.ExceptionInfo[DataError], folder: Path) -> str:
    assert len(exc.value.problems) == 1, exc.value.problems
    return str(exc.value.problems[0]).replace(f"{folder}/", "")


@pytest.mark.parametrize("case", FLOW_CASES, ids=list(FLOW_CASES))
def test_flow_mistake_in_plain_words(tmp_path: Path, case: str) -> None:
    text, wanted = FLOW_CASES[case]
    path = tmp_path / "extra.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(DataError) as caught:
        load_flow(path)
    message = _problem(caught, tmp_path)
    assert message == wanted
    assert not [word for word in JARGON if word in message.split(": error: ")[1]]


def test_the_example_flow_itself_loads(tmp_path: Path) -> None:
    path = tmp_path / "extra.yaml"
    path.write_text(FLOW, "utf-8")
    assert list(load_flow(path).steps) == ["begin", "klaar"]


def test_directory_unclosed_quote_points_at_the_quote(tmp_path: Path) -> None:
    line = next(i for i, row in enumerate(BASE.splitlines(), 1) if "name:" in row)
    path = tmp_path / "referrals.yaml"
    path.write_text(replace_line(BASE, line, '  name: "Veilig Thuis'), "utf-8")
    with pytest.raises(DataError) as caught:
        load_directory(path)
    assert _problem(caught, tmp_path) == f"referrals.yaml:{line}: error: " + QUOTE_LINE.format(
        q='"'
    )


def test_directory_colon_in_text(tmp_path: Path) -> None:
    line = next(i for i, row in enumerate(BASE.splitlines(), 1) if "name:" in row)
    path = tmp_path / "referrals.yaml"
    path.write_text(replace_line(BASE, line, "  name: Veilig Thuis: advies"), "utf-8")
    with pytest.raises(DataError) as caught:
        load_directory(path)
    assert _problem(caught, tmp_path) == f"referrals.yaml:{line}: error: " + COLON


def test_transcript_unclosed_quote_points_at_the_quote(tmp_path: Path, runtime) -> None:
    path = tmp_path / "walk.yaml"
    path.write_text(
        'now: "2026-11-23T10:00:00+01:00"\nturns:\n  - begin: main\n    region: NL\n'
        '  - send: "ik weet het niet\n  - press: "Nederland"\n',
        "utf-8",
    )
    with pytest.raises(DataError) as caught:
        play(path, runtime)
    assert _problem(caught, tmp_path) == "walk.yaml:5: error: " + QUOTE_LINE.format(q='"')
