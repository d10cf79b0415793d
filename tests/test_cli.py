"""The commands volunteers use most (flows check, chat) behave as the README says; every
command's help and example are held by tests/test_cli_reference.py."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

from bot.channels.terminal import chat
from bot.cli import main
from bot.definitions.bundle import DEFAULT_FLOWS_DIR
from bot.transcripts import play

ROOT = Path(__file__).resolve().parents[1]


def test_flows_check_passes_on_shipped_flows(capsys) -> None:
    assert main(["flows", "check"]) == 0
    assert "OK: 0 error(s)" in capsys.readouterr().out


def test_flows_check_fails_with_file_and_line(tmp_path: Path, capsys) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(DEFAULT_FLOWS_DIR, flows)
    text = (flows / "main.yaml").read_text("utf-8")
    assert "next: menu\n" in text
    (flows / "main.yaml").write_text(text.replace("next: menu\n", "next: mneu\n", 1), "utf-8")
    assert main(["flows", "check", "--flows-dir", str(flows)]) == 1
    err = capsys.readouterr().err
    assert "main.yaml:" in err and "mneu" in err and "did you mean 'menu'" in err


def test_broken_flows_stop_chat_with_a_message_not_a_traceback(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(DEFAULT_FLOWS_DIR, flows)
    (flows / "main.yaml").write_text("flow: main\nsteps:\n  - id: [kapot\n", "utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", "--flows-dir", str(flows)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        input="",
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert (
        "main.yaml:3: error: a list that opens with [ here is not closed with ] (or a comma is "
        "missing between its items)"
    ) in result.stderr


def test_flows_diagram_and_show(capsys) -> None:
    assert main(["flows", "diagram", "main"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("flowchart TD") and "main__welkom" in out
    assert main(["flows", "show", "main"]) == 0
    assert "### Stap `welkom` · begin · regel " in capsys.readouterr().out
    assert main(["flows", "show", "nope"]) == 2


def test_terminal_chat_reaches_nl_and_flanders_handoffs(runtime, tmp_path: Path) -> None:
    for region_button, expected in (("1", "Veilig Thuis"), ("2", "1712")):
        record = tmp_path / f"walk_{region_button}.yaml"
        out = io.StringIO()
        # region, then "Nu met iemand praten" typed as its label
        stdin = io.StringIO(f"{region_button}\nNu met iemand praten\n:sticker\n:quit\n")
        code = chat(
            runtime, flow=None, locale=None, region=None, record=record, stdin=stdin, out=out
        )
        screen = out.getvalue()
        assert code == 0 and expected in screen, screen[-1500:]
        assert "  1) " in screen  # numbered choices
        played, _ = play(record, runtime)
        assert len(played.results) == 4 and not played.failures


def test_terminal_rejects_unknown_flow(runtime) -> None:
    out = io.StringIO()
    assert (
        chat(
            runtime,
            flow="nope",
            locale=None,
            region=None,
            record=None,
            stdin=io.StringIO(""),
            out=out,
        )
        == 2
    )
    assert "no flow 'nope'" in out.getvalue()
