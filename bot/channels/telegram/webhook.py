"""Our own small web server for webhook mode: the Telegram endpoint and /healthz.

Tornado comes with python-telegram-bot[webhooks], so no extra dependency. A request without
Telegram's secret header gets 403; a good one is parsed and queued for the same handler as
polling. Access logs are off: they would only add IP addresses.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from typing import Any

from telegram.ext import Application
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application as WebApp
from tornado.web import RequestHandler

from bot.channels.telegram.presses import webhook_reply

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1 << 20  # an update is a few kB; anything this big is not from Telegram


class _Base(RequestHandler):
    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.clear_header("Server")

    def log_exception(self, typ, value, tb) -> None:
        """Type only: tornado's own report would include the request line and a traceback."""
        log.error("webhook request failed error=%s", getattr(typ, "__name__", "?"))

    def _json(self, status: int, body: dict[str, Any]) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))


class UpdateEndpoint(_Base):
    """POST from Telegram: check the secret, parse, queue; 200 quickly so Telegram moves on.

    A button press is answered in the response body itself (answerCallbackQuery).
    """

    def initialize(self, ptb: Application, secret: str) -> None:
        self.ptb = ptb
        self.secret = secret.encode()

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, self.secret):
            log.warning("webhook request refused: missing or wrong secret header")
            self._json(403, {"ok": False})
            return
        try:
            update = json.loads(self.request.body)
        except Exception as exc:  # malformed input must never reach the handler
            log.warning("webhook body not an update error=%s", type(exc).__name__)
            self._json(400, {"ok": False})
            return
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            log.warning("webhook body not an update error=shape")
            self._json(400, {"ok": False})
            return
        # Queued as JSON, like polling does: incoming.classify reads it without PTB objects.
        await self.ptb.update_queue.put(update)
        # A press is answered in this response (presses.py); the handler does not answer it again.
        self._json(200, webhook_reply(update) or {"ok": True})


class HealthEndpoint(_Base):
    """GET /healthz: up or not, nothing about anybody."""

    def initialize(self, ptb: Application, started: float) -> None:
        self.ptb = ptb
        self.started = started

    def get(self) -> None:
        running = self.ptb.running
        body = {
            "status": "ok" if running else "stopping",
            "mode": "webhook",
            "uptime_s": int(time.monotonic() - self.started),
        }
        self._json(200 if running else 503, body)


def _no_access_log(handler: RequestHandler) -> None:
    """Tornado's access log would record client IPs; status problems are logged by handlers."""


class WebhookServer:
    def __init__(self, application: Application, secret: str, path: str = "/telegram"):
        self.application = application
        self.secret = secret
        self.path = path if path.startswith("/") else f"/{path}"
        self._server: HTTPServer | None = None

    def _web_app(self) -> WebApp:
        started = time.monotonic()
        return WebApp(
            [
                (
                    self.path,
                    UpdateEndpoint,
                    {"ptb": self.application, "secret": self.secret},
                ),
                ("/healthz", HealthEndpoint, {"ptb": self.application, "started": started}),
            ],
            log_function=_no_access_log,
            compress_response=False,
        )

    async def start(self, listen: str, port: int) -> int:
        """Bind and serve; returns the port (useful with port 0)."""
        sockets = bind_sockets(port, address=listen)
        self._server = HTTPServer(self._web_app(), max_body_size=MAX_BODY, xheaders=False)
        self._server.add_sockets(sockets)
        bound = sockets[0].getsockname()[1]
        log.info("webhook server listening port=%d", bound)
        return bound

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.stop()
        await self._server.close_all_connections()
        self._server = None
