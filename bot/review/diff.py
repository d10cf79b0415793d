"""What a change does to the conversation, in a reviewer's terms, not as a diff of YAML.

Two loaded versions are compared step by step: steps added or removed, text reworded, buttons
and routes rewired, hand-offs and directory entries changed, translations that no longer
match. Golden transcripts are compared in bot/review/replay.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.engine.machine import qualify
from bot.engine.model import Choice, Flow, Step
from bot.i18n import Catalogs
from bot.referrals.hours import OpeningHours, describe_hours
from bot.referrals.model import Directory
from bot.regions import REGIONS
from bot.review.words import INTENT

ADDED = "Stappen erbij"
REMOVED = "Stappen weg"
REWORDED = "Anders verwoord"
REWIRED = "Knoppen en wegen anders"
REFERRALS = "Verwijzingen anders"
FUZZY = "Vertalingen die niet meer passen (worden fuzzy)"
TRANSCRIPTS = "Gouden gesprekken (tests/transcripts/) die veranderen"
SECTIONS = (ADDED, REMOVED, REWORDED, REWIRED, REFERRALS, FUZZY, TRANSCRIPTS)


@dataclass(frozen=True, slots=True)
class Item:
    """One change: where, what in one line, and the old and new text when words changed."""

    at: str
    what: str
    old: str = ""
    new: str = ""


@dataclass
class Report:
    old: str
    new: str
    sections: dict[str, list[Item]] = field(default_factory=lambda: {s: [] for s in SECTIONS})

    def add(self, section: str, item: Item) -> None:
        self.sections[section].append(item)

    @property
    def empty(self) -> bool:
        return not any(self.sections.values())


@dataclass(frozen=True, slots=True)
class Version:
    """One side of the comparison, loaded."""

    flows: dict[str, Flow]
    catalogs: Catalogs
    directory: Directory | None


def _where(flow_id: str, target: str) -> str:
    return qualify(flow_id, target) if target else ""


def _choice_target(flow_id: str, choice: Choice) -> str:
    if choice.intent:
        return f"({INTENT.get(choice.intent, choice.intent)})"
    return _where(flow_id, choice.next)


def compare_flows(old: Version, new: Version, report: Report, only: str | None = None) -> None:
    """Steps added, removed, reworded and rewired, and hand-offs that show other lines."""
    for flow_id in sorted(set(old.flows) | set(new.flows)):
        if only and flow_id != only:
            continue
        before = old.flows.get(flow_id)
        after = new.flows.get(flow_id)
        old_steps = before.steps if before else {}
        new_steps = after.steps if after else {}
        for step_id, step in new_steps.items():
            if step_id not in old_steps:
                report.add(ADDED, Item(f"{flow_id}:{step_id}", _summary(step), new=step.text))
        for step_id, step in old_steps.items():
            if step_id not in new_steps:
                report.add(REMOVED, Item(f"{flow_id}:{step_id}", _summary(step), old=step.text))
        for step_id in [s for s in new_steps if s in old_steps]:
            _compare_step(flow_id, old_steps[step_id], new_steps[step_id], report)
            _fuzzy(flow_id, old_steps[step_id], new_steps[step_id], old.catalogs, report)


def _summary(step: Step) -> str:
    first = step.text.strip().splitlines()[0] if step.text.strip() else ""
    if step.route:
        return f"kiest zelf op {step.route.by}"
    return first[:80] + ("…" if len(first) > 80 else "")


def _compare_step(flow_id: str, old: Step, new: Step, report: Report) -> None:
    at = f"{flow_id}:{old.id}"
    if old.text.strip() != new.text.strip():
        report.add(REWORDED, Item(at, "tekst", old.text.strip(), new.text.strip()))
    old_reply = old.free_text.reply if old.free_text else None
    new_reply = new.free_text.reply if new.free_text else None
    if (old_reply or "") != (new_reply or ""):
        report.add(
            REWORDED, Item(at, "antwoord op getypte tekst", old_reply or "", new_reply or "")
        )
    _compare_choices(flow_id, at, old, new, report)
    old_route = dict(old.route.cases) if old.route else {}
    new_route = dict(new.route.cases) if new.route else {}
    for value in sorted(set(old_route) | set(new_route)):
        was = _where(flow_id, old_route.get(value, ""))
        now = _where(flow_id, new_route.get(value, ""))
        if was != now:
            what = f"bij {value}: {was or '(niets)'} → {now or '(niets)'}"
            report.add(REWIRED, Item(at, what))
    old_typed = old.free_text.next if old.free_text else None
    new_typed = new.free_text.next if new.free_text else None
    if old_typed != new_typed:
        what = f"getypte tekst: {old_typed or '(antwoord)'} → {new_typed or '(antwoord)'}"
        report.add(REWIRED, Item(at, what))
    for flag, words in (("end", "einde"), ("forget", "wist het gesprek")):
        if getattr(old, flag) != getattr(new, flag):
            now = "nu" if getattr(new, flag) else "niet meer"
            report.add(REWIRED, Item(at, f"{now}: {words}"))
    for region in REGIONS:
        was, now = old.referral_keys(region), new.referral_keys(region)
        if was != now:
            what = f"{region}: {', '.join(was) or '(geen)'} → {', '.join(now) or '(geen)'}"
            report.add(REFERRALS, Item(at, what))


def _pair_choices(flow_id: str, old: Step, new: Step):
    """Old and new buttons paired: same label and target, then same target (renamed), then
    same label (rewired); the rest were added or removed. Yields (old | None, new | None)."""
    rest_old = [(c, _choice_target(flow_id, c)) for c in old.choices]
    rest_new = [(c, _choice_target(flow_id, c)) for c in new.choices]
    for same in (
        lambda a, b: a[0].label == b[0].label and a[1] == b[1],
        lambda a, b: a[1] == b[1],
        lambda a, b: a[0].label == b[0].label,
    ):
        for pair in list(rest_new):
            match = next((o for o in rest_old if same(o, pair)), None)
            if match is not None:
                rest_old.remove(match)
                rest_new.remove(pair)
                yield match[0], pair[0]
    yield from ((c, None) for c, _ in rest_old)
    yield from ((None, c) for c, _ in rest_new)


def _compare_choices(flow_id: str, at: str, old: Step, new: Step, report: Report) -> None:
    """Buttons renamed, rewired, added or removed, and answers they record."""
    for before, after in _pair_choices(flow_id, old, new):
        if after is None:
            target = _choice_target(flow_id, before)
            report.add(REWIRED, Item(at, f"knop weg: '{before.label}' → {target}"))
            continue
        target = _choice_target(flow_id, after)
        if before is None:
            report.add(REWIRED, Item(at, f"knop erbij: '{after.label}' → {target}"))
            continue
        was = _choice_target(flow_id, before)
        if before.label != after.label:
            report.add(REWORDED, Item(at, f"knop naar {target}", before.label, after.label))
        if was != target:
            report.add(REWIRED, Item(at, f"knop '{after.label}': {was} → {target}"))
        if before.set != after.set:
            report.add(REWIRED, Item(at, f"knop '{after.label}' onthoudt nu {dict(after.set)}"))


def _fuzzy(flow_id: str, old: Step, new: Step, catalogs: Catalogs, report: Report) -> None:
    """Dutch that changed while a translation of the old Dutch existed: it no longer fits."""
    at = f"{flow_id}:{old.id}"
    new_labels = {c.label for c in new.choices}
    changed = [c.label for c in old.choices if c.label not in new_labels]
    if old.text.strip() != new.text.strip():
        changed.insert(0, old.text)
    for was in changed:
        for locale in catalogs.locales[1:]:
            translated = catalogs.pgettext(locale, at, was)
            if translated != was:
                what = f"{locale}: de vertaling van '{_short(was)}'"
                report.add(FUZZY, Item(at, what, translated.strip(), ""))


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 50 else text[:49] + "…"


def compare_catalog_states(old: dict[str, set[str]], new: dict[str, set[str]], report: Report):
    """Entries marked fuzzy in the new catalogs that were not fuzzy before (after i18n update)."""
    for locale in sorted(new):
        for key in sorted(new[locale] - old.get(locale, set())):
            report.add(FUZZY, Item(key, f"{locale}: staat nu op fuzzy in locales/{locale}"))


def compare_directories(old: Directory | None, new: Directory | None, report: Report) -> None:
    """Entries added, retired or changed, field by field, as a coordinator would say it."""
    if old is None or new is None:
        return
    before = {e.key: e for e in old.entries}
    after = {e.key: e for e in new.entries}
    for key in sorted(set(before) | set(after)):
        was, now = before.get(key), after.get(key)
        if was is None:
            report.add(REFERRALS, Item(f"gids:{key}", f"nieuw in de gids: {now.name}"))
            continue
        if now is None:
            report.add(REFERRALS, Item(f"gids:{key}", f"uit de gids: {was.name}"))
            continue
        for name in _ENTRY_FIELDS:
            a, b = getattr(was, name), getattr(now, name)
            if _shown(a) != _shown(b):
                report.add(REFERRALS, Item(f"gids:{key}", name, _shown(a), _shown(b)))


# Fields a man or a reviewer sees; positions in the file are left out.
_ENTRY_FIELDS = (
    "name", "phone", "website", "chat_url", "hours", "free", "anonymous", "emergency", "serves",
    "regions", "languages", "status", "alternative", "when_closed", "last_verified",
    "checked_how", "checked_by", "source",
)  # fmt: skip


def _shown(value) -> str:
    if isinstance(value, OpeningHours):
        return describe_hours(value)
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    return "" if value is None else str(value)
