"""Response headers for every answer, errors as kind JSON, and an access log without addresses.

The Content-Security-Policy allows only this site's own script, style, images and requests:
no inline code, no third party, and Trusted Types so nothing can be written in as HTML. Only the
configured sites may frame the chat. The access log names the route and status, never the
address, user agent, referrer or query, and only at DEBUG.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def content_security_policy(frame_ancestors: tuple[str, ...]) -> str:
    ancestors = " ".join(frame_ancestors) or "'none'"
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self'",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {ancestors}",
            "require-trusted-types-for 'script'",
            "trusted-types 'none'",
        )
    )


def security_headers(frame_ancestors: tuple[str, ...]) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": content_security_policy(frame_ancestors),
        "Referrer-Policy": "no-referrer",  # the exit site never learns where he came from
        "X-Content-Type-Options": "nosniff",
        "X-Robots-Tag": "noindex, nofollow, noarchive",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    if not frame_ancestors:
        headers["X-Frame-Options"] = "DENY"  # for browsers without frame-ancestors
    return headers


def middleware(frame_ancestors: tuple[str, ...], body_limit: Callable[[str], int]) -> Callable:
    """`body_limit(route)` is the largest body that route takes (the chat's API far less than
    Telegram's webhook)."""
    headers = security_headers(frame_ancestors)

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        """Refuse a big body before reading it; turn every failure into plain JSON."""
        try:
            limit = body_limit(route_name(request))
            if request.content_length is not None and request.content_length > limit:
                raise web.HTTPRequestEntityTooLarge(limit, request.content_length)
            response = await handler(request)
        except web.HTTPException as exc:
            response = error_response(exc.status, _code(exc.status))
            for name in ("Allow", "Retry-After"):
                if name in exc.headers:
                    response.headers[name] = exc.headers[name]
        except Exception as exc:  # never a traceback: it could quote what was typed
            log.error(
                "web request failed route=%s error=%s", route_name(request), type(exc).__name__
            )
            response = error_response(500, "trouble")
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    return guard


async def read_body(request: web.Request, limit: int) -> bytes:
    """The body, refused past `limit` bytes even when it comes in chunks without a length."""
    body = await request.content.read(limit + 1)
    if len(body) > limit:
        raise web.HTTPRequestEntityTooLarge(limit, len(body))
    return body


def _code(status: int) -> str:
    return {
        400: "bad_request",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        413: "too_large",
        415: "unsupported_media_type",
        429: "slow_down",
    }.get(status, "trouble")


def error_response(status: int, code: str, detail: str = "", **extra: object) -> web.Response:
    """{"error": code, "detail": for developers}; the page shows its own kind words per code."""
    body: dict[str, object] = {"error": code, **extra}
    if detail:
        body["detail"] = detail
    return web.json_response(body, status=status)


def route_name(request: web.Request) -> str:
    """The route's own pattern ('/api/chat'), never the raw path someone typed."""
    info = request.match_info.route.resource
    return info.canonical if info is not None else "other"


class AccessLogger(AbstractAccessLogger):
    """aiohttp's default format starts with the client address; this one has none."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        if not self.logger.isEnabledFor(logging.DEBUG):
            return
        name = route_name(request) if isinstance(request, web.Request) else "other"
        self.logger.debug(
            "web %s %s status=%d ms=%.1f", request.method, name, response.status, time * 1000
        )

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.DEBUG)
