"""The web chat's aiohttp application and server: page, files, API, health, in one process.

`WebChat` is what `firstcontact run`, the tests and the benchmark all start, so they run the
production wiring with only a different store, port or limits.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.channels.turn import Limits, SessionStore, Turn
from bot.channels.web.api import MAX_BODY, ChatApi
from bot.channels.web.chats import Chats
from bot.channels.web.coordinator_page import CoordinatorPage, PageOptions
from bot.channels.web.guard import Guard, Keyer, WebLimits
from bot.channels.web.headers import AccessLogger, Handler, middleware
from bot.channels.web.page import Asset, Pages, load_assets
from bot.languages import negotiate
from bot.runtime import Runtime

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger(__name__)

LARGEST_BODY = 1 << 20  # what any route may take (Telegram's webhook); each route has its own
ROBOTS = b"User-agent: *\nDisallow: /\n"


@dataclass(frozen=True)
class WebOptions:
    listen: str = "127.0.0.1"
    port: int = 8080
    frame_ancestors: tuple[str, ...] = ()
    trusted_proxies: tuple[str, ...] = ()
    exit_url: str = "https://www.buienradar.nl/"
    limits: WebLimits = field(default_factory=WebLimits)
    max_body: int = MAX_BODY

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> WebOptions:
        given: dict[str, Any] = {
            "listen": settings.listen,
            "port": settings.port,
            "frame_ancestors": settings.web_frame_ancestors,
            "trusted_proxies": settings.web_trusted_proxies,
            "exit_url": settings.web_exit_url,
        }
        return cls(**(given | overrides))


class WebChat:
    """Build with the runtime, store and key function; start() binds, stop() closes."""

    def __init__(
        self,
        options: WebOptions,
        runtime: Runtime,
        store: SessionStore,
        keyer: Keyer,
        secret: bytes,
        health: Callable[[], dict[str, Any]] | None = None,
        coordinators: PageOptions | None = None,
    ):
        self.options = options
        self.runtime = runtime
        self.health_extra = health or dict
        self.guard = Guard(secret, keyer, options.trusted_proxies, options.limits)
        self.chats = Chats()
        self.locales = tuple(runtime.engine.locales)
        limits = options.limits
        # One turn per process and channel: its gate holds each session to the web's limits.
        self.turn = Turn(runtime, store, Limits(limits.session_burst, limits.session_rate))
        self.api = ChatApi(self.guard, self.turn, self.chats, runtime, store)
        self.assets = load_assets()
        self.pages = Pages(
            self.assets,
            options.exit_url,
            options.frame_ancestors,
            runtime.renderer.emergency_number(None),
            runtime.catalogs,
        )
        self.started = time.monotonic()
        self._body_limits: dict[str, int] = {}
        self.app = self._build()
        self.coordinators: CoordinatorPage | None = None
        if coordinators is not None:  # off unless configured (FIRSTCONTACT_COORDINATOR_PAGE)
            css, icon = self.pages.url("coordinators.css"), self.pages.url("favicon.svg")
            chosen = replace(coordinators, css=css, icon=icon)
            self.coordinators = CoordinatorPage(chosen, self.guard)
            self.coordinators.register(self.app.router)
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    def _build(self) -> web.Application:
        def body_limit(route: str) -> int:
            return self._body_limits.get(route, self.options.max_body)

        app = web.Application(
            client_max_size=LARGEST_BODY,
            middlewares=[middleware(self.options.frame_ancestors, body_limit)],
        )
        app.router.add_get("/", self.page)
        app.router.add_get("/static/{name}", self.static)
        app.router.add_get("/robots.txt", self.robots)
        app.router.add_get("/healthz", self.health)
        app.router.add_post("/api/chat", self.api.chat)
        app.router.add_post("/api/exit", self.api.exit)
        return app

    def add_post(self, path: str, handler: Handler, max_body: int) -> None:
        """Serve another POST route on this server (Telegram's webhook); before start() only."""
        self._body_limits[path] = min(max_body, LARGEST_BODY)
        self.app.router.add_post(path, handler)

    async def page(self, request: web.Request) -> web.Response:
        locale = self._page_locale(request)
        return web.Response(
            body=self.pages.render(locale),
            content_type="text/html",
            charset="utf-8",
            headers={"Content-Language": locale, "Vary": "Accept-Language"},
        )

    def _page_locale(self, request: web.Request) -> str:
        wanted = negotiate(request.headers.get("Accept-Language"), self.locales)
        return wanted or (self.locales[0] if self.locales else "nl")

    async def static(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        asset: Asset | None = self.assets.get(name)
        if asset is None:
            raise web.HTTPNotFound()
        current = request.query.get("v") == asset.version
        headers = {
            "ETag": asset.etag,
            "Cache-Control": "public, max-age=31536000, immutable" if current else "no-cache",
        }
        if name == "embed.js":  # loaded by the embedding site's own page
            headers["Cross-Origin-Resource-Policy"] = "cross-origin"
        if request.headers.get("If-None-Match") == asset.etag:
            return web.Response(status=304, headers=headers)
        return web.Response(body=asset.body, content_type=asset.content_type, headers=headers)

    async def robots(self, request: web.Request) -> web.Response:
        return web.Response(body=ROBOTS, content_type="text/plain")

    async def health(self, request: web.Request) -> web.Response:
        """Up or not, nothing about anybody."""
        body = {
            "status": "ok",
            "web": True,
            "uptime_s": int(time.monotonic() - self.started),
            **self.health_extra(),
        }
        return web.json_response(body)

    async def start(self) -> int:
        """Bind and serve; returns the port (useful with port 0)."""
        self._runner = web.AppRunner(
            self.app, access_log_class=AccessLogger, access_log=log, handle_signals=False
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.options.listen, self.options.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        log.info("web chat listening port=%d", self.port)
        return self.port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> WebChat:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
