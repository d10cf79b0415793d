"""HTTP for the Bot API client: one pooled aiohttp session, JSON bodies only.

PTB's default httpx transport cost more CPU per call than the bot's own work under load
(profiled: ~65 updates/s on 2 cores); this bot only ever sends JSON (never files), so a thin
aiohttp client is enough and several times cheaper per request. Every Bot API call, long polls
included, goes through the one session here (botapi.BotApi owns it).
"""

from __future__ import annotations

from typing import Protocol

import aiohttp
from telegram.error import NetworkError, TimedOut

API_CONNECTIONS = 16  # parallel calls; the client keeps chat-bound ones under Telegram's cap
USER_AGENT = "firstcontact (aiohttp)"


class Unsent(NetworkError):
    """The call never reached Telegram (no connection could be made): safe to send again.

    A timeout (TimedOut) or a connection cut after the request went out (NetworkError) leaves
    it unknown whether Telegram did it; botapi.BotApi decides what to send again.
    """


class Transport(Protocol):
    """Where a call goes: one POST of a JSON body, answered with (HTTP status, body bytes)."""

    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def send(
        self, method: str, body: bytes, timeout: float | None = None
    ) -> tuple[int, bytes]: ...


class HttpTransport:
    """The Bot API over one pooled aiohttp session; opened in start(), closed in stop()."""

    def __init__(self, base_url: str, token: str, connections: int, timeout: float):
        """`timeout`: seconds to connect; twice that for a whole call (a long poll sets its own)."""
        if connections < 1:
            raise ValueError("connections must be at least 1")
        self.connections = connections
        self.timeout = timeout
        self._prefix = f"{base_url}{token}/"
        self._headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        self._session: aiohttp.ClientSession | None = None

    def __repr__(self) -> str:  # the prefix holds the token
        return f"HttpTransport(connections={self.connections})"

    async def start(self) -> None:
        """Open lazily (aiohttp needs a running event loop); opening twice keeps the first."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.connections),
                skip_auto_headers=("User-Agent",),
                timeout=aiohttp.ClientTimeout(total=self.timeout * 2, sock_connect=self.timeout),
            )

    async def stop(self) -> None:
        """Close the session and its connections; safe to call twice."""
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def send(
        self, method: str, body: bytes, timeout: float | None = None
    ) -> tuple[int, bytes]:
        """One call: (status, body), or Unsent / PTB's TimedOut / NetworkError naming the error.

        `timeout` replaces the whole call's limit (getUpdates: the long poll plus a margin).
        """
        if self._session is None:
            raise NetworkError("the HTTP transport is not started")
        # Only a call's own limit is passed: aiohttp reads timeout=None as "no limit at all"
        # (not the session's), which left every call unbounded; a fault test found it.
        extra = {}
        if timeout is not None:
            extra["timeout"] = aiohttp.ClientTimeout(total=timeout, sock_connect=self.timeout)
        try:
            async with self._session.post(
                self._prefix + method, data=body, headers=self._headers, **extra
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut(f"Timed out: {type(exc).__name__}") from None
        except aiohttp.ClientConnectorError as exc:  # no connection: Telegram saw nothing
            raise Unsent(f"aiohttp.{type(exc).__name__}") from None
        except aiohttp.ClientError as exc:  # reset or cut off: it may have been done
            raise NetworkError(f"aiohttp.{type(exc).__name__}") from None
