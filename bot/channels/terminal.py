"""The terminal chat: the real engine with numbered choices, no network and no database."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TextIO

from bot.channels.conversation import Conversation, Forgotten, Output
from bot.engine.model import Press
from bot.regions import REGIONS, region_chain
from bot.render import ButtonView
from bot.runtime import Runtime
from bot.transcripts import Recorder

HELP = (
    "Type a number to press that button, or type text as a man would. "
    "Commands: /start, /stop, /help, :sticker (or :photo, :contact, ...) to send "
    "something that is not text, :quit to leave."
)


def show(outputs: list[Output], out: TextIO) -> None:
    for output in outputs:
        if isinstance(output, Forgotten):
            out.write("\n[de sessie is gewist]\n")
            continue
        out.write("\n" + output.plain() + "\n")
        for number, button in enumerate(output.buttons, 1):
            out.write(f"  {number}) {button.label}\n")
    out.flush()


def chat(
    runtime: Runtime,
    *,
    flow: str | None,
    locale: str | None,
    region: str | None,
    record: Path | None,
    stdin: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
) -> int:
    if region and region not in REGIONS:
        out.write(f"Unknown region '{region}'. Choose one of: {', '.join(REGIONS)}\n")
        return 2
    conversation = Conversation(runtime, flow=flow, locale=locale, region=region)
    try:
        outputs = conversation.start()
    except KeyError as exc:
        out.write(f"{exc.args[0]}. Flows: {', '.join(f for f in runtime.engine.flows)}\n")
        return 2
    recorder = Recorder(record, datetime.now().astimezone()) if record else None
    if recorder:
        recorder.add("begin", flow or "main", outputs, locale=locale, region=region)
    out.write(HELP + "\n")
    button = region_button(runtime, conversation.buttons, region) if region else None
    if button is not None:
        # --region answers the region question: pressed, recorded, not shown
        out.write(f"\n[{region}: '{button.label}' is chosen for you]\n")
        outputs = conversation.event(button.event)
        if recorder:
            recorder.add("press", button.label, outputs)
    show(outputs, out)
    while True:
        out.write("> ")
        out.flush()
        line = stdin.readline()
        if not line or line.strip() in (":quit", ":q"):
            out.write("\n")
            return 0
        text = line.rstrip("\n")
        if not text.strip():
            continue
        kind, value, outputs = _act(conversation, text)
        if recorder:
            recorder.add(kind, value, outputs)
        show(outputs, out)


def region_button(
    runtime: Runtime, buttons: tuple[ButtonView, ...], region: str
) -> ButtonView | None:
    """The button that sets this region (or the one above it: Leuven is in Flanders), if any."""
    for wanted in region_chain(region)[:-1]:
        for button in buttons:
            event = button.event
            if not isinstance(event, Press) or ":" not in event.at:
                continue
            flow, step = event.at.split(":", 1)
            choices = runtime.engine.flows[flow].flow.steps[step].choices
            if ("region", wanted) in choices[event.index].set:
                return button
    return None


def _act(conversation: Conversation, text: str) -> tuple[str, object, list[Output]]:
    stripped = text.strip()
    if stripped.startswith(":") and len(stripped) > 1:
        kind = stripped[1:].lower()
        return "attach", kind, conversation.attach(kind)
    button = conversation.find_button(int(stripped)) if stripped.isdigit() else None
    if button is not None:
        return "press", button.label, conversation.event(button.event)
    return "send", text, conversation.send(text)
