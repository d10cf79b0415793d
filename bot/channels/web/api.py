"""POST /api/chat and /api/exit: check who asks, hold the chat's turn, answer with events.

Order per request: address gate, body and command checked, cookie and CSRF token; then a
retry gets the replies it missed (once the turn in hand is done), and a new command passes the
turn's own gate (typed danger passes a full gate once per 10 s, as on Telegram) and gets one
conversation turn. Nothing he typed is logged; the session appears as the first 8 hex of its key.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web

from bot.channels.turn import Inbound, SessionStore, Turn
from bot.channels.web.chats import Chats, ChatState
from bot.channels.web.guard import CSRF_HEADER, Guard
from bot.channels.web.headers import error_response, read_body
from bot.channels.web.protocol import BadCommand, Command, message_event, parse
from bot.channels.web.turn import WebOutbound, current_step
from bot.engine.model import Start
from bot.runtime import Runtime

log = logging.getLogger(__name__)

MAX_BODY = 16 * 1024  # a 4,096-character message in JSON is well under this
JSON_TYPES = ("application/json",)
BEACON_TYPES = ("application/json", "text/plain")


class ChatApi:
    def __init__(
        self, guard: Guard, turn: Turn, chats: Chats, runtime: Runtime, store: SessionStore
    ):
        self.guard = guard
        self.turn = turn
        self.chats = chats
        self.runtime = runtime
        self.store = store
        self.locales = tuple(runtime.engine.locales)
        self.handled = 0  # commands answered (benchmarks read it)

    async def chat(self, request: web.Request) -> web.StreamResponse:
        admit, _ = self.guard.per_address.admit(self.guard.address(request))
        if not admit:
            return _slow_down()
        if request.content_type not in JSON_TYPES:
            return error_response(415, "unsupported_media_type", "Send application/json.")
        if not self.guard.same_origin(request):
            return error_response(403, "forbidden", "Only this site's own page may post here.")
        try:
            command = parse(json.loads(await read_body(request, MAX_BODY)))
        except (ValueError, RecursionError) as exc:  # nesting past the parser's depth too
            detail = str(exc) if isinstance(exc, BadCommand) else "The body is not valid JSON."
            return error_response(400, "bad_request", detail)
        token = self.guard.token(request)
        if command.kind == "start_chat":
            return await self._start(request, command, token)
        if token is None:
            return error_response(401, "no_chat", "No chat: send start_chat first.")
        if not self.guard.csrf_ok(token, request.headers.get(CSRF_HEADER)):
            return error_response(403, "forbidden", "Missing or wrong X-CSRF-Token.")
        key = self.guard.key(token)
        chat = self.chats.get(key)
        chat.ack(command.ack)
        if command.kind == "ack_chat":
            return self._events(chat, command.ack)
        if chat.handled(command.id):  # a retry: the replies, once the turn in hand is done
            async with self.turn.locks.hold(key):
                return self._events(chat, command.ack)
        assert command.event is not None
        if not self.turn.admit(key, command.event).admit:
            return _slow_down()
        chat.remember(command.id)
        try:
            answer = await self.turn.take(
                Inbound(key, command.event), WebOutbound(chat, self.chats)
            )
        except BaseException:
            chat.done.pop(command.id or "", None)  # not taken: its retry must run the turn
            raise
        if not answer.forgotten:
            return self._events(chat, command.ack)
        self.chats.forget(key)
        response = self._events(chat, command.ack, last={"type": "chat_forgotten"})
        self.guard.clear_cookie(request, response)
        return response

    async def _start(self, request: web.Request, command: Command, token: str | None):
        """Resume the chat the cookie names if it lives; else a new chat with a new cookie."""
        if token is not None:
            key = self.guard.key(token)
            current = await current_step(self.runtime, self.store, key)
            if current is not None:
                chat = self.chats.get(key)
                chat.ack(command.ack)
                if command.ack is None:  # a page that shows nothing yet: the step again
                    chat.ack(chat.last_id)
                    chat.add(current, self.chats.clock)
                return self._events(chat, command.ack, self._hello(token, "resumed"))
            self.chats.forget(key)
        if command.resume:
            return error_response(401, "no_chat", "That chat was erased or has expired.")
        if not self.guard.starts.admit(self.guard.address(request))[0]:
            return _slow_down()
        token = self.guard.new_token()
        key = self.guard.key(token)
        chat = self.chats.get(key)
        # The page's language if the bot speaks it, else the browser's Accept-Language: the
        # turn negotiates both (bot/languages.py), as it does Telegram's language_code.
        start = Start(locale=command.locale)
        accept = request.headers.get("Accept-Language")
        await self.turn.take(Inbound(key, start, language=accept), WebOutbound(chat, self.chats))
        response = self._events(chat, None, self._hello(token, "started"))
        self.guard.set_cookie(request, response, token)
        log.debug("web chat started session=%s", key[:8])
        return response

    async def exit(self, request: web.Request) -> web.StreamResponse:
        """The quick exit's beacon: forget the session now. Always 204, whatever was sent."""
        admit, _ = self.guard.per_address.admit(self.guard.address(request))
        token = self.guard.token(request)
        response = web.Response(status=204)
        if not admit or token is None or request.content_type not in BEACON_TYPES:
            return response
        try:
            body = json.loads(await read_body(request, MAX_BODY))
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            return response
        given = body.get("csrf") if isinstance(body, dict) else None
        if self.guard.same_origin(request) and self.guard.csrf_ok(token, given):
            key = self.guard.key(token)
            await self.turn.forget(key)
            self.chats.forget(key)
            self.guard.clear_cookie(request, response)
            log.debug("web chat forgotten by quick exit session=%s", key[:8])
        return response

    def _hello(self, token: str, how: str) -> dict[str, Any]:
        return {"type": f"chat_{how}", "csrf": self.guard.csrf(token)}

    def _events(
        self,
        chat: ChatState,
        upto: int | None,
        first: dict[str, Any] | None = None,
        last: dict[str, Any] | None = None,
    ) -> web.Response:
        self.handled += 1
        events = [first] if first else []
        events.extend(message_event(i, m) for i, m in chat.after(upto))
        if last:
            events.append(last)
        return web.json_response({"events": events})


def _slow_down() -> web.Response:
    response = error_response(429, "slow_down", "Too many requests; wait a moment.")
    response.headers["Retry-After"] = "2"
    return response
