"""Each concern lives in one place: one bounded LRU, one HTTP session for Telegram, no private
imports from libraries. A second copy of any of these fails here, naming the module."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ("bot", "storage")


def sources() -> dict[str, ast.Module]:
    found = {}
    for package in PROJECT:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[str(path.relative_to(ROOT))] = ast.parse(path.read_text(encoding="utf-8"))
    return found


SOURCES = sources()


def imported_names(tree: ast.Module) -> set[str]:
    """Every 'module' and 'module.name' the tree imports."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def called_names(tree: ast.Module) -> set[str]:
    """The last part of every name called: f(), a.b.f() -> 'f'."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                names.add(func.attr)
            elif isinstance(func, ast.Name):
                names.add(func.id)
    return names


def test_no_private_import_from_a_library() -> None:
    """telegram._utils and the like change without notice between releases."""
    private = {
        f"{path}: {name}"
        for path, tree in SOURCES.items()
        for name in imported_names(tree)
        if name.split(".")[0] not in PROJECT
        and any(part.startswith("_") and part != "__future__" for part in name.split("."))
    }
    assert private == set()


def test_one_bounded_lru() -> None:
    """Every cache and per-chat table is a bot.lru.BoundedLRU, so each one is bounded alike."""
    lru_tools = {"collections.OrderedDict", "functools.lru_cache", "functools.cache"}
    users = {path for path, tree in SOURCES.items() if imported_names(tree) & lru_tools} | {
        path for path, tree in SOURCES.items() if "lru_entry" in called_names(tree)
    }
    assert users == {"bot/lru.py"}


def test_one_token_bucket() -> None:
    """Send caps, group pace and flood gates all use bot.channels.pacing.TokenBucket."""
    makers = {path for path, tree in SOURCES.items() if "TokenBucket" in called_names(tree)}
    assert makers == {
        "bot/channels/ordering.py",
        "bot/channels/telegram/botapi.py",
        "bot/channels/workers.py",  # the shared cap's own pace while the database is away
    }
    buckets = {
        f"{path}: {node.name}"
        for path, tree in SOURCES.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef) and ("Bucket" in node.name or "Pacer" in node.name)
    }
    assert buckets == {"bot/channels/pacing.py: TokenBucket"}


def test_one_http_session_reaches_telegram() -> None:
    """Every Bot API call (start-up, getUpdates, replies) goes through one pooled session."""
    openers = {path for path, tree in SOURCES.items() if "ClientSession" in called_names(tree)}
    assert openers == {"bot/channels/telegram/transport.py"}
