"""Plain records of what happened, for tests and benchmarks to assert on."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from .limits import ApiError

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass(slots=True)
class Call:
    """One API call the bot made and what the server answered; unpacks as (method, params,
    response). `at` is when the server answered it (time.monotonic(), for latency checks)."""

    method: str
    params: dict[str, Any]
    response: dict[str, Any]
    status: int
    injected: bool = False
    at: float = field(default_factory=time.monotonic)

    def __iter__(self) -> Iterator[Any]:
        return iter((self.method, self.params, self.response))

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))

    @property
    def result(self) -> Any:
        return self.response.get("result")

    @property
    def reason(self) -> str:
        """The refusal's description ("" for a successful call)."""
        return self.response.get("description", "")

    @property
    def chat_id(self) -> int | str | None:
        return self.params.get("chat_id")


@dataclass(slots=True)
class Delivery:
    """One attempt to POST an update to the webhook."""

    update_id: int
    status: int | None
    body: str
    error: str | None
    attempt: int
    secret_sent: bool

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(slots=True)
class Webhook:
    """The webhook as set with setWebhook."""

    url: str
    secret_token: str | None
    max_connections: int
    allowed_updates: frozenset[str]
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None
    has_custom_certificate: bool = False

    def info(self, pending: int, allowed_given: bool) -> dict[str, Any]:
        result: dict[str, Any] = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": pending,
            "max_connections": self.max_connections,
        }
        if self.ip_address:
            result["ip_address"] = self.ip_address
        if self.last_error_date:
            result["last_error_date"] = self.last_error_date
            result["last_error_message"] = self.last_error_message
        if allowed_given:
            result["allowed_updates"] = sorted(self.allowed_updates)
        return result


_DESCRIPTIONS = {
    400: "Bad Request: injected failure",
    403: "Forbidden: bot was blocked by the user",
    409: "Conflict: injected failure",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class NoAnswer(Exception):
    """An injected reset or stall: the call gets no answer."""


@dataclass(slots=True)
class Failure:
    """What the next `times` calls of a method (to `chat_id`, if given) get instead of an answer.

    kind "error": an error answer (`code`); "reset": the connection is cut with no answer;
    "stall": no answer for `hold` seconds (the client times out). With `delivered` a reset or
    stall comes after the call was done (Telegram delivered the message, the bot never heard).
    """

    code: int
    retry_after: int | None
    description: str | None
    times: int
    parameters: dict[str, Any] = field(default_factory=dict)
    kind: str = "error"
    chat_id: Any = None
    delivered: bool = False
    hold: float = 0.0

    def matches(self, params: dict[str, Any]) -> bool:
        return self.chat_id is None or params.get("chat_id") == self.chat_id

    def error(self) -> ApiError:
        if self.code == 429:
            after = self.retry_after or 1
            text = self.description or f"Too Many Requests: retry after {after}"
            return ApiError(429, text, {"retry_after": after, **self.parameters})
        text = self.description or _DESCRIPTIONS.get(self.code) or _phrase(self.code)
        return ApiError(self.code, text, self.parameters or None)


def _phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return f"Error {code}"


def error_body(error: ApiError) -> dict[str, Any]:
    """The JSON the real API sends for a refusal."""
    body: dict[str, Any] = {"ok": False, "error_code": error.code, "description": error.description}
    if error.parameters:
        body["parameters"] = error.parameters
    return body
