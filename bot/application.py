"""The application, wired once from Settings: the runtime (engine, catalogs, the directory and
its watcher, the card cache, the renderer), the session store, the channels (web chat,
Telegram) and the purge loop, served until SIGTERM or Ctrl-C.

`firstcontact run` only reads the settings and calls start(). Anything wrong before start-up
(flows, secret, database, port, token) is printed as plain messages with an exit code, never
a traceback. On a stop signal updates in hand are finished, then the store is flushed and
closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Sequence
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot import config
from bot.config import DataPaths, Settings
from bot.definitions.bundle import DEFAULT_FLOWS_DIR, build_engine
from bot.definitions.checks import check_flows
from bot.i18n import DEFAULT_LOCALES_DIR, Catalogs, load_catalogs, referral_context
from bot.lru import BoundedLRU
from bot.problems import DataError, Problem
from bot.referrals.load import default_path
from bot.referrals.model import Directory
from bot.referrals.watch import DirectoryWatcher
from bot.render import CardView, Renderer
from bot.runtime import Runtime, card_views, facts_of, message_length

if TYPE_CHECKING:
    from bot.channels.telegram import TelegramBot, WebhookOptions

log = logging.getLogger(__name__)

EXIT_CONFIG = 2
EXIT_FAILED = 1
STOP_BUDGET_SECONDS = 7.0  # stop() gets this long; closing the store needs the rest of 10 s
PURGE_INTERVAL_SECONDS = 60.0
CARD_CACHE_SIZE = 1024  # (directory, keys, region, locale, minute) combinations kept


class CardCache:
    """Cards change only by the minute (opening hours) or when the directory reloads, so the
    same hand-off for many men is rendered once a minute, not per message."""

    def __init__(self, catalogs: Catalogs, directory: Any, size: int = CARD_CACHE_SIZE):
        self.catalogs = catalogs
        self.directory = directory  # () -> the directory in use now
        self._cache: BoundedLRU[tuple, list[CardView]] = BoundedLRU(size)
        self._filled_from: Directory | None = None  # the directory the cache was filled from

    def __call__(
        self, keys: Sequence[str], region: str | None, now: datetime, locale: str
    ) -> list[CardView]:
        directory = self.directory()
        if self._filled_from is not directory:
            self._cache.clear()  # a coordinator's edit shows from the next message on
            self._filled_from = directory
        minute = now.replace(second=0, microsecond=0)
        catalogs = self.catalogs

        def render() -> list[CardView]:
            def gettext(msgid: str) -> str:
                return catalogs.pgettext(locale, "referrals", msgid)

            def entry_text(entry_key: str, text: str) -> str:
                return catalogs.pgettext(locale, referral_context(entry_key), text)

            def ngettext(singular: str, plural: str, n: int) -> str:
                return catalogs.npgettext(locale, "referrals", singular, plural, n)

            return card_views(
                directory,
                keys,
                region,
                minute,
                catalogs.format_locale(locale),
                gettext,
                entry_text,
                ngettext,
            )

        return self._cache.entry((tuple(keys), region, locale, minute), render)


def load_runtime(
    flows_dir: Path = DEFAULT_FLOWS_DIR,
    locales_dir: Path = DEFAULT_LOCALES_DIR,
    referrals_file: Path | None = None,
    referrals_source: Any = None,
) -> Runtime:
    """Load and check everything; raises bot.problems.DataError when the bot must not start.

    The directory is `referrals_source` (bot.referrals.source: the database for a deployment)
    or else the file; a database is watched by a thread of its own.
    """
    catalogs = load_catalogs(locales_dir)
    watcher = DirectoryWatcher(referrals_source or referrals_file or default_path())
    facts = facts_of(watcher.current())
    engine = build_engine(
        flows_dir,
        facts=facts,
        locales=catalogs.locales,
        render_length=message_length(facts),
        translate=catalogs.pgettext,
        unreviewed=catalogs.unreviewed,
    )
    flows = {flow_id: compiled.flow for flow_id, compiled in engine.flows.items()}

    def fits_the_flows(directory: Directory) -> list[Problem]:
        """A coordinator's edit must not break a hand-off: same checks as at start-up."""
        return check_flows(flows, engine.intents, facts_of(directory))

    watcher.accept = fits_the_flows
    if watcher.source.kind == "database":
        watcher.start_polling()

    def emergency_number(region: str | None) -> str:
        found = watcher.current().emergency_for(region)
        return found[0].phone if found and found[0].phone else "112"

    return Runtime(
        engine=engine,
        catalogs=catalogs,
        renderer=Renderer(catalogs, CardCache(catalogs, watcher.current), emergency_number),
        directory=watcher.current,
    )


