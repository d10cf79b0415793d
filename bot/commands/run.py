"""`firstcontact run`: check the settings, load the flows, open the store and serve Telegram.

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
from typing import TYPE_CHECKING

from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.config import LISTEN, PORT, WEBHOOK_URL, ConfigError, Settings

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

EXIT_CONFIG = 2
EXIT_FAILED = 1
STOP_BUDGET_SECONDS = 7.0  # stop() gets this long; closing the store needs the rest of 10 s
PURGE_INTERVAL_SECONDS = 60.0

EXAMPLES = """\
Settings come from FIRSTCONTACT_* environment variables (see README).

Example: FIRSTCONTACT_TELEGRAM_TOKEN=123456789:AAE... firstcontact run
Example: firstcontact run --webhook --webhook-url https://bot.example.org/telegram --port 8080
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run",
        help="start the Telegram bot (long polling, or --webhook)",
        description="Start the Telegram bot. Long polling by default; --webhook serves "
        "Telegram's webhook and GET /healthz on --listen/--port.",
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
            _env(args, os.environ), require_token=True, webhook=bool(args.webhook)
        )
    except ConfigError as exc:
        _print_problems("The bot cannot start; fix these settings:", exc.problems)
        return EXIT_CONFIG

    from bot.channels.telegram.logs import configure_logging

    configure_logging(settings.log_level)

    from bot.commands.common import load_runtime_or_explain
    from storage.keys import SecretError, load_or_create_secret

    runtime = load_runtime_or_explain()
    if runtime is None:
        return EXIT_CONFIG
    try:
        secret = load_or_create_secret(settings.data_dir, settings.secret_key)
    except (SecretError, OSError) as exc:
        print(f"The bot cannot start: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    return asyncio.run(serve(settings, runtime, secret, webhook=bool(args.webhook)))


async def serve(settings: Settings, runtime: Runtime, secret: bytes, *, webhook: bool) -> int:
    """Run until SIGTERM/SIGINT; returns the exit code."""
    from bot.channels.telegram import TelegramBot, TelegramOptions, WebhookOptions
    from storage import open_store, purge_loop, session_key

    try:
        store = await open_store(settings.database_url, settings.session_timeout)
    except (ValueError, OSError) as exc:
        print(f"The bot cannot start: the session database: {exc}", file=sys.stderr)
        return EXIT_CONFIG

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)

    options = TelegramOptions.from_settings(settings)
    bot = TelegramBot(options, runtime, store, partial(session_key, secret))
    purger = asyncio.create_task(purge_loop(store, PURGE_INTERVAL_SECONDS))
    code = 0
    try:
        try:
            if webhook:
                assert settings.webhook_url and settings.webhook_secret
                await bot.start_webhook(
                    WebhookOptions(
                        url=settings.webhook_url,
                        secret=settings.webhook_secret,
                        listen=settings.listen,
                        port=settings.port,
                        path=settings.webhook_path,
                    )
                )
            else:
                await bot.start_polling()
        except InvalidToken:
            print(
                "The bot cannot start: Telegram does not accept FIRSTCONTACT_TELEGRAM_TOKEN. "
                "Check it with @BotFather.",
                file=sys.stderr,
            )
            return EXIT_CONFIG
        except (NetworkError, OSError) as exc:
            print(
                f"The bot cannot start: Telegram or the listen address cannot be reached "
                f"({type(exc).__name__}). Check the network, {LISTEN} and {PORT}.",
                file=sys.stderr,
            )
            return EXIT_FAILED
        except TelegramError as exc:
            print(
                f"The bot cannot start: Telegram said no ({type(exc).__name__}).", file=sys.stderr
            )
            return EXIT_FAILED
        await stop.wait()
        log.info("stop signal received")
    finally:
        try:
            await asyncio.wait_for(bot.stop(), STOP_BUDGET_SECONDS)
        except (TimeoutError, TelegramError, OSError) as exc:
            log.warning("stopping was cut short error=%s", type(exc).__name__)
            code = EXIT_FAILED
        purger.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await purger
        await store.close()
        log.info("session store closed")
    return code
