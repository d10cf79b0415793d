"""An aiohttp Telegram Bot API that refuses what the real one would, for end-to-end tests."""

from __future__ import annotations

import asyncio
import json
import re
import socket
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any, ClassVar

from aiohttp import web

from .limits import ApiError, bad
from .methods import HANDLERS, send_other
from .polling import Gone, Polling
from .pushes import PushApi
from .records import Call, Delivery, Failure, NoAnswer, error_body
from .spec import SPEC
from .state import BotState, FakeClock
from .validate import is_file, validate_call
from .webhook import WebhookDelivery

TOKEN_RE = re.compile(r"\d+:[A-Za-z0-9_-]{30,}")
DEFAULT_TOKEN = "123456789:AAFakeTokenForFirstContactEndToEndTests"
_JSON_TYPES = ("application/json",)
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class FakeBotApi(PushApi, Polling, WebhookDelivery):
    """A strict fake of api.telegram.org: async context manager serving /bot<token>/<method>."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        validate_pushes: bool = True,
        webhook_attempts: int = 3,
        webhook_retry_delay: float = 0.2,
        webhook_timeout: float = 10.0,
    ) -> None:
        if not TOKEN_RE.fullmatch(token):
            raise ValueError("token must look like a real one: <digits>:<30+ characters>")
        self.token = token
        self.validate_pushes = validate_pushes
        self.clock = FakeClock()
        self.state = BotState(token, self.clock)
        self.sent: list[Call] = []
        self.calls_rejected: list[Call] = []
        self.webhook_deliveries: list[Delivery] = []
        self._ok: dict[tuple[str, Any], list[Call]] = defaultdict(list)
        self._failures: dict[str, deque[Failure]] = defaultdict(deque)
        self._delays: dict[str, list] = {}
        self._cond = asyncio.Condition()
        self._waiters = 0
        self._tasks: set[asyncio.Task] = set()
        self._runner: web.AppRunner | None = None
        self._port = 0
        Polling.__init__(self)
        WebhookDelivery.__init__(self, webhook_attempts, webhook_retry_delay, webhook_timeout)

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> FakeBotApi:
        """Listen on 127.0.0.1 on a free port."""
        app = web.Application(client_max_size=50 * 1024**2)  # uploads up to 50 MB
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        self._runner = web.AppRunner(app, handler_cancellation=True, access_log=None)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        await self._start_delivery()
        return self

    async def stop(self) -> None:
        """Stop delivering and serving; pending long polls end."""
        await self._stop_delivery()
        if self._poll:
            self._poll.superseded = True
        self._wake_pollers()
        if self._runner:
            await self._runner.cleanup()
            self._runner = None
        for task in list(self._tasks):
            task.cancel()

    async def __aenter__(self) -> FakeBotApi:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    @property
    def base_url(self) -> str:
        """For ApplicationBuilder().base_url(...)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """For ApplicationBuilder().base_file_url(...)."""
        return f"{self.url}/file/bot"

    # ------------------------------------------------------------ test controls

    def fail_next(
        self,
        method: str,
        error_code: int = 429,
        *,
        retry_after: int | None = None,
        times: int = 1,
        description: str | None = None,
        chat_id: Any = None,
    ) -> None:
        """Answer the next `times` calls of `method` (to `chat_id`) with an error instead."""
        self._failures[self._method_name(method)].append(
            Failure(error_code, retry_after, description, times, chat_id=chat_id)
        )

    def reset_next(
        self, method: str, *, times: int = 1, chat_id: Any = None, delivered: bool = False
    ) -> None:
        """Cut the connection of the next `times` calls with no answer; `delivered`: after
        doing the call (the message is in the chat, the bot does not know)."""
        self._failures[self._method_name(method)].append(
            Failure(0, None, None, times, kind="reset", chat_id=chat_id, delivered=delivered)
        )

    def stall_next(
        self,
        method: str,
        seconds: float,
        *,
        times: int = 1,
        chat_id: Any = None,
        delivered: bool = False,
    ) -> None:
        """Hold the answer to the next `times` calls for `seconds` (longer than the client
        waits: it times out); `delivered`: the call is done before the answer is held."""
        self._failures[self._method_name(method)].append(
            Failure(
                0, None, None, times, kind="stall", chat_id=chat_id, delivered=delivered,
                hold=seconds,
            )
        )  # fmt: skip

    @property
    def injected(self) -> list[Call]:
        """Calls that met an injected fault (error, reset or stall), in order."""
        return [call for call in self.sent if call.injected]

    def delay(self, method: str, seconds: float, *, times: int | None = None) -> None:
        """Hold every (or the next `times`) answer to `method` for `seconds`."""
        self._delays[self._method_name(method)] = [seconds, times]

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: calls to this chat get 403 Forbidden."""
        self.state.blocked.add(chat_id)

    def calls(self, method: str | None = None, chat_id: int | None = None) -> list[Call]:
        """Successful calls, optionally of one method and chat."""
        if method is None:
            return [call for call in self.sent if call.ok]
        return list(self._ok[self._method_name(method), chat_id])

    def count(self, method: str, chat_id: int | None = None) -> int:
        """How many successful calls of `method` (to `chat_id`) were made so far."""
        return len(self._ok[self._method_name(method), chat_id])

    def messages_in(self, chat_id: int) -> list[dict]:
        """The bot's messages in a chat that are still there (not deleted), oldest first."""
        chat = self.state.chats.get(chat_id)
        if chat is None:
            return []
        kept = [s.message for s in chat.messages.values() if s.outgoing and not s.deleted]
        return sorted(kept, key=lambda m: m["message_id"])

    def send_times(self, chat_id: int) -> list[float]:
        """time.monotonic() of every message the bot sent to a chat (for flood checks)."""
        chat = self.state.chats.get(chat_id)
        return list(chat.send_times) if chat else []

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until predicate() is truthy, re-checking whenever something happens."""
        self._waiters += 1
        try:
            async with self._cond:
                return await asyncio.wait_for(self._cond.wait_for(predicate), timeout)
        except TimeoutError:
            recent = ", ".join(f"{c.method}:{'ok' if c.ok else c.reason}" for c in self.sent[-8:])
            raise AssertionError(f"timed out after {timeout}s; last calls: {recent}") from None
        finally:
            self._waiters -= 1

    async def wait_for_calls(
        self, method: str, count: int, chat_id: int | None = None, timeout: float = 5.0
    ) -> list[Call]:
        """Wait until `count` successful calls of `method` (to `chat_id`) were made in total."""
        calls = self._ok[self._method_name(method), chat_id]
        await self.wait_for(lambda: len(calls) >= count, timeout)
        return list(calls)

    # ------------------------------------------------------------ HTTP

    def _method_name(self, name: str) -> str:
        method = SPEC.method(name)
        if method is None:
            raise ValueError(f"{name!r} is not a Bot API method")
        return method.name

    async def _handle(self, request: web.Request) -> web.Response:
        token, name = request.match_info["token"], request.match_info["method"]
        if not TOKEN_RE.fullmatch(token):
            body, status = self._finish(name, {}, ApiError(404, "Not Found"))
        elif token != self.token:
            body, status = self._finish(name, {}, ApiError(401, "Unauthorized"))
        else:
            try:
                raw = await self._read_params(request)
            except ApiError as exc:
                body, status = self._finish(name, {}, exc)
            else:
                try:
                    body, status = await self._call(name, raw, request)
                except NoAnswer:  # the connection is cut: this answer is never read
                    return web.Response(status=204)
        return web.Response(text=json.dumps(body), status=status, content_type="application/json")

    @staticmethod
    async def _read_params(request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if not request.body_exists:
            return params
        if request.content_type in _JSON_TYPES:
            try:
                body = await request.json()
            except ValueError:
                raise bad("can't parse JSON encoded request body") from None
            if not isinstance(body, dict):
                raise bad("JSON request body must be an object")
            params.update(body)
        elif request.content_type in _FORM_TYPES:
            params.update((await request.post()).items())
        return params

    async def _call(
        self, name: str, raw: dict, request: web.Request | None = None
    ) -> tuple[dict, int]:
        """Run one call through injection, validation and the method, and record it."""
        method = SPEC.method(name)
        if method is None:
            return self._finish(name, raw, ApiError(404, "Not Found: method not found"))
        name = method.name
        hold = self._delays.get(name)
        if hold:
            if hold[1] is not None:
                hold[1] -= 1
                if hold[1] <= 0:
                    del self._delays[name]
            await asyncio.sleep(hold[0])
        failure = self._take_failure(name, raw)
        if failure is not None and failure.kind == "error":
            return self._finish(name, raw, failure.error(), injected=True)
        if failure is not None and not failure.delivered:
            self.sent.append(Call(name, raw, {"ok": False, "description": failure.kind}, 0, True))
            await self._no_answer(failure, request)
        done = len(self.sent)  # a method answered without waiting records its call here
        body, status = await self._perform(method, name, raw, request)
        if failure is not None:  # done, but the bot never hears of it
            self.sent[done].injected = True
            await self._no_answer(failure, request)
        return body, status

    def _take_failure(self, name: str, raw: dict) -> Failure | None:
        """The first fault waiting for this call (its method, and its chat if one was named)."""
        failures = self._failures.get(name)
        for failure in failures or ():
            if failure.matches(raw):
                failure.times -= 1
                if failure.times <= 0:
                    failures.remove(failure)
                return failure
        return None

    async def _no_answer(self, failure: Failure, request: web.Request | None) -> None:
        """A stall holds the answer; a reset (and a stall the client gave up on) cuts it."""
        await self._notify()
        if failure.kind == "stall":
            await asyncio.sleep(failure.hold)
        if request is not None and request.transport is not None:
            request.transport.abort()
        raise NoAnswer

    async def _perform(
        self, method: Any, name: str, raw: dict, request: web.Request | None
    ) -> tuple[dict, int]:
        params: dict = raw
        try:
            given = {k: v for k, v in raw.items() if not (is_file(v) and k not in method.params)}
            params, texts = validate_call(method, given)
            if name in self._server_methods:
                result = await self._server_methods[name](self, params, request)
            elif name in HANDLERS:
                result = HANDLERS[name](self.state, params, texts)
            elif "chat_id" in params and method.returns[0].endswith(("Message", "MessageId")):
                result = send_other(method, self.state, params, texts)
            else:
                if "chat_id" in params:
                    self.state.find_chat(params["chat_id"])
                result = True
        except ApiError as exc:
            return self._finish(name, params, exc)
        body, status = self._finish(name, params, result)
        await self._notify()
        return body, status

    def _finish(
        self, name: str, params: dict, outcome: Any, injected: bool = False
    ) -> tuple[dict, int]:
        if isinstance(outcome, ApiError):
            body, status = error_body(outcome), outcome.code
            if isinstance(outcome, Gone):
                return body, status
        else:
            body, status = {"ok": True, "result": outcome}, 200
        call = Call(name, params, body, status, injected)
        self.sent.append(call)
        if status == 200:
            self._ok[name, None].append(call)
            chat_id = params.get("chat_id")
            if chat_id is not None:
                self._ok[name, chat_id].append(call)
        elif 400 <= status < 500 and not injected:
            self.calls_rejected.append(call)
        if status != 200:
            self._notify_soon()
        return body, status

    async def _file(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        if request.match_info["token"] != self.token or path not in self.state.file_paths:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        return web.Response(body=f"fake file {path}".encode())

    # ------------------------------------------------------------ waiting

    async def _notify(self) -> None:
        if self._waiters:
            async with self._cond:
                self._cond.notify_all()

    def _notify_soon(self) -> None:
        if not self._waiters:
            return
        try:
            task = asyncio.get_running_loop().create_task(self._notify())
        except RuntimeError:
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    _server_methods: ClassVar[dict[str, Callable]] = {
        "getUpdates": Polling._get_updates,
        **WebhookDelivery.server_methods,
    }