def load_runtime_or_explain(paths: DataPaths, referrals_source: Any = None) -> Runtime | None:
    """The runtime, or None after printing every problem with file and line (no traceback)."""
    try:
        return load_runtime(
            paths.flows_dir,
            paths.locales_dir,
            paths.referrals_file,
            referrals_source=referrals_source,
        )
    except DataError as exc:
        print(
            "The bot cannot start: its data files (flows, intents or referrals) have problems.",
            file=sys.stderr,
        )
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        print("Fix them, then run 'firstcontact flows check' to confirm.", file=sys.stderr)
        return None


def start(settings: Settings, *, webhook: bool) -> int:
    """Open the directory, load and check the data, read the secret, then serve; an exit code."""
    from bot.directory_source import open_directory
    from storage.keys import SecretError, load_or_create_secret

    try:  # the directory every worker shares: in the database (docs/referrals.md)
        directory = open_directory(settings.database_url, settings.referrals_file)
    except (OSError, ValueError) as exc:
        print(f"The bot cannot start: the referral directory: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    runtime = load_runtime_or_explain(settings.paths, referrals_source=directory)
    if runtime is None:
        return EXIT_CONFIG
    try:
        secret = load_or_create_secret(settings.data_dir, settings.secret_key)
    except (SecretError, OSError) as exc:
        print(f"The bot cannot start: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    return asyncio.run(serve(settings, runtime, secret, webhook=webhook, directory=directory))


def chat_url(settings: Settings, port: int) -> str:
    """Where a person on this machine opens the chat."""
    host = "127.0.0.1" if settings.listen in ("0.0.0.0", "::", "") else settings.listen
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}/"


async def serve(
    settings: Settings, runtime: Runtime, secret: bytes, *, webhook: bool, directory: Any = None
) -> int:
    """Run until SIGTERM/SIGINT; returns the exit code."""
    from telegram.error import TelegramError

    from bot.channels.telegram import TelegramBot, TelegramOptions, WebhookOptions
    from bot.channels.telegram.webhook import MAX_BODY
    from bot.channels.web import WebChat, WebOptions
    from bot.channels.workers import open_shared
    from storage import open_store, purge_loop, session_key

    # Webhook mode on PostgreSQL may run as several workers: sessions are locked and written
    # through for every worker, and each update is taken once (bot/channels/workers.py).
    several = webhook and settings.database_url.startswith("postgresql")
    try:
        store = await open_store(
            settings.database_url,
            settings.session_timeout,
            **({"cache_size": 0, "durable": True} if several else {}),
        )
    except (ValueError, OSError) as exc:
        print(f"The bot cannot start: the session database: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    shared = open_shared(settings.database_url) if several else None
    coordinators = None
    if settings.coordinator_page and directory is not None:
        coordinators = await _coordinator_page(settings, directory, secret)
        if coordinators is None:
            await store.close()
            return EXIT_CONFIG

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)

    keyer = partial(session_key, secret)
    bot = None
    if settings.telegram_token:
        options = TelegramOptions.from_settings(settings)
        bot = TelegramBot(options, runtime, store, keyer, shared=shared)
    mode = "off" if bot is None else ("webhook" if webhook else "polling")
    web = WebChat(
        WebOptions.from_settings(settings),
        runtime,
        store,
        keyer,
        secret,
        # Ready: taking updates (a webhook worker answers 503 until then; wait for this).
        lambda: {"telegram": mode, "telegram_ready": bot is not None and bot.ready},
        coordinators,
    )
    hook = None
    if bot is not None and webhook:
        assert settings.webhook_url and settings.webhook_secret
        hook = WebhookOptions(
            url=settings.webhook_url,
            secret=settings.webhook_secret,
            listen=settings.listen,
            port=settings.port,
            path=settings.webhook_path,
        )
        web.add_post(hook.path, bot.webhook_endpoint(hook.secret).handle, MAX_BODY)
    purger = asyncio.create_task(purge_loop(store, PURGE_INTERVAL_SECONDS))
    if shared is not None:
        shared.start_forgetting(PURGE_INTERVAL_SECONDS)
    code = 0
    try:
        try:
            port = await web.start()
        except OSError as exc:
            print(
                f"The bot cannot start: it cannot listen on {settings.listen}:{settings.port} "
                f"({exc.strerror or type(exc).__name__}). Is another program using that port? "
                f"Choose another with --port or {config.PORT}.",
                file=sys.stderr,
            )
            return EXIT_FAILED
        url = chat_url(settings, port)
        log.info("web chat open url=%s telegram=%s", url, mode)
        if bot is None:
            log.info("telegram is off: set %s to run the Telegram bot too", config.TOKEN)
        print(f"The web chat is open at {url} (Ctrl-C stops it).", flush=True)
        if bot is not None:
            code = await _start_telegram(bot, hook)
            if code:
                return code
        await stop.wait()
        log.info("stop signal received")
    finally:
        if bot is not None:
            try:
                await asyncio.wait_for(bot.stop(), STOP_BUDGET_SECONDS)
            except (TimeoutError, TelegramError, OSError) as exc:
                log.warning("stopping was cut short error=%s", type(exc).__name__)
                code = EXIT_FAILED
        await web.stop()
        purger.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await purger
        if shared is not None:
            await shared.close()
        await store.close()
        if coordinators is not None:
            await coordinators.store.close()
        log.info("session store closed")
    return code


async def _coordinator_page(settings: Settings, directory: Any, secret: bytes):
    """The coordinator page's options (its store opened), or None after saying why not."""
    from bot.channels.web.coordinator_page import PageOptions
    from storage.coordinators import CoordinatorStore

    try:
        store = await CoordinatorStore.open(settings.database_url)
    except (ValueError, OSError) as exc:
        print(f"The bot cannot start: the coordinators' database: {exc}", file=sys.stderr)
        return None
    log.info("coordinator page on path=/coordinators/")
    return PageOptions(source=directory, store=store, secret=secret, flows_dir=settings.flows_dir)


async def _start_telegram(bot: TelegramBot, hook: WebhookOptions | None) -> int:
    """Start polling, or the webhook already served by the web chat; an exit code if it fails."""
    from telegram.error import InvalidToken, NetworkError, TelegramError

    try:
        if hook is not None:
            await bot.start_webhook(hook, serve=False)
        else:
            await bot.start_polling()
    except InvalidToken:
        print(
            f"The bot cannot start: Telegram does not accept {config.TOKEN}. "
            "Check it with @BotFather.",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    except (NetworkError, OSError) as exc:
        print(
            f"The bot cannot start: Telegram cannot be reached ({type(exc).__name__}). "
            "Check the network.",
            file=sys.stderr,
        )
        return EXIT_FAILED
    except TelegramError as exc:
        print(f"The bot cannot start: Telegram said no ({type(exc).__name__}).", file=sys.stderr)
        return EXIT_FAILED
    return 0
