"""One conversation held in memory: the terminal chat and the golden transcripts both use it.

It turns what a person types or presses into engine events, keeps the session in a variable
(no database, no network) and renders replies exactly as a channel would.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.engine import callback
from bot.engine.intents import normalise
from bot.engine.model import Event, Forget, Intent, Press, Session, Start, Text, Unsupported
from bot.render import ButtonView, Message
from bot.runtime import Runtime

COMMANDS: dict[str, Event] = {
    "/start": Start(),
    "/stop": Intent("stop"),
    "/help": Intent("help"),
    "/menu": Intent("menu"),
}


@dataclass(frozen=True, slots=True)
class Forgotten:
    """The session was deleted: nothing of this conversation is left."""


Output = Message | Forgotten


class Conversation:
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
        self.session: Session | None = None
        self.buttons: tuple[ButtonView, ...] = ()
        self._preset = (flow, locale, region)

    def start(self) -> list[Output]:
        """Begin as /start would, at the preset flow, locale and region."""
        flow, locale, region = self._preset
        now = self.clock()
        self.session, replies = self.runtime.engine.begin(
            now.timestamp(), flow=flow, locale=locale, region=region
        )
        return self._output(replies, now)

    def send(self, text: str) -> list[Output]:
        """Typed text: a command, or words for the engine."""
        return self.event(COMMANDS.get(normalise_command(text)) or Text(text))

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
        event = callback.decode(data) or Press(at="", index=-1)
        return self.event(event)

    def attach(self, kind: str) -> list[Output]:
        return self.event(Unsupported(kind))

    def event(self, event: Event) -> list[Output]:
        now = self.clock()
        self.session, replies = self.runtime.engine.resume(self.session, event, now.timestamp())
        return self._output(replies, now)

    def find_button(self, label_or_number: str | int) -> ButtonView | None:
        if isinstance(label_or_number, int) or str(label_or_number).isdigit():
            index = int(label_or_number) - 1
            return self.buttons[index] if 0 <= index < len(self.buttons) else None
        wanted = normalise(str(label_or_number))
        return next((b for b in self.buttons if normalise(b.label) == wanted), None)

    def _output(self, replies, now: datetime) -> list[Output]:
        out: list[Output] = []
        for reply in replies:
            if isinstance(reply, Forget):
                out.append(Forgotten())
                self.buttons = ()
            else:
                message = self.runtime.render(reply, now)
                out.append(message)
                if message.buttons:
                    self.buttons = message.buttons
        return out


def normalise_command(text: str) -> str:
    """'/Stop@SomeBot ' -> '/stop'; anything else comes back unchanged but stripped."""
    word = text.strip().split("@", 1)[0].lower()
    return word if word.startswith("/") else text.strip()
