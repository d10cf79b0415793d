"""What the fake server does for each Bot API method a chat bot uses."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .limits import CALLBACK_QUERY_TTL, MAX_DELETE_AGE, bad
from .objects import bot_user, outgoing_message, with_caption
from .spec import Method
from .state import BotState, ChatState, Stored
from .validate import Formatted

Handler = Callable[[BotState, dict[str, Any], Formatted], Any]
HANDLERS: dict[str, Handler] = {}
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


def handles(*names: str) -> Callable[[Handler], Handler]:
    """Register a handler so the server finds it by method name."""

    def register(func: Handler) -> Handler:
        for name in names:
            HANDLERS[name] = func
        return func

    return register


def _reply_target(state: ChatState, params: dict) -> dict | None:
    reply = params.get("reply_parameters")
    if not reply or reply.get("chat_id") not in (None, params["chat_id"]):
        return None
    stored = state.live(reply["message_id"])
    if stored is None:
        if reply.get("allow_sending_without_reply"):
            return None
        raise bad("message to be replied not found")
    return {k: v for k, v in stored.message.items() if k != "reply_to_message"}


@handles("getMe")
def get_me(state: BotState, params: dict, texts: Formatted) -> dict:
    return bot_user(state.token, full=True)


@handles("sendMessage")
def send_message(state: BotState, params: dict, texts: Formatted) -> dict:
    chat = state.find_chat(params["chat_id"])
    replied = _reply_target(chat, params)
    message = outgoing_message(
        state.token, chat.chat, chat.next_id(), state.date(), params, texts["text"]
    )
    if replied:
        message["reply_to_message"] = replied
    return state.store_outgoing(chat, message)


def send_other(method: Method, state: BotState, params: dict, texts: Formatted) -> Any:
    """Any other send*/copy* call: a plain Message (with its caption) so clients can parse it."""
    chat = state.find_chat(params["chat_id"])
    _reply_target(chat, params)
    if method.returns == ("MessageId",):
        return {"message_id": chat.next_id()}
    if method.returns == ("Array of MessageId",):
        return [{"message_id": chat.next_id()} for _ in params.get("message_ids", ())]
    items = params.get("media") if method.returns == ("Array of Message",) else [None]
    sent = []
    for _ in items or [None]:
        message = outgoing_message(
            state.token, chat.chat, chat.next_id(), state.date(), params, None
        )
        sent.append(state.store_outgoing(chat, with_caption(message, texts.get("caption"))))
    return sent if method.returns == ("Array of Message",) else sent[0]


def _own_message(state: BotState, params: dict) -> tuple[ChatState, Stored]:
    chat = state.find_chat(params["chat_id"])
    stored = chat.live(params["message_id"])
    if stored is None or not stored.outgoing:
        raise bad("message to edit not found")
    return chat, stored


@handles("editMessageText")
def edit_message_text(state: BotState, params: dict, texts: Formatted) -> Any:
    if "inline_message_id" in params:
        return True
    _, stored = _own_message(state, params)
    old = stored.message
    if "text" not in old:
        raise bad("there is no text in the message to edit")
    text, entities = texts["text"]
    markup = params.get("reply_markup")
    if (old["text"], old.get("entities", []), old.get("reply_markup")) == (text, entities, markup):
        raise bad(_NOT_MODIFIED)
    message = {k: v for k, v in old.items() if k not in ("entities", "reply_markup")}
    message.update(text=text, edit_date=state.date())
    if entities:
        message["entities"] = entities
    if markup:
        message["reply_markup"] = markup
    stored.message = message
    return message


@handles("editMessageReplyMarkup")
def edit_message_reply_markup(state: BotState, params: dict, texts: Formatted) -> Any:
    if "inline_message_id" in params:
        return True
    _, stored = _own_message(state, params)
    markup = params.get("reply_markup")
    if stored.message.get("reply_markup") == markup:
        raise bad(_NOT_MODIFIED)
    message = {k: v for k, v in stored.message.items() if k != "reply_markup"}
    message["edit_date"] = state.date()
    if markup:
        message["reply_markup"] = markup
    stored.message = message
    return message


def _deletable(state: BotState, chat: ChatState, stored: Stored | None) -> str | None:
    """Why a message cannot be deleted, or None if it can (deleteMessage's documented rules)."""
    if stored is None:
        return "message to delete not found"
    if state.clock.now() - stored.message["date"] >= MAX_DELETE_AGE:
        return "message can't be deleted for everyone"
    if not stored.outgoing and chat.chat["type"] != "private":
        return "message can't be deleted for everyone"
    return None


@handles("deleteMessage")
def delete_message(state: BotState, params: dict, texts: Formatted) -> bool:
    chat = state.find_chat(params["chat_id"])
    stored = chat.live(params["message_id"])
    problem = _deletable(state, chat, stored)
    if problem:
        raise bad(problem)
    stored.deleted = True  # type: ignore[union-attr]
    return True


@handles("deleteMessages")
def delete_messages(state: BotState, params: dict, texts: Formatted) -> bool:
    chat = state.find_chat(params["chat_id"])
    for message_id in params["message_ids"]:
        stored = chat.live(message_id)
        if _deletable(state, chat, stored) is None:
            stored.deleted = True  # type: ignore[union-attr]
    return True


@handles("answerCallbackQuery")
def answer_callback_query(state: BotState, params: dict, texts: Formatted) -> bool:
    query = state.queries.get(params["callback_query_id"])
    too_old = query is None or state.clock.now() - query.created > CALLBACK_QUERY_TTL
    if too_old or query.answer is not None:  # type: ignore[union-attr]
        raise bad("query is too old and response timeout expired or query ID is invalid")
    query.answer = params  # type: ignore[union-attr]
    return True


def _scope_key(params: dict) -> tuple[str, str]:
    scope = params.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), params.get("language_code", "")


@handles("setMyCommands")
def set_my_commands(state: BotState, params: dict, texts: Formatted) -> bool:
    state.commands[_scope_key(params)] = params["commands"]
    return True


@handles("getMyCommands")
def get_my_commands(state: BotState, params: dict, texts: Formatted) -> list:
    return state.commands.get(_scope_key(params), [])


@handles("deleteMyCommands")
def delete_my_commands(state: BotState, params: dict, texts: Formatted) -> bool:
    state.commands.pop(_scope_key(params), None)
    return True


_SETTINGS = {"Description": "description", "ShortDescription": "short_description", "Name": "name"}


def _setting_handlers(name: str) -> tuple[Handler, Handler]:
    """setMy*/getMy* for one per-language bot text (description, short description, name)."""

    def setter(state: BotState, params: dict, texts: Formatted) -> bool:
        state.settings[name, params.get("language_code", "")] = params.get(name, "")
        return True

    def getter(state: BotState, params: dict, texts: Formatted) -> dict:
        return {name: state.settings.get((name, params.get("language_code", "")), "")}

    return setter, getter


for _suffix, _name in _SETTINGS.items():
    HANDLERS["setMy" + _suffix], HANDLERS["getMy" + _suffix] = _setting_handlers(_name)


@handles("sendChatAction")
def send_chat_action(state: BotState, params: dict, texts: Formatted) -> bool:
    state.find_chat(params["chat_id"])
    return True


@handles("getFile")
def get_file(state: BotState, params: dict, texts: Formatted) -> dict:
    file = state.files.get(params["file_id"])
    if file is None:
        raise bad("invalid file_id")
    return file
