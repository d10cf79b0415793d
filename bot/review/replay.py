"""Golden transcripts replayed against the new script: which would change, and how.

Each transcript of the old version is played through the engine with the new flows,
translations and directory; where a reply differs from what the transcript holds, the
reviewer sees the first turn that differs, old and new side by side.
"""

from __future__ import annotations

from pathlib import Path

from bot.problems import DataError
from bot.review.diff import TRANSCRIPTS, Item, Report
from bot.runtime import Runtime
from bot.transcripts import FORGOTTEN, play


def _text(replies) -> str:
    """A turn's replies as the man reads them, buttons in brackets."""
    parts = []
    for reply in replies or []:
        if not isinstance(reply, dict):
            parts.append(FORGOTTEN if str(reply) == FORGOTTEN else str(reply))
            continue
        buttons = " ".join(f"[{b}]" for b in reply.get("buttons") or [])
        parts.append(str(reply.get("text", "")).strip() + (f"\n{buttons}" if buttons else ""))
    return "\n\n".join(parts)


def replay_transcripts(folder: Path, runtime: Runtime, report: Report, relative_to: Path) -> int:
    """Play every transcript in `folder` with `runtime`; report each that would change."""
    played_count = 0
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
        name = str(path.relative_to(relative_to)) if path.is_relative_to(relative_to) else path.name
        played_count += 1
        try:
            played, _ = play(path, runtime)
        except DataError as exc:
            problem = exc.problems[0] if exc.problems else None
            where = f" (beurt op regel {problem.where.line})" if problem and problem.where else ""
            message = problem.message if problem else "kan niet worden afgespeeld"
            report.add(TRANSCRIPTS, Item(name, f"loopt vast{where}: {message}"))
            continue
        failures = played.failures
        if not failures:
            continue
        first = failures[0]
        what = (
            f"{len(failures)} van {len(played.results)} beurten anders; "
            f"eerst beurt {first.index + 1} (regel {first.where.line})"
        )
        report.add(TRANSCRIPTS, Item(name, what, _text(first.expected), _text(first.actual)))
    return played_count
