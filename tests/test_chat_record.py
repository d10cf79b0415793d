"""`firstcontact chat`: a recording never replaces a golden by accident, folders are made,
Ctrl-C leaves quietly and --region answers the region question."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.channels.terminal import chat
from bot.transcripts import play

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "In welk land of welke regio zoek je hulp?"


def _chat(*args: str, stdin: str = ":quit\n") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        input=stdin,
    )


def test_record_refuses_to_replace_a_transcript(tmp_path: Path) -> None:
    golden = tmp_path / "walk.yaml"
    golden.write_text("# a golden someone wrote\n", "utf-8")
    result = _chat("--record", str(golden))
    assert result.returncode == 2
    assert result.stderr == (
        f"{golden} exists already; a golden transcript is not overwritten by accident. Choose "
        "another name, or add --force to replace it.\n"
    )
    assert golden.read_text("utf-8") == "# a golden someone wrote\n"


def test_record_with_force_replaces_and_makes_folders(tmp_path: Path) -> None:
    golden = tmp_path / "new" / "folder" / "walk.yaml"
    result = _chat("--record", str(golden), "--region", "NL", stdin="1\n:quit\n")
    assert result.returncode == 0, result.stderr
    first = golden.read_text("utf-8")
    assert "press: Nederland" in first and "Feiten checken" in first
    result = _chat("--record", str(golden), "--force", "--region", "BE-VLG", stdin=":quit\n")
    assert result.returncode == 0, result.stderr
    assert "press: Vlaanderen" in golden.read_text("utf-8")


def test_ctrl_c_leaves_quietly(tmp_path: Path) -> None:
    golden = tmp_path / "walk.yaml"
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "chat", "--record", str(golden)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 60
        while not golden.exists() and time.monotonic() < deadline:  # the greeting is recorded
            time.sleep(0.05)
        time.sleep(0.2)
        os.kill(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0
    assert err == ""
    assert QUESTION in out
    assert "begin: main" in golden.read_text("utf-8")


def test_region_answers_the_region_question(runtime, tmp_path: Path) -> None:
    record = tmp_path / "walk.yaml"
    out = io.StringIO()
    stdin = io.StringIO("Nu met iemand praten\n:quit\n")
    code = chat(runtime, flow=None, locale=None, region="NL", record=record, stdin=stdin, out=out)
    screen = out.getvalue()
    assert code == 0
    assert QUESTION not in screen
    assert "[NL: 'Nederland' is chosen for you]" in screen
    assert "Veilig Thuis" in screen
    played, _ = play(record, runtime)
    assert [type(r.expected).__name__ for r in played.results] == ["CommentedSeq"] * 3
    assert not played.failures


def test_leuven_is_answered_with_flanders(runtime) -> None:
    out = io.StringIO()
    chat(
        runtime,
        flow=None,
        locale=None,
        region="BE-LEUVEN",
        record=None,
        stdin=io.StringIO(":quit\n"),
        out=out,
    )
    assert "[BE-LEUVEN: 'Vlaanderen' is chosen for you]" in out.getvalue()
    assert QUESTION not in out.getvalue()
