"""Property: a flow, intents or directory file broken in any way gives a clear error naming
the file and a line, never a traceback (a volunteer or coordinator reads these, not a developer).

Hypothesis breaks the real files: cuts them short, drops or repeats a slice, pushes YAML's
special characters or random text in anywhere, swaps a line's indentation, or replaces the
whole file with random text or bytes that are not UTF-8.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.definitions.flowfile import load_flow
from bot.definitions.intentsfile import load_intents
from bot.problems import DataError
from bot.referrals.load import load_directory

FLOWS = Path(__file__).resolve().parents[1] / "flows"
SPECIALS = (
    ":", ": ", "- ", "[", "]", "{", "}", "&a ", "*a", "*nowhere", "!!python/object:os.system ",
    "!!binary ", "? ", "|", ">", "#", "'", '"', "\t", "\n", "\n  ", "\n    - ", "---\n", "...\n",
    "%YAML 1.1\n", "<<: *a\n", "~", "null", "2026-13-45", "0x1F", "1e999", ".nan", "yes", "\x00",
    "\ufeff", "\u2028", "[" * 200, "{a: " * 60,
)  # fmt: skip
OBJECT_REPR = re.compile(r"object at 0x|Traceback|File \"")


def mutated(original: str) -> st.SearchStrategy[bytes]:
    size = len(original)
    at = st.integers(0, size)
    lines = original.split("\n")

    def cut(n: int) -> str:
        return original[:n]

    def drop(a: int, b: int) -> str:
        return original[: min(a, b)] + original[max(a, b) :]

    def repeat(a: int, b: int) -> str:
        a, b = min(a, b), max(a, b)
        return original[:b] + original[a:b] + original[b:]

    def insert(n: int, piece: str) -> str:
        return original[:n] + piece + original[n:]

    def indent(n: int, spaces: int) -> str:
        changed = list(lines)
        changed[n] = " " * spaces + changed[n].lstrip()
        return "\n".join(changed)

    text = st.one_of(
        st.builds(cut, at),
        st.builds(drop, at, at),
        st.builds(repeat, at, at),
        st.builds(insert, at, st.one_of(st.sampled_from(SPECIALS), st.text(max_size=20))),
        st.builds(indent, st.integers(0, len(lines) - 1), st.integers(0, 9)),
        st.text(max_size=200),
    )
    return st.one_of(
        text.map(lambda t: t.encode("utf-8", "surrogatepass")), st.binary(max_size=200)
    )


def check_clear(load: Callable[[Path], object], path: Path, content: bytes) -> None:
    path.write_bytes(content)
    try:
        load(path)
    except DataError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.where is not None and problem.where.file == str(path), problem
            assert problem.where.line >= 1
            assert problem.message.strip() and not OBJECT_REPR.search(problem.message), problem
    # Anything else (a TypeError, a RecursionError, ...) fails the test: that is a traceback.


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of flows/ (the intents file reads flows/herkenning beside it)."""
    copy = tmp_path_factory.mktemp("hostile") / "flows"
    shutil.copytree(FLOWS, copy)
    return copy


SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FLOW_FILES = sorted(
    p.name for p in FLOWS.glob("*.yaml") if p.name not in ("intents.yaml", "referrals.yaml")
)


@SETTINGS
@given(data=st.data(), name=st.sampled_from(FLOW_FILES))
def test_a_broken_flow_file_gives_a_clear_error(workdir: Path, data, name: str) -> None:
    original = (FLOWS / name).read_text(encoding="utf-8")
    check_clear(load_flow, workdir / name, data.draw(mutated(original)))


@settings(SETTINGS, max_examples=20)  # each load reads every language's recognition words
@given(data=st.data())
def test_a_broken_intents_file_gives_a_clear_error(workdir: Path, data) -> None:
    original = (FLOWS / "intents.yaml").read_text(encoding="utf-8")
    check_clear(load_intents, workdir / "intents.yaml", data.draw(mutated(original)))


@SETTINGS
@given(data=st.data())
def test_a_broken_directory_gives_a_clear_error(workdir: Path, data) -> None:
    original = (FLOWS / "referrals.yaml").read_text(encoding="utf-8")
    check_clear(load_directory, workdir / "referrals.yaml", data.draw(mutated(original)))
