"""`flows diff OLD NEW`: a change told in a reviewer's terms, and the goldens it changes."""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.review.snapshot import PARTS, ROOT, SnapshotError, open_snapshot

WELKOM = "Hoi. Dit is een anonieme chatbot voor mannen"


def _copy(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    for part in PARTS:
        shutil.copytree(ROOT / part, root / part)
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")


@pytest.fixture(scope="module")
def changed(tmp_path_factory) -> tuple[Path, Path]:
    """The shipped script, and a copy with one of each kind of change."""
    tmp = tmp_path_factory.mktemp("diff")
    old, new = _copy(tmp, "old"), _copy(tmp, "new")
    main_yaml = new / "flows" / "main.yaml"
    _edit(main_yaml, WELKOM, "Hallo. Dit is een anonieme chatbot voor mannen")
    _edit(main_yaml, "label: Mijn opties op een rij", "label: Wat kan ik doen?")
    _edit(main_yaml, "      - label: Andere regio kiezen\n        next: welkom\n",
          "      - label: Andere regio kiezen\n        next: welkom\n"
          "      - label: Over deze chat\n        next: over\n")  # fmt: skip
    _edit(main_yaml, "\n  - id: bellen\n", "\n  - id: over\n    text: Een korte uitleg.\n"
          "    choices:\n      - label: Terug naar het menu\n        next: menu\n"
          "\n  - id: bellen\n")  # fmt: skip
    _edit(main_yaml, "      - veilig_thuis\n      - veilig_thuis_chat\n", "      - veilig_thuis\n")
    return old, new


@pytest.fixture(scope="module")
def told(changed) -> str:
    old, new = changed
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["flows", "diff", str(old), str(new)]) == 0
    return out.getvalue()


def test_steps_added_and_buttons_rewired(told: str) -> None:
    assert "== Stappen erbij (1)\n\n  main:over: Een korte uitleg.\n" in told
    assert "  main:menu: knop erbij: 'Over deze chat' → main:over\n" in told


def test_rewording_is_shown_side_by_side(told: str) -> None:
    assert "  main:welkom: tekst\n" in told
    row = next(r for r in told.splitlines() if r.startswith("    Hoi. Dit is"))
    assert "| Hallo. Dit is" in row
    assert "  main:menu: knop naar opties:start\n" in told
    row = next(r for r in told.splitlines() if r.startswith("    Mijn opties op een rij"))
    assert row.endswith("| Wat kan ik doen?")


def test_referrals_and_fuzzy_translations(told: str) -> None:
    assert "  main:praten_nl: NL: veilig_thuis, veilig_thuis_chat → " in told
    assert "== Vertalingen die niet meer passen (worden fuzzy)" in told
    assert "  main:welkom: en: de vertaling van 'Hoi. Dit is een anonieme chatbot voor " in told
    row = next(r for r in told.splitlines() if r.startswith("    Hi. This is"))
    assert row.rstrip().endswith("|")  # no translation of the new Dutch yet


def test_goldens_that_change_are_named_with_their_first_turn(told: str) -> None:
    section = told.split("== Gouden gesprekken (tests/transcripts/) die veranderen (", 1)[1]
    count = int(section.split(")", 1)[0])
    assert count >= 10
    assert "eerst beurt 1 (regel " in section


def test_a_directory_change_is_told_field_by_field(tmp_path: Path) -> None:
    old, new = _copy(tmp_path, "old"), _copy(tmp_path, "new")
    referrals = new / "flows" / "referrals.yaml"
    text = referrals.read_text("utf-8")
    start = text.index("\nveilig_thuis:\n")
    name_at = text.index("  name: ", start)
    end = text.index("\n", name_at)
    referrals.write_text(text[:name_at] + "  name: Veilig Thuis (advies)" + text[end:], "utf-8")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert (
            main(["flows", "diff", str(old), str(new), "--no-transcripts", "--format", "md"]) == 0
        )
    told = out.getvalue()
    assert told.startswith("# Wat verandert er in het gesprek\n")
    assert "| `gids:veilig_thuis` | name | " in told and "| Veilig Thuis (advies) |" in told


def test_one_flow_file_against_another(tmp_path: Path, capsys) -> None:
    changed = tmp_path / "main.yaml"
    changed.write_text(
        (ROOT / "flows" / "main.yaml").read_text("utf-8").replace(WELKOM, "Goedendag. " + WELKOM),
        "utf-8",
    )
    assert main(["flows", "diff", str(ROOT / "flows" / "main.yaml"), str(changed),
                 "--no-transcripts"]) == 0  # fmt: skip
    told = capsys.readouterr().out
    assert "  main:welkom: tekst\n" in told
    assert "Stappen erbij" not in told and "Stappen weg" not in told


def test_no_change_says_so(capsys) -> None:
    assert main(["flows", "diff", str(ROOT), str(ROOT), "--no-transcripts"]) == 0
    assert capsys.readouterr().out.endswith("\n\nGeen verschil voor het gesprek.\n")


def test_a_revision_of_this_checkout_is_unpacked(tmp_path: Path) -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    snapshot = open_snapshot("HEAD", tmp_path)
    assert (snapshot.flows / "main.yaml").is_file() and snapshot.name.startswith("HEAD (")


def test_an_unknown_version_is_refused(tmp_path: Path, capsys) -> None:
    with pytest.raises(SnapshotError):
        open_snapshot("no-such-revision", tmp_path)
    assert main(["flows", "diff", "no-such-revision"]) == 2
    assert capsys.readouterr().err.startswith(
        "'no-such-revision' is not a file, a folder or a git revision of "
    )
