"""Hand-off checks: every referral a flow names exists and is active, alarm screens show the
emergency number first and a line open now, every card can be reached, no claim is false."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.definitions.claims import contradictions
from bot.definitions.walk import alarm_steps, steps
from bot.engine.intents import Intents
from bot.engine.model import Flow, Step
from bot.problems import ERROR, Problem, suggest
from bot.referrals.contact import describe as describe_unreachable
from bot.referrals.contact import unreachable_on
from bot.referrals.coverage import Screen, gap_message
from bot.regions import REGIONS

if TYPE_CHECKING:
    from bot.referrals.model import Directory


@dataclass(frozen=True, slots=True)
class ReferralFacts:
    """What the checks need from the directory: lookups by key, and the directory itself for
    the rule that resolves cards through the week (bot/referrals/coverage.py)."""

    status: Callable[[str], str | None]  # key -> verified/unverified/inactive, None if unknown
    is_emergency: Callable[[str], bool]
    keys: Callable[[], list[str]]
    directory: Directory | None = None


def check_referrals(flow: Flow, step: Step, facts: ReferralFacts, add) -> None:
    """Each referral key a step shows is in the directory and active."""
    known = facts.keys()
    keys = {
        k
        for item in step.referrals
        for k in ((item,) if isinstance(item, str) else item.all_keys())
    }
    for key in sorted(keys):
        status = facts.status(key)
        if status is None:
            add(
                Problem(
                    ERROR,
                    step.where,
                    f"step '{step.id}' shows referral '{key}', which is "
                    f"not in referrals.yaml{suggest(key, known)}",
                )
            )
        elif status == "inactive":
            add(
                Problem(
                    ERROR,
                    step.where,
                    f"step '{step.id}' shows referral '{key}', which is "
                    "marked inactive in referrals.yaml",
                )
            )


def check_open_lines(flows: dict[str, Flow], intents: Intents, facts: ReferralFacts, add) -> None:
    """Every screen that answers danger or crisis offers, besides the emergency number, a line
    that is open in the man's language at every moment of the week (bot/referrals/coverage.py).

    Such a screen is an alarm intent's step in every region, and any step in a region where
    it shows an emergency number.
    """
    if facts.directory is None:
        return
    alarms = {full for _, full, _ in alarm_steps(flows, intents)}
    for flow, step in steps(flows):
        full = f"{flow.id}:{step.id}"
        for region in REGIONS:
            keys = step.referral_keys(region)
            alarm = full in alarms
            if not (alarm or any(facts.is_emergency(key) for key in keys)):
                continue
            if any(facts.status(key) in (None, "inactive") for key in keys):
                continue  # already an error of its own: unknown or inactive referral
            message = gap_message(facts.directory, Screen(step.id, region, keys, alarm))
            if message is None:
                continue
            add(Problem(ERROR, step.where, message))


def check_contacts(flows: dict[str, Flow], facts: ReferralFacts, add) -> None:
    """A card a man cannot act on is not a hand-off: every entry a step shows, in any region
    and at any moment, has a phone, website or chat_url (bot/referrals/contact.py)."""
    if facts.directory is None:
        return
    for _, step in steps(flows):
        if step.referrals:
            for found in unreachable_on(facts.directory, step.referral_keys):
                add(Problem(ERROR, step.where, describe_unreachable(step.id, found)))


def check_claims(flows: dict[str, Flow], facts: ReferralFacts, add) -> None:
    """Flow text that states a directory fact ("dag en nacht", "gratis") must stay true when
    a coordinator changes the directory (bot/definitions/claims.py)."""
    if facts.directory is None:
        return
    for _, step in steps(flows):
        for message in contradictions(facts.directory, step):
            add(Problem(ERROR, step.where, message))
