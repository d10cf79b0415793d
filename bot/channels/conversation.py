"""One conversation in memory, through the same turn as Telegram: terminal chat and transcripts.

What a person types or presses becomes an event (the one command parser), the shared `Turn`
answers it with the session in an in-memory store (no database, no network), and the buttons
of the last message are kept here, beside the session, so they can be pressed by number.
"""

from __future__ import annotations

import asyncio
import secrets
import weakref
from datetime import datetime

from bot.channels.inbound import pressed, typed
from bot.channels.turn import Answer, Forgotten, Inbound, Output, Turn
from bot.engine.intents import normalise
from bot.engine.model import Event, Session, Unsupported
from bot.render import ButtonView
from bot.runtime import Runtime
from storage.memory import MemoryStore

__all__ = ["Conversation", "Forgotten", "Output"]


class Conversation:
    """A synchronous face on the async turn, for the terminal and golden transcripts."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        flow: str | None = None,
        locale: str | None = None,
        region: str | None = None,
        clock=None,
    ):
        self.runtime = runtime
        self.clock = clock or (lambda: datetime.now().astimezone())
        self.store = MemoryStore(clock=lambda: self.clock().timestamp())
        self.turn = Turn(runtime, self.store, clock=self.clock)
        self.key = secrets.token_hex(32)  # a session key like any channel's, tied to nobody
        self.buttons: tuple[ButtonView, ...] = ()  # channel state: the last message's buttons
        self._preset = (flow, locale, region)
        # A loop of its own, closed plainly (no async generators to finish): closing it at garbage
        # collection works even while another loop runs (an asyncio.Runner's close() would not).
        self._loop = asyncio.new_event_loop()
        weakref.finalize(self, self._loop.close)

    def close(self) -> None:
        """Close its event loop now rather than at garbage collection."""
        self._loop.close()

    @property
    def session(self) -> Session | None:
        """The session as the store holds it (None before the start and once forgotten)."""
        return self._loop.run_until_complete(self.store.get(self.key))

    def start(self) -> list[Output]:
        """Begin as /start would, at the preset flow, locale and region."""
        flow, locale, region = self._preset
        begin = self.turn.begin(self.key, flow=flow, locale=locale, region=region)
        return self._shown(self._loop.run_until_complete(begin))

    def send(self, text: str) -> list[Output]:
        """Typed text: a command, or words for the engine."""
        return self.event(typed(text))

    def press(self, label_or_number: str | int) -> list[Output]:
        """Press a button of the last message by its number (1-based) or its label."""
        button = self.find_button(label_or_number)
        if button is None:
            raise LookupError(
                f"no button {label_or_number!r}; buttons: "
                f"{', '.join(b.label for b in self.buttons) or 'none'}"
            )
        return self.event(button.event)

    def press_data(self, data: str) -> list[Output]:
        """Raw button data, as a forged or old Telegram button would send it."""
        return self.event(pressed(data))

    def attach(self, kind: str) -> list[Output]:
        return self.event(Unsupported(kind))

    def event(self, event: Event) -> list[Output]:
        return self._shown(self._loop.run_until_complete(self.turn.take(Inbound(self.key, event))))

    def find_button(self, label_or_number: str | int) -> ButtonView | None:
        if isinstance(label_or_number, int) or str(label_or_number).isdigit():
            index = int(label_or_number) - 1
            return self.buttons[index] if 0 <= index < len(self.buttons) else None
        wanted = normalise(str(label_or_number))
        return next((b for b in self.buttons if normalise(b.label) == wanted), None)

    def _shown(self, answer: Answer) -> list[Output]:
        for output in answer.outputs:
            if isinstance(output, Forgotten):
                self.buttons = ()
            elif output.buttons:
                self.buttons = output.buttons
        return answer.outputs
