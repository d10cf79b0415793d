"""`flows check` passes on the shipped flows and fails on each broken fixture with exactly the
errors its header lists, whole messages with file and line (as goflow's TestBrokenFlows)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from bot.definitions.bundle import DEFAULT_FLOWS_DIR, check_all
from bot.problems import ERROR
from bot.runtime import directory_facts, message_length

BROKEN = sorted((Path(__file__).parent / "fixtures" / "broken_flows").glob("*.yaml"))


def _header(path: Path) -> dict[str, str]:
    found = re.findall(r"^# ([a-z-]+): (.*)$", path.read_text("utf-8"), re.MULTILINE)
    return dict(found)


def _expected_errors(path: Path) -> list[str]:
    """The '# error: extra.yaml:LINE: message' lines of a fixture, in order."""
    return re.findall(r"^# error: (.*)$", path.read_text("utf-8"), re.MULTILINE)


def _flows_with(tmp_path: Path, fixture: Path) -> Path:
    """A copy of the shipped flows plus the fixture as flows/extra.yaml."""
    flows = tmp_path / "flows"
    shutil.copytree(DEFAULT_FLOWS_DIR, flows)
    shutil.copy(fixture, flows / "extra.yaml")
    if _header(fixture).get("links-from-main") == "true":
        yaml = YAML(typ="rt")
        main = yaml.load((flows / "main.yaml").read_text("utf-8"))
        menu = next(s for s in main["steps"] if s["id"] == "menu")
        menu["choices"].append({"label": "Extra", "next": "extra:begin"})
        with (flows / "main.yaml").open("w", encoding="utf-8") as fh:
            yaml.dump(main, fh)
    return flows


@pytest.fixture(scope="module")
def facts():
    facts, problems = directory_facts(None)
    assert not [p for p in problems if p.level == ERROR], problems
    return facts


def test_shipped_flows_pass(facts) -> None:
    flows, intents, problems = check_all(DEFAULT_FLOWS_DIR, facts, message_length(facts))
    assert intents is not None and "main" in flows
    assert [str(p) for p in problems if p.level == ERROR] == []


@pytest.mark.parametrize("fixture", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_fixture_gives_exactly_its_errors(tmp_path: Path, fixture: Path, facts) -> None:
    flows_dir = _flows_with(tmp_path, fixture)
    _, _, problems = check_all(flows_dir, facts, message_length(facts))
    errors = [
        f"{Path(p.where.file).name if p.where else '-'}:{p.where.line if p.where else 0}: "
        f"{p.message}"
        for p in problems
        if p.level == ERROR
    ]
    assert errors == _expected_errors(fixture)


def test_every_fixture_has_expectations() -> None:
    assert len(BROKEN) >= 10
    for fixture in BROKEN:
        expected = _expected_errors(fixture)
        assert expected and all(e.startswith("extra.yaml:") for e in expected), fixture


def test_missing_flows_folder(tmp_path: Path) -> None:
    _, _, problems = check_all(tmp_path / "nope")
    assert [str(p) for p in problems] == [
        f"error: the flows folder {tmp_path / 'nope'} does not exist"
    ]
