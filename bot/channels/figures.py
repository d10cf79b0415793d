"""What a turn adds to the anonymous figures: ids of flows, steps, regions and lines only.

Read from the session before and after the turn and from the replies' step names, never from
what he typed or who he is. The README's privacy section lists every metric; a test checks
that each step named here exists in the flows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.engine.model import Reply, Say, Session

ZONE = ZoneInfo("Europe/Amsterdam")  # one calendar for NL and BE
MAIN_FLOWS = ("main", "system")  # every conversation passes through them: not a path
# Steps whose showing is a figure: (metric, value).
STEP_FIGURES = {
    "feiten:u_lichaam": ("form", "physical"),
    "feiten:u_controle": ("form", "control"),
    "feiten:u_familie": ("form", "family_or_care"),
    "feiten:u_twijfel": ("form", "unsure"),
    "feiten:u_nee": ("form", "none"),
    "veilig:risico_ja": ("risk_signs", "yes"),
    "veilig:risico_nee": ("risk_signs", "no_or_unsure"),
    "main:gevaar": ("alarm", "danger_button"),
    "system:gevaar_melding": ("alarm", "danger_typed"),
    "system:zelfdoding_melding": ("alarm", "crisis_typed"),
}
METRICS = (
    "conversation", "region", "language", "path", "form", "risk_signs", "handoff", "alarm",
    "stop",
)  # fmt: skip


def figure_day(moment: datetime) -> date:
    """The calendar day a turn counts for (Dutch and Belgian time)."""
    return moment.astimezone(ZONE).date()


def observe(
    old: Session | None, new: Session | None, replies: Iterable[Reply], forgot: bool
) -> list[tuple[str, str]]:
    """The (metric, value) pairs one turn adds: a start, a region or language chosen, a path
    taken, a fact-check result, risk signs, each hand-off shown, an alarm, a /stop."""
    found: list[tuple[str, str]] = []
    if forgot:
        found.append(("stop", "used"))
    if new is not None and not forgot:
        if old is None:
            found.append(("conversation", "started"))
            found.append(("language", new.locale))
        elif new.locale != old.locale:
            found.append(("language", new.locale))
        if new.region and (old is None or new.region != old.region):
            found.append(("region", new.region))
        if new.flow not in MAIN_FLOWS and (old is None or new.flow != old.flow):
            found.append(("path", new.flow))
    for reply in replies:
        if isinstance(reply, Say) and _arrived(old, reply):
            figure = STEP_FIGURES.get(reply.context)
            if figure is not None:
                found.append(figure)
            found.extend(("handoff", key) for key in reply.referrals)
    return found


def _arrived(old: Session | None, say: Say) -> bool:
    """A step counts when he reaches it, not when it is shown again (after an alarm notice,
    the question he was at comes back); the bot's own notices count every time."""
    return say.context.startswith("system:") or old is None or old.at != say.context
