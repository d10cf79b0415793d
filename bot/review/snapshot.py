"""One version of the script to compare: a git revision, a folder, or one flow file.

A revision is unpacked with `git archive` into a temporary folder (flows, translations and
golden transcripts only); the working tree is read where it is.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bot.definitions.bundle import DEFAULT_FLOWS_DIR

ROOT = DEFAULT_FLOWS_DIR.parent
PARTS = ("flows", "locales", "tests/transcripts")
WORKING_TREE = "."


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Where one version's files are, and how to name it to a reviewer."""

    name: str
    root: Path  # holds flows/, locales/ and tests/transcripts/ (some may be missing)
    only_flow: str | None = None  # a single flow file was given: compare that flow alone

    @property
    def flows(self) -> Path:
        return self.root / "flows"

    @property
    def locales(self) -> Path:
        return self.root / "locales"

    @property
    def transcripts(self) -> Path:
        return self.root / "tests" / "transcripts"

    @property
    def referrals(self) -> Path:
        return self.flows / "referrals.yaml"


class SnapshotError(Exception):
    """The version cannot be found: not a file, folder or git revision of this checkout."""


def open_snapshot(spec: str, scratch: Path, root: Path = ROOT, base: Snapshot | None = None):
    """`spec` as a Snapshot; revisions and single files are laid out under `scratch`."""
    path = Path(spec)
    if spec == WORKING_TREE:
        return Snapshot("de werkkopie", root)
    if path.is_dir():
        if (path / "flows").is_dir():
            return Snapshot(str(path), path)
        return _with_flows(str(path), scratch, root, flows=path)
    if path.is_file():
        return _with_flows(str(path), scratch, base.root if base else root, flow_file=path)
    return _revision(spec, scratch, root)


def _with_flows(
    name: str, scratch: Path, root: Path, flows: Path | None = None, flow_file: Path | None = None
) -> Snapshot:
    """A copy of `root`'s files with its flows folder, or one flow file, replaced."""
    target = scratch / f"s{len(list(scratch.iterdir()))}"
    for part in PARTS:
        if (root / part).is_dir():
            shutil.copytree(root / part, target / part)
    if flows is not None:
        shutil.rmtree(target / "flows", ignore_errors=True)
        shutil.copytree(flows, target / "flows")
        return Snapshot(name, target)
    assert flow_file is not None
    shutil.copy(flow_file, target / "flows" / _flow_file_name(flow_file))
    return Snapshot(name, target, only_flow=_flow_file_name(flow_file).removesuffix(".yaml"))


def _flow_file_name(path: Path) -> str:
    """The flow's own file name: its `flow:` line, else the file's name."""
    for row in path.read_text("utf-8", errors="replace").splitlines():
        if row.startswith("flow:"):
            return row.split(":", 1)[1].split("#")[0].strip() + ".yaml"
    return path.name


def _revision(spec: str, scratch: Path, root: Path) -> Snapshot:
    found = _git(root, "rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}")
    if found is None:
        raise SnapshotError(
            f"'{spec}' is not a file, a folder or a git revision of {root} "
            "(try HEAD, HEAD~1, main or a commit hash)"
        )
    commit = found.decode().strip()
    target = scratch / f"s{len(list(scratch.iterdir()))}"
    target.mkdir(parents=True)
    for part in PARTS:
        data = _git(root, "archive", "--format=tar", commit, "--", part)
        if data:
            with tarfile.open(fileobj=io.BytesIO(data)) as tar:
                tar.extractall(target, filter="data")
    return Snapshot(f"{spec} ({commit[:10]})", target)


def _git(root: Path, *args: str) -> bytes | None:
    """git's output, or None when git says no (or there is no git)."""
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False)
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


def scratch_folder() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="firstcontact-diff-")


def fuzzy_entries(locales: Path) -> dict[str, set[str]]:
    """locale -> 'flow:step' of each catalog entry marked fuzzy (it needs a translator)."""
    from babel.messages.pofile import read_po

    found: dict[str, set[str]] = {}
    for po in sorted(locales.glob("*/LC_MESSAGES/*.po")) if locales.is_dir() else ():
        with po.open("rb") as handle:
            catalog = read_po(handle)
        found[po.parts[-3]] = {
            f"{m.context or ''}: {m.id}"[:120] for m in catalog if m.id and m.fuzzy
        }
    return found
