"""Rules the documentation states in prose, enforced by hand where the spec fields cannot."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from .spec import SPEC

MAX_DELETE_AGE = 48 * 3600  # deleteMessage: "sent less than 48 hours ago"
CALLBACK_QUERY_TTL = 15.0  # seconds a callback query can still be answered
DEFAULT_UPDATE_TYPES = frozenset(
    f.name for f in SPEC.types["Update"].fields.values() if f.name != "update_id"
) - {"chat_member", "message_reaction", "message_reaction_count"}
ALL_UPDATE_TYPES = DEFAULT_UPDATE_TYPES | {
    "chat_member",
    "message_reaction",
    "message_reaction_count",
}

_action_doc = SPEC.methods["sendChatAction"].params["action"].description
CHAT_ACTIONS = frozenset(re.findall(r"\b(typing|[a-z]+_[a-z_]+)\b", _action_doc.split(":", 1)[-1]))
ENTITY_TYPES = frozenset(
    re.findall(r'"([a-z_]+)"', SPEC.types["MessageEntity"].fields["type"].description)
)
BUTTON_STYLES = frozenset(
    re.findall(r'"([a-z]+)"', SPEC.types["InlineKeyboardButton"].fields["style"].description)
)
_LABEL_FIELDS = frozenset({"text", "icon_custom_emoji_id", "style"})
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
_LANGUAGE_RE = re.compile(r"(?:[a-z]{2})?")
_EDITS = frozenset({"editMessageText", "editMessageReplyMarkup", "editMessageCaption"})
URL_SCHEMES = frozenset({"http", "https", "tg"})


class ApiError(Exception):
    """A refusal with the status and description the real API would send."""

    def __init__(self, code: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def bad(message: str) -> ApiError:
    """A 400 "Bad Request: ..." refusal."""
    return ApiError(400, f"Bad Request: {message}")


def length_error(path: str, size: int, lo: int, hi: int, unit: str) -> ApiError:
    """Telegram's wording for the well-known limits; a precise generic one otherwise."""
    leaf = path.rsplit(".", 1)[-1]
    if leaf == "text" and "." not in path and unit == "visible characters":
        return bad("message text is empty" if size < lo else "message is too long")
    if leaf == "caption" and size > hi and unit == "visible characters":
        return bad("message caption is too long")
    if leaf == "callback_data":
        return bad(f"BUTTON_DATA_INVALID: {path} must be {lo}-{hi} bytes, got {size}")
    return bad(f"{path} must be {lo}-{hi} {unit} long, got {size}")


def check_url(url: str, path: str) -> None:
    """Inline buttons accept only http(s) and tg:// links."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in URL_SCHEMES:
        raise bad(
            f"inline keyboard button URL '{url}' is invalid: Unsupported URL protocol ({path})"
        )
    if not parts.netloc:
        raise bad(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL ({path})")


def _inline_button(button: dict, path: str) -> None:
    actions = [key for key in button if key not in _LABEL_FIELDS]
    if not actions:
        raise bad(
            f"can't parse inline keyboard button: Text buttons are unallowed in the "
            f"inline keyboard ({path})"
        )
    if len(actions) > 1:
        raise bad(
            f"can't parse inline keyboard button: exactly one of the optional fields "
            f"must be used, got {', '.join(sorted(actions))} ({path})"
        )
    if "url" in button:
        check_url(button["url"], f"{path}.url")
    if "style" in button and button["style"] not in BUTTON_STYLES:
        raise bad(f"{path}.style must be one of {', '.join(sorted(BUTTON_STYLES))}")
    if not button["text"]:
        raise bad(f"can't parse inline keyboard button: text must be non-empty ({path})")


def _keyboard_button(button: dict, path: str) -> None:
    actions = [key for key in button if key not in _LABEL_FIELDS]
    if len(actions) > 1:
        raise bad(
            f"can't parse keyboard button: at most one of the optional fields may be "
            f"used, got {', '.join(sorted(actions))} ({path})"
        )


def _inline_markup(markup: dict, path: str) -> None:
    if not all(markup["inline_keyboard"]):
        raise bad(f"can't parse inline keyboard: a row is empty ({path})")


def _bot_command(command: dict, path: str) -> None:
    if not _COMMAND_RE.fullmatch(command["command"]):
        raise bad(f"BOT_COMMAND_INVALID: {path}.command must be 1-32 of a-z, 0-9 and _")


def _entity(entity: dict, path: str) -> None:
    if entity["type"] not in ENTITY_TYPES:
        raise bad(f'{path}.type: unsupported entity type "{entity["type"]}"')
    if entity["offset"] < 0 or entity["length"] <= 0:
        raise bad(f"{path}: entity offset must be >= 0 and length > 0")


OBJECT_CHECKS: dict[str, Callable[[dict, str], None]] = {
    "InlineKeyboardButton": _inline_button,
    "InlineKeyboardMarkup": _inline_markup,
    "KeyboardButton": _keyboard_button,
    "BotCommand": _bot_command,
    "MessageEntity": _entity,
}


def check_params(method: str, params: dict) -> None:
    """Per-method prose rules that no single field carries."""
    if "language_code" in params and not _LANGUAGE_RE.fullmatch(params["language_code"]):
        raise bad("language_code must be a two-letter ISO 639-1 code or empty")
    if method == "sendChatAction" and params["action"] not in CHAT_ACTIONS:
        raise bad("wrong parameter action in request")
    secret = params.get("secret_token") if method == "setWebhook" else None
    if secret is not None and not _SECRET_RE.fullmatch(secret):
        raise bad("secret token contains unallowed characters")
    targets = "inline_message_id" in params or {"chat_id", "message_id"} <= params.keys()
    if method in _EDITS and not targets:
        raise bad("chat_id and message_id are required unless inline_message_id is given")
    if method == "editMessageText" and "text" not in params and "rich_message" not in params:
        raise bad("message text is empty")
