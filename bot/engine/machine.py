"""One `transitions` Machine per flow, built once at start-up and shared by every session.

A Machine per conversation would cost ~15 ms and ~850 KiB each; instead each flow owns one
machine. At run time the engine resolves a move by looking it up in that machine's own
transition table (event -> source -> transitions, with their conditions): about 1 µs, where
firing the trigger through the machine costs ~15 µs of callback machinery this design never
uses. `trigger()` does the full transitions dance on a shared cursor model; the tests prove
both agree for every step, trigger and region.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from transitions import Machine, MachineError

from bot.engine.model import Flow, Route, Session

ROUTE = "route"
FREE_TEXT = "free_text"


def choice_trigger(index: int) -> str:
    return f"choice_{index}"


def qualify(flow_id: str, target: str) -> str:
    """'step' -> 'flow:step'; 'other:step' stays as it is."""
    return target if ":" in target else f"{flow_id}:{target}"


class _Cursor:
    """The one model object a flow's machine moves around; holds no conversation data."""

    state: str


def _route_value(session: Session, by: str) -> str | None:
    return session.region if by == "region" else session.answers.get(by)


def _route_condition(route: Route, dest: str):
    def condition(event: Any) -> bool:
        session: Session = event.kwargs["session"]
        return route.target(_route_value(session, route.by)) == dest

    return condition


class CompiledFlow:
    """A flow plus its machine: states are step ids, plus 'flow:step' exits to other flows."""

    def __init__(self, flow: Flow):
        self.flow = flow
        self._cursor = _Cursor()
        states = list(flow.steps)
        transitions: list[dict[str, Any]] = []
        for step in flow.steps.values():
            for i, choice in enumerate(step.choices):
                if choice.intent:
                    continue  # handled by the engine's global intents
                transitions.append(
                    {
                        "trigger": choice_trigger(i),
                        "source": step.id,
                        "dest": self._state(choice.next, states),
                    }
                )
            if step.free_text and step.free_text.next:
                transitions.append(
                    {
                        "trigger": FREE_TEXT,
                        "source": step.id,
                        "dest": self._state(step.free_text.next, states),
                    }
                )
            if step.route:
                for dest in dict.fromkeys(t for _, t in step.route.cases):
                    transitions.append(
                        {
                            "trigger": ROUTE,
                            "source": step.id,
                            "dest": self._state(dest, states),
                            "conditions": [_route_condition(step.route, dest)],
                        }
                    )
        self.machine = Machine(
            model=self._cursor,
            states=states,
            transitions=transitions,
            initial=flow.start,
            auto_transitions=False,
            send_event=True,
            ignore_invalid_triggers=False,
            name=flow.id,
        )

    def _state(self, target: str, states: list[str]) -> str:
        """Local steps are plain states; a step in another flow becomes an exit state."""
        if ":" in target:
            other, step = target.split(":", 1)
            if other == self.flow.id:
                return step
            if target not in states:
                states.append(target)
        return target

    def fire(self, step: str, trigger: str, session: Session) -> str:
        """Where `trigger` leads from `step` ('flow:step'), read from the machine's table."""
        event = self.machine.events.get(trigger)
        candidates = event.transitions.get(step) if event else None
        if candidates:
            data = SimpleNamespace(machine=self.machine, args=(), kwargs={"session": session})
            for transition in candidates:
                if all(c.check(data) for c in transition.conditions):
                    return qualify(self.flow.id, transition.dest)
        raise LookupError(f"{self.flow.id}:{step} has no '{trigger}'")

    def trigger(self, step: str, trigger: str, session: Session) -> str:
        """The same move fired through transitions itself (slower; used to cross-check)."""
        self.machine.set_state(step, model=self._cursor)
        try:
            self._cursor.trigger(trigger, session=session)
        except (MachineError, AttributeError) as exc:
            raise LookupError(f"{self.flow.id}:{step} has no '{trigger}'") from exc
        return qualify(self.flow.id, self._cursor.state)

    def has_trigger(self, step: str, trigger: str) -> bool:
        event = self.machine.events.get(trigger)
        return bool(event and event.transitions.get(step))
