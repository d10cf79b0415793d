"""Webhook mode: setWebhook/deleteWebhook/getWebhookInfo and POSTing updates to the bot."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import deque
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

import aiohttp

from .limits import DEFAULT_UPDATE_TYPES, bad
from .records import SECRET_HEADER, Delivery, NoAnswer, Webhook

if TYPE_CHECKING:
    from .server import FakeBotApi


def _chat_key(update: dict) -> Any:
    """Updates of one chat are delivered in order; others may overlap."""
    for value in update.values():
        if isinstance(value, dict):
            chat = value.get("chat") or (value.get("message") or {}).get("chat")
            if chat:
                return chat["id"]
            if "from" in value:
                return value["from"]["id"]
    return update["update_id"]


class WebhookDelivery:
    """Mixin for FakeBotApi: holds the webhook and its delivery workers."""

    def __init__(self, attempts: int, retry_delay: float, timeout: float) -> None:
        self.webhook_attempts = attempts
        self.webhook_retry_delay = retry_delay
        self.webhook_timeout = timeout
        self._webhook: Webhook | None = None
        self._allowed_given = False
        self._hook_queue: asyncio.Queue[dict] = asyncio.Queue()
        self._workers: list[asyncio.Task] = []
        self._chat_locks: dict[Any, asyncio.Lock] = {}
        self._session: aiohttp.ClientSession | None = None

    async def _start_delivery(self) -> None:
        self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100))

    async def _stop_delivery(self: FakeBotApi) -> None:
        await self._stop_workers()
        if self._session:
            await self._session.close()
            self._session = None

    def _enqueue_delivery(self: FakeBotApi, update: dict) -> None:
        hook = self._webhook
        if hook and next(k for k in update if k != "update_id") in hook.allowed_updates:
            self._hook_queue.put_nowait(update)

    async def _stop_workers(self: FakeBotApi) -> None:
        """Cancel delivery; whatever was not delivered goes back to the getUpdates queue."""
        for task in self._workers:
            task.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers = []
        while not self._hook_queue.empty():
            self._pending.append(self._hook_queue.get_nowait())
        self._pending = deque(sorted(self._pending, key=lambda u: u["update_id"]))

    async def _set_webhook(self: FakeBotApi, params: dict, request: Any) -> bool:
        url = params["url"]
        if not url:
            return await self._delete_webhook(params, request)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise bad("bad webhook: An HTTPS URL must be provided for webhook")
        await self._stop_workers()
        if params.get("drop_pending_updates"):
            self._pending.clear()
        self._allowed_given = bool(params.get("allowed_updates"))
        allowed = frozenset(params.get("allowed_updates") or DEFAULT_UPDATE_TYPES)
        self._webhook = Webhook(
            url,
            params.get("secret_token"),
            params.get("max_connections", 40),
            allowed,
            params.get("ip_address"),
        )
        pending, self._pending = self._pending, deque()
        for update in pending:
            self._enqueue_delivery(update)
        self._workers = [
            asyncio.get_running_loop().create_task(self._deliver_loop())
            for _ in range(min(max(self._webhook.max_connections, 1), 100))
        ]
        self._wake_pollers()
        return True

    async def _delete_webhook(self: FakeBotApi, params: dict, request: Any) -> bool:
        await self._stop_workers()
        self._webhook = None
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    async def _get_webhook_info(self: FakeBotApi, params: dict, request: Any) -> dict:
        if self._webhook is None:
            return {
                "url": "",
                "has_custom_certificate": False,
                "pending_update_count": len(self._pending),
            }
        return self._webhook.info(self._hook_queue.qsize(), self._allowed_given)

    async def _deliver_loop(self: FakeBotApi) -> None:
        while True:
            update = await self._hook_queue.get()
            lock = self._chat_locks.setdefault(_chat_key(update), asyncio.Lock())
            try:
                async with lock:
                    await self._deliver(update)
            except asyncio.CancelledError:
                self._pending.append(update)
                raise

    async def _deliver(self: FakeBotApi, update: dict) -> None:
        hook = self._webhook
        assert hook is not None and self._session is not None
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers[SECRET_HEADER] = hook.secret_token
        payload = json.dumps(update)
        timeout = aiohttp.ClientTimeout(total=self.webhook_timeout)
        for attempt in range(1, self.webhook_attempts + 1):
            reply = None
            try:
                async with self._session.post(
                    hook.url, data=payload, headers=headers, timeout=timeout
                ) as response:
                    status, body = response.status, await response.text()
                    if response.content_type == "application/json" and body:
                        reply = json.loads(body)
                error = (
                    None
                    if 200 <= status < 300
                    else (f"Wrong response from the webhook: {status} {response.reason}")
                )
            except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
                status, body, error = None, "", f"Connection failed: {type(exc).__name__}"
            self.webhook_deliveries.append(
                Delivery(update["update_id"], status, body, error, attempt, bool(hook.secret_token))
            )
            if error is None:
                if isinstance(reply, dict) and "method" in reply:
                    params = {k: v for k, v in reply.items() if k != "method"}
                    with contextlib.suppress(NoAnswer):  # Telegram ignores its outcome
                        await self._call(str(reply["method"]), params)
                await self._notify()
                return
            hook.last_error_date = self.state.date()
            hook.last_error_message = error
            await self._notify()
            if attempt < self.webhook_attempts:
                await asyncio.sleep(self.webhook_retry_delay)

    server_methods: ClassVar[dict[str, Any]] = {
        "setWebhook": _set_webhook,
        "deleteWebhook": _delete_webhook,
        "getWebhookInfo": _get_webhook_info,
    }
