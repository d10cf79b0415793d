"""The layers hold: the engine does no I/O, and no module imports a layer above its own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "storage")

# What each lower layer may import from the project besides itself. Anything not named here
# (config, runtime, render, channels, commands, ...) is the application on top.
MAY_IMPORT = {
    "bot.lru": set(),  # the one bounded LRU, for every layer's caches
    "bot.problems": set(),
    "bot.shipped": set(),  # where this checkout keeps flows/ and locales/: a path, no reading
    "bot.regions": set(),
    "bot.yaml_mistakes": set(),  # a parser's error in plain words, for the one YAML reader
    "bot.yamlsource": {"bot.problems", "bot.yaml_mistakes"},
    "bot.recognition": {"bot.problems", "bot.yamlsource"},
    "bot.engine": {"bot.problems", "bot.regions", "bot.recognition"},
    "bot.referrals": {"bot.problems", "bot.regions", "bot.shipped", "bot.yamlsource"},
    "storage": {"bot.engine.model", "bot.lru"},  # the Session it keeps; never the application
    "bot.definitions": {
        "bot.problems",
        "bot.regions",
        "bot.yamlsource",
        "bot.recognition",
        "bot.engine",
        "bot.referrals",
        "bot.shipped",
    },
    # Alembic's own script (run by the `alembic` command, never imported by the bot) asks the
    # one settings module for the database URL.
    "storage.migrations.env": {"storage", "bot.engine.model", "bot.lru", "bot.config"},
}
# Everything the engine (and what it imports) may import from outside the project: no os,
# pathlib, io, yaml, sqlalchemy, aiohttp or telegram, so no file, environment, YAML or network.
PURE_LIBRARIES = {
    "__future__",
    "collections",
    "dataclasses",
    "difflib",
    "enum",
    "functools",
    "itertools",
    "logging",
    "math",
    "re",
    "transitions",
    "types",
    "typing",
    "unicodedata",
}
IO_BUILTINS = {"open", "input", "print", "exec", "eval", "compile", "__import__", "breakpoint"}
IO_ATTRIBUTES = {"environ", "getenv"}


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def imports_of(source: str, module: str) -> set[str]:
    """Every module the source imports, anywhere in it (also inside functions), as full names."""
    is_package = MODULES.get(module, Path()).name == "__init__.py"
    package = (module if is_package else module.rpartition(".")[0]).split(".")
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package[: len(package) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in MODULES else base)
    return found


def io_calls(source: str) -> list[str]:
    """Built-ins and attributes that read or write outside the process (open, print, environ)."""
    found = []
    for node in sorted(ast.walk(ast.parse(source)), key=lambda n: getattr(n, "lineno", 0)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in IO_BUILTINS:
                found.append(f"line {node.lineno}: {node.func.id}()")
        elif isinstance(node, ast.Attribute) and node.attr in IO_ATTRIBUTES:
            found.append(f"line {node.lineno}: .{node.attr}")
    return found


def _project(name: str) -> bool:
    return name.split(".")[0] in PACKAGES


def _layer(module: str) -> str | None:
    """The lower layer a module belongs to (longest name that holds it), or None: application."""
    holders = [layer for layer in MAY_IMPORT if module == layer or module.startswith(layer + ".")]
    return max(holders, key=len) if holders else None


def _within(module: str, names: set[str]) -> bool:
    return any(module == name or module.startswith(name + ".") for name in names)


def engine_closure() -> dict[str, set[str]]:
    """Each project module the engine package reaches through imports, with what it imports."""
    todo = [name for name in MODULES if name == "bot.engine" or name.startswith("bot.engine.")]
    seen: dict[str, set[str]] = {}
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen[name] = imports_of(MODULES[name].read_text(encoding="utf-8"), name)
        todo.extend(i for i in seen[name] if i in MODULES)
    return seen


def test_the_engine_and_all_it_imports_do_no_io() -> None:
    closure = engine_closure()
    assert "bot.engine.engine" in closure and "bot.recognition.rules" in closure
    wrong = []
    for name, imported in sorted(closure.items()):
        for other in sorted(imported):
            if not _project(other) and other.split(".")[0] not in PURE_LIBRARIES:
                wrong.append(f"{name} imports {other}")
        wrong.extend(f"{name} {c}" for c in io_calls(MODULES[name].read_text(encoding="utf-8")))
    assert wrong == []


def test_the_engine_reaches_no_file_reader() -> None:
    reached = set(engine_closure())
    for reader in ("bot.yamlsource", "bot.recognition.load", "bot.definitions.bundle"):
        assert reader not in reached


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _layer(m)))
def test_no_import_runs_up_from_a_lower_layer(module: str) -> None:
    layer = _layer(module)
    allowed = {layer, *MAY_IMPORT[layer]}
    imported = imports_of(MODULES[module].read_text(encoding="utf-8"), module)
    upward = sorted(i for i in imported if _project(i) and not _within(i, allowed))
    assert upward == [], f"{module} ({layer}) may import only {sorted(allowed)}"


def test_every_layer_names_modules_that_exist() -> None:
    for layer, allowed in MAY_IMPORT.items():
        for name in {layer, *allowed}:
            assert name in MODULES, name


# The checks above must fail when what they look for is there.


def test_a_file_or_environment_read_is_seen() -> None:
    source = "import os\nfrom pathlib import Path\nx = os.environ['A']\nopen('f')\nprint(1)\n"
    assert imports_of(source, "bot.engine.model") == {"os", "pathlib"}
    assert io_calls(source) == ["line 3: .environ", "line 4: open()", "line 5: print()"]


def test_an_import_inside_a_function_and_a_relative_one_are_seen() -> None:
    source = "def f():\n    from bot.runtime import Runtime\nfrom .machine import qualify\n"
    assert imports_of(source, "bot.engine.engine") == {"bot.runtime", "bot.engine.machine"}
    assert _layer("bot.engine.engine") == "bot.engine"
    assert _layer("bot.runtime") is None
    assert not _within("bot.runtime", MAY_IMPORT["bot.engine"])
    assert _within("bot.engine.model", MAY_IMPORT["storage"])
    assert not _within("bot.engine.engine", MAY_IMPORT["storage"])


def test_test_tooling_lives_in_auxil() -> None:
    """tests/ holds test modules and data; helpers go to tests/auxil so benchmarks import them."""
    loose = sorted(
        path.name
        for path in (ROOT / "tests").glob("*.py")
        if not path.name.startswith("test_") and path.name not in ("conftest.py", "__init__.py")
    )
    assert loose == []
