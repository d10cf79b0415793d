"""A strict fake Telegram Bot API server for end-to-end tests and benchmarks.

It refuses what api.telegram.org refuses (checked against the official spec in
shared/telegram-bot-api/api.min.json, plus the limits the docs state in prose), so a test
passing here means the bot made only calls Telegram accepts. Typical use::

    async with FakeBotApi() as server:
        app = (ApplicationBuilder().token(server.token).base_url(server.base_url)
               .base_file_url(server.base_file_url).build())
        ...start the app polling (or with start_webhook)...
        server.push_text(4242, "hallo")
        await server.wait_for_calls("sendMessage", 1, chat_id=4242)
        assert server.last_message(4242)["text"] == "..."
        server.push_button(4242, "Ja")
        assert server.calls_rejected == []

Test controls: fail_next / reset_next / stall_next / delay (failure injection: errors, cut
connections, answers held past the client timeout, per method and chat), block (user blocked
the bot), clock.advance (fake time), sent / calls / calls_rejected / webhook_deliveries (records),
messages_in / last_message / send_times (chat state).
"""

from .echo import build_echo_application
from .limits import ApiError
from .records import SECRET_HEADER, Call, Delivery
from .server import DEFAULT_TOKEN, FakeBotApi
from .spec import SPEC

__all__ = [
    "DEFAULT_TOKEN",
    "SECRET_HEADER",
    "SPEC",
    "ApiError",
    "Call",
    "Delivery",
    "FakeBotApi",
    "build_echo_application",
]
