"""`firstcontact run`: read the settings, then hand them to bot.application, which wires and
serves the web chat and, when a token is set, Telegram.

Wrong settings are printed as plain messages with exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse

from bot.config import LISTEN, PORT, WEBHOOK_URL, ConfigError, Settings

EXIT_CONFIG = 2

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


def run(args: argparse.Namespace) -> int:
    webhook = bool(args.webhook)
    options = {LISTEN: args.listen, PORT: args.port, WEBHOOK_URL: args.webhook_url}
    try:
        settings = Settings.from_env(require_token=webhook, webhook=webhook, overrides=options)
    except ConfigError as exc:
        exc.report("The bot cannot start; fix these settings:")
        return EXIT_CONFIG

    from bot.application import start
    from bot.channels.telegram.logs import configure_logging

    configure_logging(settings.log_level)
    return start(settings, webhook=webhook)
