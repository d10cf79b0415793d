"""docs/design.md stays the map of the tree: what it names exists, and what exists is named."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DESIGN = ROOT / "docs" / "design.md"
DESCRIPTION_COLUMN = 26  # entries start left of it, their descriptions at it
# Every module of these packages is named in the map; of these others, every package.
MODULES_NAMED = ("bot", "storage")
PACKAGES_NAMED = ("bot", "storage", "tests/auxil", "benchmarks")
NOT_MAPPED = ("storage/migrations",)  # Alembic's own layout, named as one folder
_ENTRY = re.compile(r"^( *)(\S+(?:, \S+)*)(?: {2,}(.*))?$")
_PY_NAME = re.compile(r"(?<![\w/<*.-])((?:[\w]+/)*[\w]+\.py)\b")
_FOLDER_NAME = re.compile(r"(?<![\w/<*.-])([a-z_]+/)")


@dataclass
class Entry:
    """One line of the map's tree: a path, and the words that describe it."""

    path: str
    line: int
    words: list[str] = field(default_factory=list)

    @property
    def folder(self) -> str:
        """Where the names in the description live: the entry itself, or its folder."""
        return self.path.rstrip("/") if self.path.endswith("/") else str(Path(self.path).parent)

    @property
    def text(self) -> str:
        return " ".join(self.words)


def read_map(text: str) -> list[Entry]:
    """The entries of the first code block, with paths built from their indentation and the
    file's line numbers."""
    block = text.split("```", 2)[1]
    first = text[: text.index("```")].count("\n") + 2  # the file's line after the fence
    entries: list[Entry] = []
    parents: list[str] = []
    for number, line in enumerate(block.splitlines()[1:], start=first):
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        found = _ENTRY.match(line)
        if indent >= DESCRIPTION_COLUMN or not found:
            if entries:
                entries[-1].words.append(line.strip())
            continue
        depth = indent // 2
        parents = parents[:depth]
        name = found.group(2)
        for part in name.split(", "):
            entries.append(Entry("".join(parents) + part, number, [found.group(3) or ""]))
        if name.endswith("/"):
            parents.append(name)
    return entries


def named_in(entries: list[Entry]) -> tuple[set[str], list[str]]:
    """Every path the map names (entries, and .py or folder names in descriptions), and the
    descriptions' names that point at nothing."""
    named: set[str] = set()
    missing: list[str] = []
    for entry in entries:
        named.add(entry.path.rstrip("/"))
        if not any(ROOT.glob(entry.path.rstrip("/"))):
            missing.append(f"line {entry.line}: {entry.path}")
        for name in _PY_NAME.findall(entry.text) + _FOLDER_NAME.findall(entry.text):
            base = ROOT if "/" in name.rstrip("/") else ROOT / entry.folder
            path = (base / name.rstrip("/")).relative_to(ROOT).as_posix()
            if (ROOT / path).exists():
                named.add(path)
            elif name.endswith(".py"):
                missing.append(f"line {entry.line}: {name} (in {entry.path})")
    return named, missing


def _words_name(entries: list[Entry], module: Path) -> bool:
    """A module is also named by its bare name in its package's description ('model, hours')."""
    package = module.parent.relative_to(ROOT).as_posix()
    return any(
        entry.path.rstrip("/") == package and re.search(rf"\b{module.stem}\b", entry.text)
        for entry in entries
    )


def unnamed(entries: list[Entry]) -> list[str]:
    named, _ = named_in(entries)
    found = []
    for top in PACKAGES_NAMED:
        for init in sorted((ROOT / top).rglob("__init__.py")):
            package = init.parent.relative_to(ROOT).as_posix()
            if package not in named and not package.startswith(NOT_MAPPED):
                found.append(f"{package}/")
    for top in MODULES_NAMED:
        for module in sorted((ROOT / top).rglob("*.py")):
            path = module.relative_to(ROOT).as_posix()
            if module.name in ("__init__.py", "__main__.py") or path.startswith(NOT_MAPPED):
                continue
            if path not in named and not _words_name(entries, module):
                found.append(path)
    return found


def test_every_module_the_map_names_exists() -> None:
    _, missing = named_in(read_map(DESIGN.read_text("utf-8")))
    assert missing == []


def test_every_package_and_module_is_on_the_map() -> None:
    assert unnamed(read_map(DESIGN.read_text("utf-8"))) == []


def test_the_map_is_read_as_a_tree() -> None:
    text = (
        "```\nbot/\n  cli.py                  entry; see bot/render.py\n"
        "  engine/                 pure\n    model.py              data; machine.py too\n"
        "                          and nothing.py\nstorage/                  sessions\n```\n"
    )
    entries = read_map(text)
    assert [e.path for e in entries] == [
        "bot/",
        "bot/cli.py",
        "bot/engine/",
        "bot/engine/model.py",
        "storage/",
    ]
    named, missing = named_in(entries)
    assert {"bot/render.py", "bot/engine/machine.py", "bot/engine/model.py"} <= named
    assert missing == ["line 5: nothing.py (in bot/engine/model.py)"]
