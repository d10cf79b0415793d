"""Webhook mode on aiohttp: Telegram's endpoint, served beside the web chat or on its own.

`firstcontact run` mounts `WebhookEndpoint` on the web chat's server, so one port serves the
chat page, its API, Telegram and /healthz. `WebhookServer` serves it alone (tests, a bot without
the web chat). A request without Telegram's secret header gets 403 and one declaring more than
MAX_BODY bytes 413, both from the headers, before its body is read; a good one is parsed and
queued for the same handler as polling; with several workers it is handled before the answer
(503 if it cannot be taken now: Telegram delivers it again). No access log: it would only add
IP addresses.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from telegram.ext import Application

from bot.channels.telegram.presses import webhook_reply

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1 << 20  # an update is a few kB; anything this big is not from Telegram


def _json(status: int, body: dict) -> web.Response:
    return web.json_response(body, status=status, headers={"Cache-Control": "no-store"})


class WebhookEndpoint:
    """POST from Telegram: check the secret, parse, queue; 200 quickly so Telegram moves on.

    A button press is answered in the response body itself (answerCallbackQuery).
    """

    def __init__(
        self,
        application: Application,
        secret: str,
        take: Callable[[dict[str, Any]], Awaitable[bool]] | None = None,
    ):
        """`take`: several workers (UpdateHandler.take): the update is handled before the
        answer, which is 503 when it could not be taken now, so Telegram delivers it again."""
        self.application = application
        self.secret = secret.encode()
        self.take = take

    async def handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, self.secret):
            log.warning("webhook request refused: missing or wrong secret header")
            return _json(403, {"ok": False})
        if (request.content_length or 0) > MAX_BODY:
            log.warning("webhook request refused: body over %d bytes", MAX_BODY)
            return _json(413, {"ok": False})
        try:
            update = json.loads(await request.read())
        except web.HTTPRequestEntityTooLarge:
            raise
        except Exception as exc:  # malformed input must never reach the handler
            log.warning("webhook body not an update error=%s", type(exc).__name__)
            return _json(400, {"ok": False})
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            log.warning("webhook body not an update error=shape")
            return _json(400, {"ok": False})
        if self.take is not None:
            # Answered once handled: a worker that dies or loses its database meanwhile gives
            # no 2xx, and Telegram's redelivery goes to a worker that can take it.
            if not self.application.running or not await self.take(update):
                return _json(503, {"ok": False})
            return _json(200, webhook_reply(update) or {"ok": True})
        # Queued as JSON, like polling does: incoming.classify reads it without PTB objects.
        await self.application.update_queue.put(update)
        # A press is answered in this response (presses.py); the handler does not answer it again.
        return _json(200, webhook_reply(update) or {"ok": True})


class WebhookServer:
    """The endpoint and GET /healthz on a server of their own."""

    def __init__(
        self,
        application: Application,
        secret: str,
        path: str = "/telegram",
        take: Callable[[dict[str, Any]], Awaitable[bool]] | None = None,
    ):
        self.application = application
        self.secret = secret
        self.take = take
        self.path = path if path.startswith("/") else f"/{path}"
        self.started = time.monotonic()
        self._runner: web.AppRunner | None = None

    async def health(self, request: web.Request) -> web.Response:
        """Up or not, nothing about anybody."""
        running = self.application.running
        body = {
            "status": "ok" if running else "stopping",
            "mode": "webhook",
            "uptime_s": int(time.monotonic() - self.started),
        }
        return _json(200 if running else 503, body)

    async def start(self, listen: str, port: int) -> int:
        """Bind and serve; returns the port (useful with port 0)."""
        app = web.Application(client_max_size=MAX_BODY)
        endpoint = WebhookEndpoint(self.application, self.secret, self.take)
        app.router.add_post(self.path, endpoint.handle)
        app.router.add_get("/healthz", self.health)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, listen, port).start()
        bound = int(self._runner.addresses[0][1])
        log.info("webhook server listening port=%d", bound)
        return bound

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
