"""Text checks: no phone number typed into flow text, and what Telegram can carry."""

from __future__ import annotations

import re

from bot.engine import callback
from bot.engine.model import Flow, Press, Step
from bot.problems import ERROR, WARNING, Problem

MAX_LABEL = 64  # Telegram cuts long button labels; above this we refuse
WARN_LABEL = 32  # above this a label wraps or is cut on a phone
MAX_MESSAGE = 4096
# A phone number typed into text: 3+ digits, or digit groups joined by - or space (0800-2000).
PHONE_IN_TEXT = re.compile(r"(?<![\w.])(?:\+?\d[\d\- ]{1,14}\d)(?![\w.])")
YEAR = re.compile(r"^(?:19|20)\d\d$")  # "sinds 2016" is a year, not a phone number


def check_text(flow: Flow, step: Step, add) -> None:
    """Numbers in text or labels, and lengths of text, labels and button data."""
    at = f"{flow.id}:{step.id}"
    texts = [("text", step.text)]
    if step.free_text and step.free_text.reply:
        texts.append(("free_text reply", step.free_text.reply))
    for what, text in texts:
        found = next((m for m in PHONE_IN_TEXT.finditer(text) if not YEAR.match(m.group())), None)
        if found:
            add(
                Problem(
                    ERROR,
                    step.where,
                    f"the {what} of step '{step.id}' contains the number "
                    f"'{found.group().strip()}': numbers come from referrals.yaml, "
                    "add 'referrals: [key]' instead",
                )
            )
        if len(text) > MAX_MESSAGE:
            add(
                Problem(
                    ERROR,
                    step.where,
                    f"the {what} of step '{step.id}' is {len(text)} "
                    f"characters; Telegram allows {MAX_MESSAGE}",
                )
            )
    for i, choice in enumerate(step.choices):
        where = choice.where or step.where
        if len(choice.label) > MAX_LABEL:
            add(
                Problem(
                    ERROR,
                    where,
                    f"button '{choice.label[:20]}…' of step '{step.id}' is "
                    f"{len(choice.label)} characters; keep it under {WARN_LABEL}",
                )
            )
        elif len(choice.label) > WARN_LABEL:
            add(
                Problem(
                    WARNING,
                    where,
                    f"button '{choice.label}' of step '{step.id}' is "
                    f"{len(choice.label)} characters; phones cut it after about {WARN_LABEL}",
                )
            )
        if PHONE_IN_TEXT.search(choice.label):
            add(Problem(ERROR, where, f"button '{choice.label}' contains a number; use referrals"))
        data = callback.encode(Press(at, i, flow.version))
        if len(data.encode()) > callback.MAX_BYTES:
            add(
                Problem(
                    ERROR,
                    where,
                    f"the button data for step '{step.id}' would be "
                    f"{len(data.encode())} bytes (Telegram allows {callback.MAX_BYTES}): "
                    "use a shorter step id or flow name",
                )
            )
