"""What a directory change does to the conversation: the bot's own flow checks, and the cards
each step shows before and after, so a coordinator sees it before saving."""

from __future__ import annotations

import difflib
import textwrap
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.engine.model import Flow, Step
from bot.problems import Problem, errors
from bot.referrals.cards import render_card_text, resolve_cards
from bot.referrals.model import Directory
from bot.regions import REGIONS

ZONE = ZoneInfo("Europe/Amsterdam")  # NL and BE share it
SAMPLE_HOURS = (3, 12, 20)  # night, midday, evening: where opening hours differ


_LOADED: dict[Path, tuple[tuple, tuple]] = {}


def _stamp(folder: Path) -> tuple:
    """Every file under the folder with its size and time: a change makes a new stamp."""
    found = []
    for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
        if path.is_file() and path.name != "referrals.yaml":
            info = path.stat()
            found.append((str(path), info.st_mtime_ns, info.st_size))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class StepChange:
    """One step whose cards change in some regions, at the first moment they differ."""

    step: str  # flow:step
    regions: tuple[str, ...]
    at: datetime | None  # None: right now
    removed: tuple[str, ...]
    added: tuple[str, ...]


class FlowUse:
    """The flows, loaded once, as the running bot holds them: to check and preview a change."""

    def __init__(self, flows: dict[str, Flow], intents):
        self.flows = flows
        self.intents = intents

    @classmethod
    def load(cls, flows_dir: Path) -> tuple[FlowUse | None, list[Problem]]:
        """The flows, or None with the problems that stop them loading (kept while no file
        under the folder changes: the recognition model takes seconds to read)."""
        from bot.definitions.bundle import load_all

        stamp = _stamp(flows_dir)
        found = _LOADED.get(flows_dir.resolve())
        if found is not None and found[0] == stamp:
            return found[1]
        flows, intents, problems = load_all(flows_dir)
        result = (None, errors(problems))
        if not errors(problems) and intents is not None:
            result = (cls(flows, intents), [])
        _LOADED[flows_dir.resolve()] = (stamp, result)
        return result

    def refusals(self, directory: Directory) -> list[Problem]:
        """What the running bot refuses in a new directory: the checks it runs on reload."""
        from bot.definitions.checks import check_flows
        from bot.runtime import facts_of

        return errors(check_flows(self.flows, self.intents, facts_of(directory)))

    def steps(self) -> list[tuple[str, Step]]:
        return [(f"{f.id}:{s.id}", s) for f in self.flows.values() for s in f.steps.values()]

    def preview(
        self, before: Directory, after: Directory, keys: set[str], now: datetime
    ) -> list[StepChange]:
        """Steps whose cards change, grouped by region when the change is the same."""
        moments = [now, *_sample_moments(now)]
        found: dict[tuple[str, datetime | None, tuple, tuple], list[str]] = {}
        for name, step in self.steps():
            for region in REGIONS:
                shown = step.referral_keys(region)
                if not shown or not (_reach(before, shown) | _reach(after, shown)) & keys:
                    continue
                diff = _first_difference(before, after, shown, region, moments)
                if diff is not None:
                    at, removed, added = diff
                    key = (name, None if at is now else at, removed, added)
                    found.setdefault(key, []).append(region)
        return [StepChange(k[0], tuple(r), k[1], k[2], k[3]) for k, r in found.items()]


def describe_preview(changes: list[StepChange]) -> list[str]:
    """Lines for the terminal: each change of card lines once, then the steps that show it."""
    groups: dict[tuple, list[StepChange]] = {}
    for change in changes:
        groups.setdefault((change.at, change.removed, change.added), []).append(change)
    lines: list[str] = []
    for (at, removed, added), found in groups.items():
        when = "now" if at is None else at.strftime("%A %H:%M")
        lines.append(f"  {when}:")
        lines.extend(f"    - {line}" for line in removed)
        lines.extend(f"    + {line}" for line in added)
        steps = ", ".join(f"{c.step} ({', '.join(c.regions)})" for c in found)
        lines.extend(
            textwrap.wrap(
                f"on {len(found)} step(s): {steps}",
                width=100,
                initial_indent="    ",
                subsequent_indent="      ",
                break_on_hyphens=False,
            )
        )
    return lines


def _reach(directory: Directory, keys: tuple[str, ...]) -> set[str]:
    """The keys a step shows and every entry its cards can bring along."""
    seen: set[str] = set()
    todo = list(keys)
    while todo:
        key = todo.pop()
        entry = directory.get(key)
        if key in seen or entry is None:
            seen.add(key)
            continue
        seen.add(key)
        todo.extend(k for k in (entry.alternative, entry.when_closed) if k)
    return seen


def _first_difference(before, after, keys, region, moments):
    for moment in moments:
        old = _card_lines(before, keys, region, moment)
        new = _card_lines(after, keys, region, moment)
        if old != new:
            diff = list(difflib.ndiff(old, new))
            removed = tuple(line[2:] for line in diff if line.startswith("- "))
            added = tuple(line[2:] for line in diff if line.startswith("+ "))
            return moment, removed, added
    return None


def _card_lines(directory: Directory, keys, region, moment: datetime) -> list[str]:
    cards = resolve_cards(directory, keys, region, moment)
    return [line for card in cards for line in render_card_text(card).splitlines()]


def _sample_moments(now: datetime) -> list[datetime]:
    """A week of nights, middays and evenings from tomorrow, in Dutch and Belgian time."""
    day = now.astimezone(ZONE).date()
    return [
        datetime(d.year, d.month, d.day, hour, tzinfo=ZONE)
        for d in (day + timedelta(days=i) for i in range(1, 8))
        for hour in SAMPLE_HOURS
    ]
