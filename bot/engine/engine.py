"""The conversation engine: resume(session, event, now) -> (session, replies), with no I/O.

Channels turn their input into events and render the replies; the engine never sees Telegram,
a terminal or a database, so every path can be tested and replayed exactly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from bot.engine.intents import ALARMS, IntentMatch, Intents, normalise
from bot.engine.machine import FREE_TEXT, ROUTE, CompiledFlow, choice_trigger, qualify
from bot.engine.model import (
    Button,
    Event,
    Forget,
    Intent,
    Press,
    Reply,
    Say,
    Session,
    Start,
    Step,
    Text,
    Unsupported,
)
from bot.recognition.rules import Verdict

log = logging.getLogger(__name__)

SYSTEM = "system"
MAIN = "main"
HISTORY_LIMIT = 12
MAX_TOPIC_BUTTONS = 3  # offered under typed text nobody could place
LEARNED_TOPIC_FIRST = 100.0  # a learned topic guess goes before every half-named one
MAX_ROUTE_HOPS = 16
PRIVATE_KINDS = frozenset({"contact", "location", "venue", "live_location"})
# Each language named in itself, so a man finds his own whatever language the screen is in.
LANGUAGE_NAMES = {
    "nl": "Nederlands",
    "en": "English",
    "fr": "Français",
    "ar": "العربية",
    "tr": "Türkçe",
    "pl": "Polski",
}

TRANSLATION_NOTE = "vertaling"  # optional system step: this language is not reviewed yet

# System messages every flow set must define (steps of flows/system.yaml).
SYSTEM_STEPS = (
    "unknown_text",
    "stale_button",
    "expired",
    "unsupported",
    "unsupported_private",
    "at_start",
    "language",
    "language_switched",
    "menu_button",
)


def _urgent(say: Say) -> Say:
    """The same message marked as an answer to danger, so channels send it first."""
    return replace(say, urgent=True)


class Engine:
    """Compiled flows plus intents; one instance serves every conversation."""

    def __init__(
        self,
        flows: dict[str, CompiledFlow],
        intents: Intents,
        *,
        main: str = MAIN,
        locales: tuple[str, ...] = ("nl",),
        default_locale: str = "nl",
        translate: Callable[[str, str, str], str] | None = None,
        unreviewed: frozenset[str] = frozenset(),
    ):
        self.flows = flows
        self.intents = intents
        self.main = main
        self.locales = locales
        self.default_locale = default_locale
        # languages no native speaker has reviewed (the catalog header says): he is told so
        self.unreviewed = unreviewed
        # (locale, context, Dutch text) -> text as shown; lets typed labels match in any language
        self.translate = translate or (lambda locale, context, msgid: msgid)
        self.system = flows[SYSTEM].flow if SYSTEM in flows else None
        emergency = intents.specs.get("emergency")
        self._emergency_button = emergency.button if emergency else None
        self._button_cache: dict[tuple[str, str], tuple[Button, ...]] = {}
        # (id(step), locale) -> normalised label -> choice index
        self._label_cache: dict[tuple[int, str], dict[str, int]] = {}
        self._emergency_step = qualify(main, emergency.goto) if emergency and emergency.goto else ""

    # ---- public -----------------------------------------------------------------------

    def _supported(self, locale: str | None) -> str | None:
        """One of our languages for a tag ('fr-BE' -> 'fr'); channels negotiate a client's
        full preference (bot/languages.py, in the turn) before the engine sees it."""
        code = (locale or "").replace("_", "-").split("-")[0].lower()
        return code if code in self.locales else None

    def new_session(self, now: float, locale: str | None = None) -> Session:
        start = self.flows[self.main].flow.start
        return Session(
            flow=self.main,
            step=start,
            locale=locale or self.default_locale,
            created=now,
            updated=now,
        )

    def begin(
        self,
        now: float,
        *,
        flow: str | None = None,
        locale: str | None = None,
        region: str | None = None,
    ) -> tuple[Session, list[Reply]]:
        """A new conversation at a flow's start, locale and region preset (terminal, tests)."""
        session = self.new_session(now, self._supported(locale))
        session.region = region
        if flow:
            if flow not in self.flows or flow == SYSTEM:
                raise KeyError(f"there is no flow '{flow}'")
            session.flow, session.step = flow, self.flows[flow].flow.start
        return session, self._enter(session, session.at, push=False)

    def resume(
        self, session: Session | None, event: Event, now: float, language: str | None = None
    ) -> tuple[Session | None, list[Reply]]:
        """Apply one event; returns the new session (None once forgotten) and what to say.

        `language` is the language his client asked for, already negotiated by the turn
        (bot/languages.py); it only sets the language of a conversation that starts now.
        """
        fresh = session is None or isinstance(event, Start)
        # /start always begins cleanly; otherwise work on a copy, never the caller's session
        if fresh:
            wanted = (event.locale if isinstance(event, Start) else None) or language
            session = self.new_session(now, self._supported(wanted))
        else:
            session = session.copy(updated=now)
            if not self._exists(session.at):
                # Saved before a flow change removed its step: start again, keep his choices.
                log.info("session at a step that no longer exists; starting again")
                fresh_session = self.new_session(now, session.locale)
                fresh_session.region, fresh_session.created = session.region, session.created
                return fresh_session, [
                    self._system(fresh_session, "expired"),
                    *self._enter(fresh_session, fresh_session.at, push=False),
                ]
            session.history = [at for at in session.history if self._exists(at)]
        if isinstance(event, Start):
            return session, self._enter(session, session.at, push=False)
        if isinstance(event, Text):
            return self._on_text(session, event.text, fresh)
        if isinstance(event, Press):
            if fresh:
                return session, [
                    self._system(session, "expired"),
                    *self._enter(session, session.at, push=False),
                ]
            return self._on_press(session, event)
        if isinstance(event, Intent):
            return self._on_intent(session, IntentMatch(event.name, event.arg), fresh)
        if isinstance(event, Unsupported):
            name = "unsupported_private" if event.kind in PRIVATE_KINDS else "unsupported"
            return session, [self._again(session, name)]
        raise TypeError(f"not an engine event: {type(event).__name__}")

    def show(self, session: Session) -> list[Reply]:
        """What the step he is at says, without moving: for a channel that lost what it showed
        (a web page opened again after the server restarted). Nothing for a forgetting step."""
        if not self._exists(session.at) or self._step(session.at).forget:
            return []
        return self._enter(session.copy(session.updated), session.at, push=False)

    def buttons(self, session: Session) -> tuple[Button, ...]:
        """The buttons of the step the session is at (what 'the current choices' means)."""
        return self._buttons(session, self._step(session.at))

    # ---- events -----------------------------------------------------------------------

    def _on_text(
        self, session: Session, text: str, fresh: bool
    ) -> tuple[Session | None, list[Reply]]:
        norm = normalise(text)  # once: intents and typed choices both match on it
        match, verdict = self.intents.read(text, norm)
        if match:
            return self._on_intent(session, match, fresh, typed=True)
        if fresh:
            return session, self._enter(session, session.at, push=False)
        step = self._step(session.at)
        index = self._choice_from_text(session, step, norm)
        if index is not None:
            return self._choose(session, step, index)
        if step.free_text and step.free_text.next:
            target = self.flows[session.flow].fire(step.id, FREE_TEXT, session)
            return session, self._enter(session, target)
        topics = verdict.topics if verdict else ()
        if topics and self._topic_step(topics[0]) and not verdict.learned_topic:
            # the message names a topic in words the rules know: go there (a learned guess
            # is only offered first among the topic buttons)
            return session, self._enter(session, self._topic_step(topics[0]))
        return session, [self._not_understood(session, step, verdict)]

    def _not_understood(self, session: Session, step: Step, verdict: Verdict | None) -> Say:
        """Typed text that is no choice, alarm or topic: where to call in danger (in the
        text), the closest topics, then the step's own choices. A step's own reply (a yes/no
        question) keeps just its choices."""
        if step.free_text and step.free_text.reply:
            return Say(
                text=step.free_text.reply,
                context=session.at,
                buttons=self.buttons(session),
                region=session.region,
                locale=session.locale,
            )
        return Say(
            text=self._system_step("unknown_text").text,
            context=f"{SYSTEM}:unknown_text",
            buttons=self._topic_buttons(session, verdict) + self.buttons(session),
            region=session.region,
            locale=session.locale,
        )

    def _topic_step(self, topic: str) -> str | None:
        recogniser = self.intents.recogniser
        target = recogniser.topics.get(topic) if recogniser else None
        return target.goto if target and target.goto and self._exists(target.goto) else None

    def _topic_buttons(self, session: Session, verdict: Verdict | None) -> tuple[Button, ...]:
        """The closest topics (those the message half named first, then system.yaml's order
        of 'onderwerpen'), leaving out any the step already offers."""
        if self.system is None or "onderwerpen" not in self.system.steps:
            return ()
        recogniser = self.intents.recogniser
        scores = verdict.scores if verdict else {}
        goto_score = {}
        for name, target in (recogniser.topics if recogniser else {}).items():
            if target.goto:
                goto_score[target.goto] = scores.get(name, 0.0)
                if verdict and verdict.learned_topic and verdict.topics[:1] == (name,):
                    goto_score[target.goto] += LEARNED_TOPIC_FIRST
        here = {c.next for c in self._step(session.at).choices if c.next}
        here |= {qualify(session.flow, n) for n in here} | {session.at}
        at = f"{SYSTEM}:onderwerpen"
        offered = [
            (i, c)
            for i, c in enumerate(self.system.steps["onderwerpen"].choices)
            if c.next and c.next not in here
        ]
        offered.sort(key=lambda ic: (-goto_score.get(ic[1].next, 0.0), ic[0]))
        return tuple(
            Button(c.label, at, Intent("topic", c.next)) for _, c in offered[:MAX_TOPIC_BUTTONS]
        )

    def _on_press(self, session: Session, press: Press) -> tuple[Session | None, list[Reply]]:
        flow_id, _, step_id = press.at.partition(":")
        compiled = self.flows.get(flow_id)
        step = compiled.flow.steps.get(step_id) if compiled and flow_id != SYSTEM else None
        stale = (
            step is None
            or (press.version and press.version != compiled.flow.version)
            or not 0 <= press.index < len(step.choices)
        )
        if stale:
            log.info("stale or unknown button ignored")
            return session, [self._again(session, "stale_button")]
        if press.at != session.at:
            session.flow, session.step = flow_id, step_id  # an older message's button still works
        return self._choose(session, step, press.index)

    def _on_intent(
        self, session: Session, match: IntentMatch, fresh: bool, typed: bool = False
    ) -> tuple[Session | None, list[Reply]]:
        if match.name == "topic":  # a topic button under a reply to typed text
            target = match.arg if match.arg and self._exists(match.arg) else None
            if target is None:
                return session, [self._again(session, "stale_button")]
            return session, self._enter(session, target)
        spec = self.intents.specs.get(match.name)
        if spec is None:
            return session, [self._again(session, "unknown_text")]
        if match.name in ALARMS:
            if (typed or not spec.goto) and spec.notice:
                return session, self._alarm_notices(session, match)
            return session, self._enter(session, qualify(self.main, spec.goto or "gevaar"))
        if match.name == "stop":
            return self._enter_forget(session, qualify(self.main, spec.goto or "stop"))
        if match.name == "back":
            if not session.history:
                return session, [self._again(session, "at_start")]
            target = session.history.pop()
            return session, self._enter(session, target, push=False)
        if match.name == "language":
            return self._language(session, match.arg)
        # menu, help
        target = qualify(self.main, spec.goto or self.flows[self.main].flow.start)
        return session, self._enter(session, target, push=not fresh)

    def _alarm_notices(self, session: Session, match: IntentMatch) -> list[Reply]:
        """A typed alarm may be a false one: 112 first, gently, then the question he was at
        again, with its buttons, and the talk goes on. Danger and crisis together get both
        notices; "help" alone gets how the chat works instead of the question."""
        names = [match.name, *(n for n in match.also if n in ALARMS)]
        notices = [self.intents.specs[n].notice for n in names if self.intents.specs[n].notice]
        replies: list[Reply] = [_urgent(self._system(session, notice)) for notice in notices]
        help_spec = self.intents.specs.get("help")
        if "help" in match.also and help_spec and help_spec.goto:
            return replies + self._enter(session, qualify(self.main, help_spec.goto))
        if self._step(session.at).forget:  # never re-enter a step that forgets
            return [*replies[:-1], _urgent(self._again(session, notices[-1]))]
        return replies + self._enter(session, session.at, push=False)

    def _language(self, session: Session, locale: str | None) -> tuple[Session, list[Reply]]:
        if locale and locale in self.locales:
            session.locale = locale
            if locale in self.unreviewed and self._has_system(TRANSLATION_NOTE):
                note = self._again(session, TRANSLATION_NOTE)
                return session, [self._system(session, "language_switched"), note]
            return session, [self._again(session, "language_switched")]
        buttons = tuple(
            Button(LANGUAGE_NAMES.get(loc, loc), "language", Intent("language", loc))
            for loc in self.locales
        )
        if self._emergency_button:
            buttons += (Button(self._emergency_button, "intent:emergency", Intent("emergency")),)
        step = self._system_step(f"{SYSTEM}:language")
        return session, [
            Say(
                text=step.text, context=f"{SYSTEM}:language", buttons=buttons, locale=session.locale
            )
        ]

    # ---- moving -----------------------------------------------------------------------

    def _choose(
        self, session: Session, step: Step, index: int
    ) -> tuple[Session | None, list[Reply]]:
        choice = step.choices[index]
        if choice.intent:
            return self._on_intent(session, IntentMatch(choice.intent), fresh=False)
        for name, value in choice.set:
            if name == "region":
                session.region = value
            elif name == "locale":
                session.locale = value if value in self.locales else session.locale
            else:
                session.answers[name] = value
        target = self.flows[session.flow].fire(step.id, choice_trigger(index), session)
        return self._enter_forget(session, target)

    def _enter_forget(self, session: Session, target: str) -> tuple[Session | None, list[Reply]]:
        replies = self._enter(session, target)
        if replies and isinstance(replies[-1], Forget):
            return None, replies
        return session, replies

    def _enter(self, session: Session, target: str, push: bool = True) -> list[Reply]:
        """Go to a step (following routes) and say it; a forget step ends with Forget()."""
        origin = session.at
        for _ in range(MAX_ROUTE_HOPS):
            flow_id, _, step_id = target.partition(":")
            step = self.flows[flow_id].flow.steps[step_id]
            session.flow, session.step = flow_id, step_id
            if not step.route:
                break
            target = self.flows[flow_id].fire(step_id, ROUTE, session)
        else:
            raise RuntimeError(f"routes loop from {origin}")
        if push and origin != session.at:
            session.history.append(origin)
            del session.history[:-HISTORY_LIMIT]
        say = Say(
            text=step.text,
            context=session.at,
            referrals=step.referral_keys(session.region),
            buttons=() if step.forget else self._buttons(session, step),
            region=session.region,
            locale=session.locale,
            urgent=session.at == self._emergency_step,
        )
        return [say, Forget()] if step.forget else [say]

    # ---- helpers ----------------------------------------------------------------------

    def _step(self, at: str) -> Step:
        flow_id, _, step_id = at.partition(":")
        return self.flows[flow_id].flow.steps[step_id]

    def _exists(self, at: str) -> bool:
        flow_id, _, step_id = at.partition(":")
        compiled = self.flows.get(flow_id)
        return compiled is not None and flow_id != SYSTEM and step_id in compiled.flow.steps

    def _has_system(self, name: str) -> bool:
        return self.system is not None and name in self.system.steps

    def _system_step(self, at: str) -> Step:
        return self._step(at if ":" in at else f"{SYSTEM}:{at}")

    def _system(self, session: Session, name: str, buttons: tuple[Button, ...] = ()) -> Say:
        """A message of system.yaml (or any 'flow:step'), with the region's referrals."""
        at = name if ":" in name else f"{SYSTEM}:{name}"
        step = self._step(at)
        return Say(
            text=step.text,
            context=at,
            referrals=step.referral_keys(session.region),
            buttons=buttons,
            region=session.region,
            locale=session.locale,
        )

    def _again(self, session: Session, name: str) -> Say:
        """A short system message followed by the current choices again (and, on the danger
        step itself, its button too, so a reply to typed text always leads to 112)."""
        buttons = self.buttons(session)
        if session.at == self._emergency_step and self._emergency_button:
            buttons += (Button(self._emergency_button, "intent:emergency", Intent("emergency")),)
        return self._system(session, name, buttons)

    def _buttons(self, session: Session, step: Step) -> tuple[Button, ...]:
        """A step's buttons never change after start-up, so they are built once and kept."""
        key = (session.flow, step.id)
        cached = self._button_cache.get(key)
        if cached is None:
            cached = self._button_cache[key] = self._make_buttons(session.flow, step)
        return cached

    def _make_buttons(self, flow_id: str, step: Step) -> tuple[Button, ...]:
        at = f"{flow_id}:{step.id}"
        version = self.flows[flow_id].flow.version
        buttons = [
            Button(c.label, at, Intent(c.intent) if c.intent else Press(at, i, version))
            for i, c in enumerate(step.choices)
        ]
        if not buttons:
            menu = self._system_step("menu_button")
            buttons.append(Button(menu.text, f"{SYSTEM}:menu_button", Intent("menu")))
        if self._emergency_button and at != self._emergency_step:
            buttons.append(Button(self._emergency_button, "intent:emergency", Intent("emergency")))
        return tuple(buttons)

    def _choice_from_text(self, session: Session, step: Step, norm: str) -> int | None:
        """Typed '2' or a choice's label (Dutch or as shown in his language) presses it."""
        if norm.isdigit() and 1 <= int(norm) <= len(step.choices):
            return int(norm) - 1
        key = (id(step), session.locale)
        labels = self._label_cache.get(key)
        if labels is None:
            labels = {}
            for i, choice in enumerate(step.choices):
                at = f"{session.flow}:{step.id}"
                shown = self.translate(session.locale, at, choice.label)
                for label in (choice.label, shown):
                    labels.setdefault(normalise(label), i)
            self._label_cache[key] = labels
        return labels.get(norm)
