"""`firstcontact run`: check the settings, load the flows, open the store, serve the web chat
and, when a token is set, Telegram.

Anything wrong before start-up (settings, flows, secret, database) is printed as plain
messages with exit code 2, never a traceback. SIGTERM or Ctrl-C stop the bot within seconds:
updates in hand are finished, then the store is flushed and closed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.config import LISTEN, PORT, TOKEN, WEBHOOK_URL, ConfigError, Settings

if TYPE_CHECKING:
    from bot.channels.telegram import TelegramBot, WebhookOptions
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

EXIT_CONFIG = 2
EXIT_FAILED = 1
STOP_BUDGET_SECONDS = 7.0  # stop() gets this long; closing the store needs the rest of 10 s
PURGE_INTERVAL_SECONDS = 60.0

EXAMPLES = """\
Settings come from FIRSTCONTACT_* environment variables (see README).

Example: firstcontact run                   (the web chat on http://127.0.0.1:8080/)
Example: FIRSTCONTACT_TELEGRAM_TOKEN=123456789:AAE... firstcontact run   (web chat + Telegram)
Example: firstcontact run --webhook --webhook-url https://bot.example.org/telegram --port 8080
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run",
        help="serve the web chat, and Telegram when a token is set",
        description="Serve the web chat (and GET /healthz) on --listen/--port, and run the "
        "Telegram bot too when FIRSTCONTACT_TELEGRAM_TOKEN is set: long polling by default, "
        "or --webhook, served on the same port.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--webhook", action="store_true", help="receive updates by webhook instead of polling"
    )
    parser.add_argument("--listen", metavar="HOST", help=f"address to listen on ({LISTEN})")
    parser.add_argument("--port", metavar="N", help=f"port to listen on ({PORT})")
    parser.add_argument(
        "--webhook-url", metavar="URL", help=f"public https URL Telegram posts to ({WEBHOOK_URL})"
    )
    parser.set_defaults(func=run)


def _env(args: argparse.Namespace, base: Mapping[str, str]) -> dict[str, str]:
    """The environment with command-line options laid over it, so both are checked alike."""
    env = dict(base)
    for option, name in (("listen", LISTEN), ("port", PORT), ("webhook_url", WEBHOOK_URL)):
        value = getattr(args, option, None)
        if value is not None:
            env[name] = str(value)
    return env


def _print_problems(title: str, problems: list) -> None:
    print(title, file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    try:
        settings = Settings.from_env(
            _env(args, os.environ), require_token=bool(args.webhook), webhook=bool(args.webhook)
        )
    except ConfigError as exc:
        _print_problems("The bot cannot start; fix these settings:", exc.problems)
        return EXIT_CONFIG

    from bot.channels.telegram.logs import configure_logging

    configure_logging(settings.log_level)

    from bot.commands.common import load_runtime_or_explain
    from bot.directory_source import source_from_env
    from storage.keys import SecretError, load_or_create_secret

    try:  # the directory every worker shares: in the database (docs/referrals.md)
        directory = source_from_env(os.environ)
    except (OSError, ValueError) as exc:
        print(f"The bot cannot start: the referral directory: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    runtime = load_runtime_or_explain(referrals_source=directory)
    if runtime is None:
        return EXIT_CONFIG
    try:
        secret = load_or_create_secret(settings.data_dir, settings.secret_key)
    except (SecretError, OSError) as exc:
        print(f"The bot cannot start: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    return asyncio.run(
        serve(settings, runtime, secret, webhook=bool(args.webhook), directory=directory)
    )


def chat_url(settings: Settings, port: int) -> str:
    """Where a person on this machine opens the chat."""
    host = "127.0.0.1" if settings.listen in ("0.0.0.0", "::", "") else settings.listen
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}/"


async def serve(
    settings: Settings, runtime: Runtime, secret: bytes, *, webhook: bool, directory: Any = None
) -> int:
    """Run until SIGTERM/SIGINT; returns the exit code. `directory` is the referral directory's
    source, which the coordinator page changes (when it is on)."""
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
        lambda: {"telegram": mode},
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
                f"Choose another with --port or {PORT}.",
                file=sys.stderr,
            )
            return EXIT_FAILED
        url = chat_url(settings, port)
        log.info("web chat open url=%s telegram=%s", url, mode)
        if bot is None:
            log.info("telegram is off: set %s to run the Telegram bot too", TOKEN)
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
    return PageOptions(source=directory, store=store, secret=secret)


async def _start_telegram(bot: TelegramBot, hook: WebhookOptions | None) -> int:
    """Start polling, or the webhook already served by the web chat; an exit code if it fails."""
    try:
        if hook is not None:
            await bot.start_webhook(hook, serve=False)
        else:
            await bot.start_polling()
    except InvalidToken:
        print(
            f"The bot cannot start: Telegram does not accept {TOKEN}. Check it with @BotFather.",
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
