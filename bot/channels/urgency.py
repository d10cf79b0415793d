"""Knowing before its turn whether the engine will answer an update as danger or crisis.

A chat's updates are handled one after another, so an update waits while its chat's earlier
replies wait for the send cap, behind other chats' replies. When the chat is busy, the handler
asks the engine now (about 10 µs) what it would answer, using a stand-in session, and an urgent
answer moves the chat's queued replies ahead (BotApi.expedite). The engine stays the one judge of
what is urgent; a wrong guess only changes how soon replies go, never what they say.
"""

from __future__ import annotations

from bot.engine.engine import SYSTEM, Engine
from bot.engine.model import Event, Intent, Press, Say, Session, Text


def expect_urgent(engine: Engine, event: Event, now: float) -> bool:
    """Whether the engine would answer `event` with an urgent message.

    Typed text and global buttons are asked without a session: alarm words and the danger button
    mean the same at every step. A choice is asked at the step its button belongs to.
    """
    session: Session | None = None
    if isinstance(event, Press):
        session = _at_button(engine, event, now)
        if session is None:
            return False
    elif not isinstance(event, Text | Intent):
        return False  # /start, media, edits: never an alarm
    _, replies = engine.resume(session, event, now)
    return any(isinstance(reply, Say) and reply.urgent for reply in replies)


def _at_button(engine: Engine, press: Press, now: float) -> Session | None:
    """A new session at the pressed button's step, or None for a stale or forged button.

    A stale button is answered with a note and the current choices, never urgently, so it
    needs no asking (and asking would log the stale press twice).
    """
    flow_id, _, step_id = press.at.partition(":")
    compiled = engine.flows.get(flow_id)
    if compiled is None or flow_id == SYSTEM:
        return None
    step = compiled.flow.steps.get(step_id)
    if step is None or (press.version and press.version != compiled.flow.version):
        return None
    if not 0 <= press.index < len(step.choices):
        return None
    session = engine.new_session(now)
    session.flow, session.step = flow_id, step_id
    return session
