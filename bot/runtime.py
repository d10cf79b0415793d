"""Everything a channel needs, loaded once at start-up: engine, catalogs, directory, renderer."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.engine.bundle import DEFAULT_FLOWS_DIR, build_engine
from bot.engine.engine import Engine
from bot.engine.model import Say
from bot.i18n import DEFAULT_LOCALES_DIR, Catalogs, load_catalogs
from bot.render import CardView, Message, Renderer

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    engine: Engine
    catalogs: Catalogs
    renderer: Renderer

    def render(self, say: Say, now: datetime) -> Message:
        return self.renderer.render(say, now)


def _key_cards(
    keys: Sequence[str], region: str | None, now: datetime, locale: str
) -> list[CardView]:
    return [CardView(key=k, title=k) for k in keys]


def load_runtime(
    flows_dir: Path = DEFAULT_FLOWS_DIR,
    locales_dir: Path = DEFAULT_LOCALES_DIR,
    referrals_file: Path | None = None,
) -> Runtime:
    """Load and check everything; raises bot.problems.DataError when the bot must not start."""
    catalogs = load_catalogs(locales_dir)
    engine = build_engine(flows_dir, locales=catalogs.locales)
    return Runtime(engine=engine, catalogs=catalogs, renderer=Renderer(catalogs, _key_cards))
