"""Who may do what: the session cookie, the CSRF token, same-origin checks and rate limits.

The cookie holds a random chat token and nothing else; the session is stored under the keyed
hash of that token (storage.keys, as Telegram's chat id), so the database never sees it. The
CSRF token is another keyed hash of it, given to the page in JSON and sent back in a header.
Rate limits per address are token buckets in memory (per session, the turn's own gate); the
address is kept only as a keyed hash with a key made at start-up, never as it came.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from bot.channels.ordering import FloodGate

CHANNEL = "web"
COOKIE = "fc_chat"
SECURE_COOKIE = "__Host-fc_chat"  # browsers only accept it Secure, for this host, path /
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
CSRF_HEADER = "X-CSRF-Token"

Keyer = Callable[[str, str], str]  # (channel, chat token) -> session key


@dataclass(frozen=True, slots=True)
class WebLimits:
    """Requests per second after a burst; generous per address (a shelter shares one)."""

    session_burst: int = 10  # per session, held by the turn's own gate (danger still passes)
    session_rate: float = 1.0
    address_burst: int = 120
    address_rate: float = 5.0
    start_burst: int = 20  # new chats per address
    start_rate: float = 0.2
    max_keys: int = 50_000


class Guard:
    def __init__(self, secret: bytes, keyer: Keyer, proxies: tuple[str, ...], limits: WebLimits):
        self.secret = secret
        self.keyer = keyer
        self.proxies = tuple(ipaddress.ip_network(p, strict=False) for p in proxies)
        self.limits = limits
        self._address_key = secrets.token_bytes(32)  # dies with the process
        size = limits.max_keys
        self.per_address = FloodGate(limits.address_burst, limits.address_rate, size)
        self.starts = FloodGate(limits.start_burst, limits.start_rate, size)

    # ---- the chat token and what derives from it -------------------------------------

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    def token(self, request: web.Request) -> str | None:
        """The chat token from the cookie, or None if missing or not one we could have made."""
        value = request.cookies.get(SECURE_COOKIE) or request.cookies.get(COOKIE)
        return value if value and TOKEN_RE.match(value) else None

    def key(self, token: str) -> str:
        return self.keyer(CHANNEL, token)

    def csrf(self, token: str) -> str:
        mac = hmac.new(self.secret, b"web-csrf:" + token.encode(), hashlib.sha256)
        return mac.hexdigest()[:32]

    def csrf_ok(self, token: str, given: str | None) -> bool:
        return bool(given) and hmac.compare_digest(self.csrf(token), str(given))

    def set_cookie(self, request: web.Request, response: web.StreamResponse, token: str) -> None:
        """A session cookie (no expiry: gone when the browser closes), HttpOnly and Strict."""
        secure = self.secure(request)
        response.set_cookie(
            SECURE_COOKIE if secure else COOKIE,
            token,
            path="/",
            httponly=True,
            samesite="Strict",
            secure=secure,
        )

    def clear_cookie(self, request: web.Request, response: web.StreamResponse) -> None:
        for name in (SECURE_COOKIE, COOKIE):
            if name in request.cookies:
                response.del_cookie(name, path="/", secure=name == SECURE_COOKIE)

    # ---- where the request came from -------------------------------------------------

    def _from_proxy(self, request: web.Request) -> bool:
        if not self.proxies or request.remote is None:
            return False
        try:
            peer = ipaddress.ip_address(request.remote)
        except ValueError:
            return False
        return any(peer in network for network in self.proxies)

    def secure(self, request: web.Request) -> bool:
        """HTTPS to the browser: TLS here, or a trusted proxy says the browser used https."""
        if request.secure and request.scheme == "https":
            return True
        if self._from_proxy(request):
            proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
            return proto == "https"
        return False

    def host(self, request: web.Request) -> str:
        if self._from_proxy(request) and "X-Forwarded-Host" in request.headers:
            return request.headers["X-Forwarded-Host"].split(",")[0].strip().lower()
        return request.host.lower()

    def same_origin(self, request: web.Request) -> bool:
        """No Origin header (old browsers send none on same-origin POST) or our own host."""
        origin = request.headers.get("Origin")
        if origin is None:
            return True
        _, sep, rest = origin.partition("://")
        return bool(sep) and rest.lower() == self.host(request)

    def address(self, request: web.Request) -> str:
        """A keyed hash of the client's address (the proxy's view when the proxy is trusted)."""
        address = request.remote or "-"
        if self._from_proxy(request):
            hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",")]
            for hop in reversed([h for h in hops if h]):
                address = hop
                try:
                    if not any(ipaddress.ip_address(hop) in n for n in self.proxies):
                        break
                except ValueError:
                    break
        mac = hmac.new(self._address_key, address.encode("utf-8", "replace"), hashlib.sha256)
        return mac.hexdigest()[:24]
