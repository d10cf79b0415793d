"""An aiohttp transport for PTB: the default httpx one spends most of the CPU under load.

Profiling the Telegram benchmark showed httpx/httpcore costing more per call than the bot's own
work, capping a 2-core machine at ~65 updates/s. This bot only ever sends JSON (never files),
so a thin aiohttp client is enough and several times cheaper per request.
"""

from __future__ import annotations

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

API_CONNECTIONS = 16  # parallel reply calls; the Sender keeps them under Telegram's cap
POLL_MARGIN = 10.0  # seconds getUpdates may take beyond its long-poll timeout


class HttpPool:
    """One aiohttp session with a bounded connection pool; its owner opens and closes it."""

    def __init__(self, connections: int, timeout: aiohttp.ClientTimeout | None = None):
        if connections < 1:
            raise ValueError("connections must be at least 1")
        self.connections = connections
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def open(self) -> None:
        """Open lazily (aiohttp needs a running event loop); opening twice keeps the first."""
        if self._session is None or self._session.closed:
            options = {} if self._timeout is None else {"timeout": self._timeout}
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.connections),
                skip_auto_headers=("User-Agent",),
                **options,
            )

    async def close(self) -> None:
        """Close the session and its connections; safe to call twice."""
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def fetch(
        self,
        method: str,
        url: str,
        body: bytes | None,
        headers: dict[str, str],
        timeout: aiohttp.ClientTimeout | None = None,
    ) -> tuple[int, bytes]:
        """One HTTP call: (status, body), or PTB's TimedOut / NetworkError naming the error type."""
        if self._session is None:
            raise NetworkError("the HTTP pool is not open")
        try:
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut(f"Timed out: {type(exc).__name__}") from None
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}") from None


class AiohttpRequest(BaseRequest):
    """PTB's BaseRequest over one aiohttp session (opened in initialize, closed in shutdown)."""

    __slots__ = ("_pool", "_read_timeout", "_timeout")

    def __init__(
        self,
        connections: int = API_CONNECTIONS,
        timeout: float = 10.0,
        read_timeout: float | None = None,
    ):
        self._pool = HttpPool(connections)
        self._timeout = timeout
        self._read_timeout = timeout if read_timeout is None else read_timeout

    @classmethod
    def for_updates(cls, timeout: float = 10.0) -> AiohttpRequest:
        """One connection for getUpdates; PTB adds the long-poll time to this read timeout."""
        return cls(1, timeout, read_timeout=max(timeout, POLL_MARGIN))

    @property
    def read_timeout(self) -> float | None:
        """PTB adds the getUpdates long-poll time to this when the caller passes none."""
        return self._read_timeout

    async def initialize(self) -> None:
        await self._pool.open()

    async def shutdown(self) -> None:
        await self._pool.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | DefaultValue[None] | None = BaseRequest.DEFAULT_NONE,
        write_timeout: float | DefaultValue[None] | None = BaseRequest.DEFAULT_NONE,
        connect_timeout: float | DefaultValue[None] | None = BaseRequest.DEFAULT_NONE,
        pool_timeout: float | DefaultValue[None] | None = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send the call as JSON; returns (HTTP status, body) for PTB to parse."""
        if request_data is not None and request_data.contains_files:
            raise NotImplementedError(
                "AiohttpRequest sends JSON only: this bot never uploads files"
            )
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = self._timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        pool = self._timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        total = None if read is None else read + (connect or 0) + (pool or 0)
        timeout = aiohttp.ClientTimeout(total=total, sock_connect=connect, sock_read=read)
        body = request_data.json_payload if request_data is not None else None
        headers = {"User-Agent": self.USER_AGENT, "Content-Type": "application/json"}
        return await self._pool.fetch(method, url, body, headers, timeout)
