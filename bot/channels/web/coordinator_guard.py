"""Who is signed in to the coordinator page: the session cookie, its server-side session and the
forms' CSRF tokens.

The cookie holds a random token and nothing else (HttpOnly, SameSite=Strict, Secure over https,
`__Host-` then, an hour at most); the database keeps a keyed hash of it with the coordinator's
name and when it ends, so signing out or removing the coordinator ends it in every worker. Each
form carries a synchronizer token derived from the session's token; the sign-in form, before
any session, one derived from a short-lived sign-in cookie of its own.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable

from aiohttp import web

from bot.channels.web.guard import Guard
from storage.coordinators import CoordinatorStore

COOKIE = "fc_coord"
SECURE_COOKIE = "__Host-fc_coord"
SIGN_IN_COOKIE = "fc_coord_signin"
SECURE_SIGN_IN_COOKIE = "__Host-fc_coord_signin"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
SESSION_SECONDS = 3600  # signed out an hour after signing in
SIGN_IN_SECONDS = 900  # the sign-in form's own token
CSRF_REFUSED = (
    "This form has expired or did not come from this page, so nothing was changed. Open the "
    "page again and repeat what you did."
)


class CoordinatorSessions:
    def __init__(
        self,
        secret: bytes,
        store: CoordinatorStore,
        chat_guard: Guard,
        lifetime: int = SESSION_SECONDS,
        clock: Callable[[], float] = time.time,
    ):
        self.secret = secret
        self.store = store
        self.chat_guard = chat_guard  # https or not, same origin, the address's keyed hash
        self.lifetime = lifetime
        self.clock = clock

    def _mac(self, purpose: str, token: str) -> str:
        return hmac.new(self.secret, f"{purpose}:{token}".encode(), hashlib.sha256).hexdigest()

    def csrf(self, token: str) -> str:
        return self._mac("coord-csrf", token)[:32]

    def sign_in_csrf(self, token: str) -> str:
        return self._mac("coord-sign-in", token)[:32]

    @staticmethod
    def csrf_matches(expected: str, given: object) -> bool:
        return isinstance(given, str) and hmac.compare_digest(expected, given)

    # ---- cookies ---------------------------------------------------------------------------

    def _cookie(self, request: web.Request, plain: str, secure_name: str) -> str | None:
        value = request.cookies.get(secure_name) or request.cookies.get(plain)
        return value if value and TOKEN_RE.match(value) else None

    def _set(
        self, request: web.Request, response: web.StreamResponse, names: tuple[str, str],
        token: str, max_age: int,
    ) -> None:  # fmt: skip
        secure = self.chat_guard.secure(request)
        response.set_cookie(
            names[1] if secure else names[0],
            token,
            path="/",
            httponly=True,
            samesite="Strict",
            secure=secure,
            max_age=max_age,
        )

    def _clear(self, request: web.Request, response: web.StreamResponse, names) -> None:
        for name in names:
            if name in request.cookies:
                response.del_cookie(name, path="/", secure=name.startswith("__Host-"))

    # ---- the sign-in form ------------------------------------------------------------------

    def sign_in_token(self, request: web.Request) -> str | None:
        return self._cookie(request, SIGN_IN_COOKIE, SECURE_SIGN_IN_COOKIE)

    def give_sign_in_token(self, request: web.Request, response: web.StreamResponse) -> str:
        """The sign-in form's token (kept while the cookie lives); returns its CSRF value."""
        token = self.sign_in_token(request) or secrets.token_urlsafe(32)
        self._set(request, response, (SIGN_IN_COOKIE, SECURE_SIGN_IN_COOKIE), token,
                  SIGN_IN_SECONDS)  # fmt: skip
        return self.sign_in_csrf(token)

    # ---- the session -----------------------------------------------------------------------

    def token(self, request: web.Request) -> str | None:
        return self._cookie(request, COOKIE, SECURE_COOKIE)

    async def who(self, request: web.Request) -> tuple[str, str] | None:
        """(coordinator's name, session token) when signed in, else None."""
        token = self.token(request)
        if token is None:
            return None
        name = await self.store.session_name(self._mac("coord-session", token), self.clock())
        return (name, token) if name else None

    async def start(self, request: web.Request, response: web.StreamResponse, name: str) -> None:
        """A new session (a new token: never one the browser had before) for `name`."""
        now = self.clock()
        await self.store.purge_sessions(now)
        token = secrets.token_urlsafe(32)
        await self.store.start_session(self._mac("coord-session", token), name, now + self.lifetime)
        self._set(request, response, (COOKIE, SECURE_COOKIE), token, self.lifetime)
        self._clear(request, response, (SIGN_IN_COOKIE, SECURE_SIGN_IN_COOKIE))

    async def end(self, request: web.Request, response: web.StreamResponse) -> None:
        token = self.token(request)
        if token is not None:
            await self.store.end_session(self._mac("coord-session", token))
        self._clear(request, response, (COOKIE, SECURE_COOKIE))
