"""The PTB Application around the one update handler, and its start/stop in either mode.

`TelegramBot` is what both `firstcontact run` and the end-to-end tests use, so the tests run
exactly the production wiring, only with a different Bot API base URL and store.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, TypeHandler

from bot.channels.telegram import texts
from bot.channels.telegram.botapi import BotApi, BotApiRequest
from bot.channels.telegram.handlers import Keyer, Limits, SessionStore, UpdateHandler
from bot.channels.telegram.logs import quiet_libraries
from bot.channels.telegram.polling import RawPoller
from bot.channels.telegram.transport import API_CONNECTIONS, HttpTransport, Transport
from bot.channels.telegram.webhook import WebhookEndpoint, WebhookServer
from bot.channels.workers import Shared
from bot.i18n import SOURCE_LOCALE
from bot.runtime import Runtime

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger(__name__)

# Only what the handler uses: fewer update types means less data ever reaches the bot.
ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "channel_post")
TWO_LETTERS = re.compile(r"[a-z]{2}")  # the language_code setMyCommands and setMy*Description take


@dataclass(frozen=True)
class TelegramOptions:
    """How to reach Telegram and how hard to push it."""

    token: str = field(repr=False)
    base_url: str = "https://api.telegram.org/bot"
    poll_timeout: float = 25.0  # long-poll seconds for getUpdates
    request_timeout: float = 10.0
    # Updates in hand at once. Far above any backlog on purpose: under the send cap a handler
    # mostly waits for its chat's turn in the send queue (a few kB each, and PTB holds a task
    # per queued update anyway); a low bound here would make each new update, a danger message
    # or a press to acknowledge among them, wait behind handlers that only wait to send.
    concurrency: int = 100_000
    connections: int = API_CONNECTIONS  # parallel replies (getUpdates has its own one)
    max_retries: int = 3  # on 429, wait retry_after and send again
    # Messages per second across all chats: Telegram's documented bulk limit; 0 lifts the cap
    # (tests, the benchmark, a Bot API server pacing for itself): FIRSTCONTACT_TELEGRAM_MAX_RATE.
    overall_max_rate: float = 30.0
    limits: Limits = field(default_factory=Limits)
    announce: bool = True  # setMyCommands / setMy*Description at start, per language

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> TelegramOptions:
        """The options `firstcontact run` uses: the checked settings, plus any overrides."""
        if settings.telegram_token is None:
            raise ValueError("a bot token is needed to run on Telegram")
        given: dict[str, Any] = {
            "token": settings.telegram_token,
            "base_url": settings.telegram_api_url,
            "overall_max_rate": settings.telegram_max_rate,
        }
        return cls(**(given | overrides))


@dataclass(frozen=True)
class WebhookOptions:
    url: str
    secret: str = field(repr=False)
    listen: str = "127.0.0.1"
    port: int = 8080
    path: str = "/telegram"


def build_application(
    options: TelegramOptions, handler: UpdateHandler, client: BotApi
) -> Application:
    """A PTB Application: concurrent across chats, no persistence or job queue.

    It dispatches updates to the one handler; every Bot API call goes through `client`, PTB's
    own Bot included (BotApiRequest), so there is one connection pool and one error mapping.
    """
    quiet_libraries()
    request = BotApiRequest(client)
    application = (
        ApplicationBuilder()
        .token(options.token)
        .base_url(options.base_url)
        .concurrent_updates(options.concurrency)
        .request(request)
        .get_updates_request(request)
        .job_queue(None)
        .persistence(None)
        .updater(None)  # RawPoller fetches updates, through the client
        .build()
    )
    application.add_handler(TypeHandler(dict, handler))  # raw JSON: polling and webhook
    application.add_error_handler(_on_error)
    return application


async def _on_error(update: object, context: object) -> None:
    """Last resort: the error's type only (PTB's default would print the update)."""
    error = getattr(context, "error", None)
    log.error("unhandled error error=%s", type(error).__name__)


def announcements(runtime: Runtime) -> list[tuple[str, dict[str, Any]]]:
    """The start-up calls: the command menu, description and short description once per
    language. Dutch goes without a language_code (Telegram's default: it also reaches every
    client language we have no catalog for, as the conversation does); each catalog's language
    under its own two-letter code."""
    catalogs = runtime.catalogs
    facts = {"noodnummer": runtime.renderer.emergency_number(None)}
    calls: list[tuple[str, dict[str, Any]]] = []
    for locale in catalogs.locales:
        if locale == SOURCE_LOCALE:
            code: dict[str, str] = {}
        elif TWO_LETTERS.fullmatch(locale):
            code = {"language_code": locale}
        else:  # Telegram takes ISO 639-1 codes only; its client would never ask for this one
            log.warning("no Telegram menu for this language locale=%s", locale)
            continue
        commands = [
            {
                "command": texts.language_command(locale) if name == "language" else name,
                "description": wording.text(catalogs, locale),
            }
            for name, wording in texts.COMMANDS
        ]
        calls += [
            ("setMyCommands", {"commands": commands, **code}),
            (
                "setMyDescription",
                {"description": texts.DESCRIPTION.text(catalogs, locale, **facts), **code},
            ),
            (
                "setMyShortDescription",
                {"short_description": texts.SHORT_DESCRIPTION.text(catalogs, locale), **code},
            ),
        ]
    return calls


async def announce(client: BotApi, runtime: Runtime) -> None:
    """Commands and profile texts in every language; a failure is logged, the bot starts."""
    for name, params in announcements(runtime):
        try:
            await client.call(name, params)
        except (TelegramError, OSError) as exc:
            log.warning(
                "start-up call failed call=%s language=%s error=%s",
                name,
                params.get("language_code", "default"),
                type(exc).__name__,
            )


class TelegramBot:
    """One bot process: the PTB application plus polling or our own webhook server."""

    def __init__(
        self,
        options: TelegramOptions,
        runtime: Runtime,
        store: SessionStore,
        keyer: Keyer,
        transport: Transport | None = None,
        shared: Shared | None = None,
    ):
        """`transport` replaces HTTP (the in-process benchmark answers every call itself);
        `shared` coordinates several webhook workers on one PostgreSQL."""
        self.options = options
        if transport is None:
            transport = HttpTransport(
                options.base_url, options.token, options.connections, options.request_timeout
            )
        # Several workers share Telegram's one cap through PostgreSQL; one process (SQLite,
        # polling) keeps its own bucket; a rate of 0 lifts the cap either way.
        shared_cap = None
        if shared is not None and options.overall_max_rate > 0:
            shared_cap = shared.send_cap(options.overall_max_rate)
        self.client = BotApi(
            transport,
            overall_max_rate=options.overall_max_rate,
            overall=shared_cap,
            max_retries=options.max_retries,
        )
        self.runtime = runtime
        self.handler = UpdateHandler(runtime, store, keyer, options.limits, self.client, shared)
        self.application = build_application(options, self.handler, self.client)
        self.webhook: WebhookServer | None = None
        self.poller: RawPoller | None = None
        self._running = False

    @property
    def ready(self) -> bool:
        """Started and dispatching: updates are taken (the health check reports it)."""
        return self._running and self.application.running

    async def _start(self) -> None:
        """What both modes do first: open the client, getMe, announce, start dispatching."""
        await self.client.start()
        try:
            await self.application.initialize()  # getMe: a wrong token stops here
        except BaseException:
            await self.client.stop()
            raise
        self._running = True
        if self.options.announce:
            await announce(self.client, self.runtime)
        await self.application.start()

    async def start_polling(self) -> None:
        """Initialise, announce, then fetch updates by long polling."""
        await self._start()
        self.poller = RawPoller(
            self.client,
            self.application.update_queue,
            poll_timeout=self.options.poll_timeout,
            request_timeout=self.options.request_timeout,
            allowed_updates=ALLOWED_UPDATES,
        )
        await self.poller.start()
        log.info("telegram bot started mode=polling")

    def webhook_endpoint(self, secret: str) -> WebhookEndpoint:
        """Telegram's endpoint for a server that serves it beside other routes (the web chat)."""
        return WebhookEndpoint(self.application, secret, self._take())

    def _take(self) -> Any:
        """Several workers: each update is handled within Telegram's request (see webhook.py)."""
        return self.handler.take if self.handler.ledger is not None else None

    async def start_webhook(self, webhook: WebhookOptions, *, serve: bool = True) -> int:
        """Initialise, announce, serve the webhook and tell Telegram where it is; returns port.

        With serve=False another server already serves `webhook_endpoint` at webhook.path.
        """
        await self._start()
        self.handler.presses.upstream = True  # in each webhook response
        port = webhook.port
        if serve:
            self.webhook = WebhookServer(
                self.application, webhook.secret, webhook.path, take=self._take()
            )
            port = await self.webhook.start(webhook.listen, webhook.port)
        await self.client.call(
            "setWebhook",
            {
                "url": webhook.url,
                "secret_token": webhook.secret,
                "allowed_updates": list(ALLOWED_UPDATES),
                "drop_pending_updates": False,
            },
        )
        log.info("telegram bot started mode=webhook port=%d", port)
        return port

    async def stop(self) -> None:
        """Stop taking updates, finish the ones in hand, release connections. Idempotent."""
        if not self._running:
            return
        self._running = False
        if self.poller is not None:
            await self.poller.stop()
            self.poller = None
        if self.webhook is not None:
            await self.webhook.stop()
            self.webhook = None
        if self.application.running:
            await self.application.stop()  # waits for the updates in hand
        await self.handler.drain()
        await self.application.shutdown()
        await self.client.stop()
        log.info("telegram bot stopped")

    async def __aenter__(self) -> TelegramBot:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.shield(self.stop())
