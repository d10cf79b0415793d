"""Plain data the engine works on: flows as loaded from YAML, sessions, events and replies.

Nothing here does I/O. Every class is a small slotted dataclass so a session costs a few
hundred bytes and a flow can be compiled once and shared by every conversation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.problems import Where
from bot.regions import DEFAULT_REGION_KEY, region_chain


@dataclass(frozen=True, slots=True)
class Choice:
    """One button: its label (Dutch msgid), the step it leads to, answers it records."""

    label: str
    next: str  # "step" or "flow:step"; empty when the choice calls an intent
    set: tuple[tuple[str, str], ...] = ()
    where: Where | None = None
    intent: str | None = None  # back, menu, stop, help, language, emergency


@dataclass(frozen=True, slots=True)
class RegionReferrals:
    """Referral keys that depend on the session's region ({"NL": (...), "default": (...)})."""

    by_region: tuple[tuple[str, tuple[str, ...]], ...]

    def keys_for(self, region: str | None) -> tuple[str, ...]:
        table = dict(self.by_region)
        for code in region_chain(region):
            if code in table:
                return table[code]
        return ()

    def all_keys(self) -> tuple[str, ...]:
        return tuple(k for _, keys in self.by_region for k in keys)


ReferralItem = str | RegionReferrals


@dataclass(frozen=True, slots=True)
class Route:
    """An automatic branch on a session field (region or a recorded answer); no message shown."""

    by: str
    cases: tuple[tuple[str, str], ...]  # value -> next; value "default" catches the rest

    def target(self, value: str | None) -> str:
        table = dict(self.cases)
        if self.by == "region":
            for code in region_chain(value):
                if code in table:
                    return table[code]
        elif value is not None and value in table:
            return table[value]
        return table[DEFAULT_REGION_KEY]


@dataclass(frozen=True, slots=True)
class FreeText:
    """What a step does with typed text that is not a choice: go on, or say something."""

    next: str | None = None
    reply: str | None = None  # msgid; the current choices are shown again after it


@dataclass(frozen=True, slots=True)
class Step:
    """One message of a flow and what can follow it."""

    id: str
    text: str = ""  # Dutch msgid; context is "flow:step"
    choices: tuple[Choice, ...] = ()
    referrals: tuple[ReferralItem, ...] = ()
    route: Route | None = None
    free_text: FreeText | None = None
    end: bool = False
    forget: bool = False
    where: Where | None = None
    note: str = ""  # for reviewers (flows render); the bot never shows it

    @property
    def is_handoff(self) -> bool:
        return bool(self.referrals)

    def referral_keys(self, region: str | None) -> tuple[str, ...]:
        """The directory keys this step shows for a region, in order, without repeats."""
        keys: list[str] = []
        for item in self.referrals:
            found = (item,) if isinstance(item, str) else item.keys_for(region)
            keys.extend(k for k in found if k not in keys)
        return tuple(keys)


@dataclass(frozen=True, slots=True)
class Flow:
    """A conversation script from one YAML file."""

    id: str
    title: str
    start: str
    steps: dict[str, Step]
    answers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # allowed answer values
    file: str = ""
    version: str = ""  # short content hash; tags buttons so stale ones are recognised


@dataclass(slots=True)
class Session:
    """All the bot keeps about a conversation: where it is, never who it is with.

    No names, ids or typed text: only flow, step, locale, region, the declared routing
    answers, a short back-stack and timestamps (seconds since the epoch).
    """

    flow: str
    step: str
    locale: str = "nl"
    region: str | None = None
    answers: dict[str, str] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)  # "flow:step", newest last, bounded
    created: float = 0.0
    updated: float = 0.0

    @property
    def at(self) -> str:
        return f"{self.flow}:{self.step}"

    def copy(self, updated: float) -> Session:
        """A copy to change: the engine never mutates the session it was given."""
        return Session(
            self.flow,
            self.step,
            self.locale,
            self.region,
            dict(self.answers),
            list(self.history),
            self.created,
            updated,
        )


# ---- events: what a channel hands the engine -------------------------------------------


@dataclass(frozen=True, slots=True)
class Start:
    """/start or a first contact: begin again from the greeting, in the client's language
    if the bot has it ('en-GB' -> 'en'); otherwise in Dutch."""

    locale: str | None = None


@dataclass(frozen=True, slots=True)
class Text:
    """Typed text; matched against intents and choices, never stored."""

    text: str


@dataclass(frozen=True, slots=True)
class Press:
    """A button: the step and flow version it was shown for, and the choice's index."""

    at: str  # "flow:step" the button belonged to
    index: int
    version: str = ""


@dataclass(frozen=True, slots=True)
class Intent:
    """A global action chosen by command or button: emergency, stop, back, menu, help, language."""

    name: str
    arg: str | None = None


@dataclass(frozen=True, slots=True)
class Unsupported:
    """Anything that is not text or a button: sticker, photo, contact, location, ..."""

    kind: str  # "sticker", "photo", "contact", "location", "voice", ...


Event = Start | Text | Press | Intent | Unsupported


# ---- replies: what the engine hands back --------------------------------------------------


@dataclass(frozen=True, slots=True)
class Button:
    """A choice as shown: label msgid with its context, and what pressing it sends back."""

    label: str
    context: str
    event: Press | Intent


@dataclass(frozen=True, slots=True)
class Say:
    """One message: text msgid (translated with `context`), referral cards, then buttons."""

    text: str
    context: str
    referrals: tuple[str, ...] = ()
    buttons: tuple[Button, ...] = ()
    region: str | None = None
    locale: str = "nl"
    urgent: bool = False  # an answer to danger or crisis: channels send it before anything else


@dataclass(frozen=True, slots=True)
class Forget:
    """The session must be deleted now, with the channel's traces where it can."""


Reply = Say | Forget
