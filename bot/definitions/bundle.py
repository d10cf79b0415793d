"""Load every flow file, the intents and the system messages into one checked Engine."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from bot.definitions.checks import check_flows
from bot.definitions.flowfile import load_flow
from bot.definitions.handoffs import ReferralFacts
from bot.definitions.intentsfile import load_intents
from bot.definitions.topics import check_topics
from bot.engine.engine import Engine
from bot.engine.intents import Intents
from bot.engine.machine import CompiledFlow
from bot.engine.model import Flow, Step
from bot.problems import ERROR, DataError, Problem, errors
from bot.shipped import FLOWS_DIR

log = logging.getLogger(__name__)

INTENTS_FILE = "intents.yaml"
NOT_FLOWS = {INTENTS_FILE, "referrals.yaml"}
# This checkout's flows/; a deployment's folder is Settings.flows_dir (bot.config), passed in.
DEFAULT_FLOWS_DIR = FLOWS_DIR


def flow_files(flows_dir: Path) -> list[Path]:
    return sorted(p for p in flows_dir.glob("*.yaml") if p.name not in NOT_FLOWS)


def load_all(flows_dir: Path) -> tuple[dict[str, Flow], Intents | None, list[Problem]]:
    """Parse every file, collecting problems from all of them rather than stopping at one."""
    problems: list[Problem] = []
    flows: dict[str, Flow] = {}
    if not flows_dir.is_dir():
        return {}, None, [Problem(ERROR, None, f"the flows folder {flows_dir} does not exist")]
    for path in flow_files(flows_dir):
        try:
            flow = load_flow(path)
        except DataError as exc:
            problems.extend(exc.problems)
            continue
        flows[flow.id] = flow
    intents = None
    try:
        intents = load_intents(flows_dir / INTENTS_FILE)
    except DataError as exc:
        problems.extend(exc.problems)
    return flows, intents, problems


def check_all(
    flows_dir: Path,
    facts: ReferralFacts | None = None,
    render_length: Callable[[Step, str | None], int] | None = None,
) -> tuple[dict[str, Flow], Intents | None, list[Problem]]:
    flows, intents, problems = load_all(flows_dir)
    if intents is not None and not any(p.level == ERROR for p in problems):
        problems.extend(check_flows(flows, intents, facts, render_length))
        problems.extend(check_topics(flows, intents.recogniser))
    return flows, intents, problems


def build_engine(
    flows_dir: Path = DEFAULT_FLOWS_DIR,
    facts: ReferralFacts | None = None,
    locales: tuple[str, ...] = ("nl",),
    render_length: Callable[[Step, str | None], int] | None = None,
    translate: Callable[[str, str, str], str] | None = None,
    unreviewed: frozenset[str] = frozenset(),
) -> Engine:
    """Load, check and compile; raise DataError (errors only) if the bot must not start."""
    flows, intents, problems = check_all(flows_dir, facts, render_length)
    refused = errors(problems)
    if refused or intents is None:
        raise DataError(refused)
    for warning in problems:
        log.warning("%s", warning)
    compiled = {flow_id: CompiledFlow(flow) for flow_id, flow in flows.items()}
    return Engine(compiled, intents, locales=locales, translate=translate, unreviewed=unreviewed)
