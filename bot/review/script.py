"""The script as a reviewer reads it: each step's words, buttons, targets, cards and sources.

Built once from the loaded flows, the catalogs and the directory; the HTML, Markdown and
drawing writers only lay it out, so all three say the same thing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.engine.machine import qualify
from bot.engine.model import Flow, Step
from bot.i18n import SOURCE_LOCALE, Catalogs, referral_context
from bot.referrals.cards import card_text, resolve_cards
from bot.referrals.hours import describe_hours
from bot.referrals.model import Directory
from bot.regions import REGIONS
from bot.review import words
from bot.review.mermaid import kind_of
from bot.review.sources import Passage, Sources

DAYS = {"mon": "ma", "tue": "di", "wed": "wo", "thu": "do", "fri": "vr", "sat": "za", "sun": "zo"}


@dataclass(frozen=True, slots=True)
class Target:
    """Where a button leads: a step (maybe in another flow) or what an intent does."""

    words: str  # what the reviewer reads: "menu", "praten in main", "terug naar waar hij was"
    at: str | None = None  # "flow:step" to link to, when it is a step


@dataclass(frozen=True, slots=True)
class ChoiceView:
    label: str
    target: Target
    records: tuple[str, ...] = ()  # "onthoudt regio = NL"


@dataclass(frozen=True, slots=True)
class CardView:
    title: str
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CardGroup:
    regions: str  # "elke regio" or "NL, BE-VLG"
    cards: tuple[CardView, ...]


@dataclass(frozen=True, slots=True)
class StepView:
    at: str
    id: str
    kind: str  # a key of words.KIND
    line: int
    text: str
    translated: bool  # False when the chosen language has no translation and Dutch is shown
    note: str
    rests_on: tuple[str, ...]
    passages: tuple[Passage, ...]
    choices: tuple[ChoiceView, ...]
    route: tuple[tuple[str, Target], ...]
    route_by: str
    typed: str
    cards: tuple[CardGroup, ...]
    end: bool
    forget: bool


@dataclass(frozen=True, slots=True)
class FlowView:
    id: str
    title: str
    file: str
    start: str
    steps: tuple[StepView, ...]


@dataclass(frozen=True, slots=True)
class Document:
    """Everything a reviewer reads, in one language: what every output format is made from."""

    intro: str
    flows: tuple[FlowView, ...]
    drawings: dict[str, str]  # flow id -> Mermaid text ('' for the system messages)
    locale: str


def target_of(
    flow: Flow, next_: str, intent: str | None, goto: Callable[[str], str | None]
) -> Target:
    """A button's destination in words; an intent is named and, if it goes to a step, linked."""
    if intent:
        return Target(words.INTENT.get(intent, intent), goto(intent))
    at = qualify(flow.id, next_)
    other, step = at.split(":", 1)
    if other == flow.id:
        return Target(step, at)
    return Target(f"{step} {words.OTHER_FLOW.format(flow=other)}", at)


@dataclass(frozen=True, slots=True)
class ScriptReader:
    """Turns loaded flows into FlowViews in one language, with cards at one moment."""

    catalogs: Catalogs
    directory: Directory | None
    sources: Sources
    locale: str
    moment: datetime
    goto: Callable[[str], str | None]  # intent -> the step it goes to, if any

    def flow(self, flow: Flow) -> FlowView:
        steps = tuple(self.step(flow, step) for step in flow.steps.values())
        return FlowView(flow.id, flow.title, flow.file, flow.start, steps)

    def _tr(self, context: str, text: str) -> tuple[str, bool]:
        if self.locale == SOURCE_LOCALE or not text:
            return text, True
        found = self.catalogs.pgettext(self.locale, context, text)
        return found, found != text

    def step(self, flow: Flow, step: Step) -> StepView:
        at = f"{flow.id}:{step.id}"
        text, translated = self._tr(at, step.text)
        choices = tuple(
            ChoiceView(
                self._tr(at, c.label)[0],
                target_of(flow, c.next, c.intent, self.goto),
                tuple(words.RECORDS.format(answer=k, value=v) for k, v in c.set),
            )
            for c in step.choices
        )
        route = tuple(
            (words.OTHERWISE if value == "default" else value, target_of(flow, t, None, self.goto))
            for value, t in (step.route.cases if step.route else ())
        )
        typed = ""
        if step.free_text and step.free_text.next:
            typed = target_of(flow, step.free_text.next, None, self.goto).words
        elif step.free_text and step.free_text.reply:
            reply = self._tr(at, step.free_text.reply)[0]
            typed = words.TYPED_REPLY.format(reply=reply)
        by = step.route.by if step.route else ""
        return StepView(
            at=at,
            id=step.id,
            kind=kind_of(flow, step),
            line=step.where.line if step.where else 0,
            text=text,
            translated=translated,
            note=step.note,
            rests_on=self.sources.for_step(at),
            passages=tuple(self.sources.passages(step.note)),
            choices=choices,
            route=route,
            route_by=words.ROUTE_BY.get(by, by),
            typed=typed,
            cards=self.cards(step),
            end=step.end,
            forget=step.forget,
        )

    def cards(self, step: Step) -> tuple[CardGroup, ...]:
        """The step's cards per group of regions that see the same keys."""
        if not step.referrals or self.directory is None:
            return ()
        by_keys: dict[tuple[str, ...], list[str]] = {}
        for region in REGIONS:
            by_keys.setdefault(step.referral_keys(region), []).append(region)
        groups = []
        for keys, regions in by_keys.items():
            label = words.ALL_REGIONS if len(by_keys) == 1 else ", ".join(regions)
            groups.append(CardGroup(label, self._cards(keys, regions[0])))
        return tuple(groups)

    def _cards(self, keys: tuple[str, ...], region: str) -> tuple[CardView, ...]:
        locale = self.catalogs.format_locale(self.locale)

        def gettext(msgid: str) -> str:
            return self.catalogs.pgettext(self.locale, "referrals", msgid)

        def entry_text(key: str, text: str) -> str:
            return self.catalogs.pgettext(self.locale, referral_context(key), text)

        views = []
        for card in resolve_cards(self.directory, keys, region, self.moment):
            shown = card_text(card, locale, gettext, entry_text)
            hours = card.entry.hours
            extra = (f"Uren: {dutch_hours(describe_hours(hours))}",) if hours else ()
            views.append(CardView(shown.title, (*shown.lines, *extra, *_links(shown.links))))
        return tuple(views)


def _links(links: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    return tuple(f"{label}: {url}" for label, url in links)


def dutch_hours(text: str) -> str:
    """'mon-fri 09:00-17:00' as a Dutch reader writes it: 'ma-vr 09:00-17:00'."""
    for code, dutch in DAYS.items():
        text = text.replace(code, dutch)
    return text.replace("always closed", "altijd dicht")
