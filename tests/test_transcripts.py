"""Golden transcripts: every file in tests/transcripts/ is played against the real engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.transcripts import play, update

TRANSCRIPTS = sorted((Path(__file__).parent / "transcripts").glob("*.yaml"))


def _describe(failure) -> str:
    expected = json.dumps(failure.expected, ensure_ascii=False, indent=1, default=str)
    actual = json.dumps(failure.actual, ensure_ascii=False, indent=1)
    return f"{failure.where} turn {failure.index + 1}\n--- expected\n{expected}--- actual\n{actual}"


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=[p.stem for p in TRANSCRIPTS])
def test_transcript(path: Path, runtime, update_goldens: bool) -> None:
    if update_goldens:
        update(path, runtime)
    played, _ = play(path, runtime)
    assert played.results, f"{path} has no turns"
    failures = played.failures
    assert not failures, (
        "\n".join(_describe(f) for f in failures)
        + "\n(if the change is intended: pytest tests/test_transcripts.py --update-goldens)"
    )


def test_there_are_transcripts() -> None:
    assert len(TRANSCRIPTS) >= 3
