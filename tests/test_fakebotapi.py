"""The fake Bot API refuses what Telegram refuses, and carries a real PTB bot end to end."""

from __future__ import annotations

import asyncio
import json
import socket
from datetime import timedelta

import aiohttp
import pytest
import telegram
from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters, Update
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)

from tests.auxil import updates
from tests.auxil.fakebotapi import SECRET_HEADER, FakeBotApi, build_echo_application
from tests.auxil.fakebotapi.formatting import FormatError, format_text
from tests.auxil.fakebotapi.spec import SPEC_ENV, load_spec, spec_path
from tests.auxil.fakebotapi.validate import validate_object

CHAT = 4242
GROUP = -100_777


def keyboard(**buttons: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t, callback_data=d)] for t, d in buttons.items()]
    )


@pytest.fixture
async def server():
    async with FakeBotApi() as fake:
        yield fake


@pytest.fixture
async def bot(server):
    async with telegram.Bot(
        server.token, base_url=server.base_url, base_file_url=server.base_file_url
    ) as client:
        yield client


async def raw(server, method, params=None, *, as_json=False, token=None):
    """Call the fake server directly, as form data (like PTB) or as a JSON body."""
    url = f"{server.base_url}{token or server.token}/{method}"
    body = {"json": params} if as_json else {"data": params}
    async with aiohttp.ClientSession() as session, session.post(url, **body) as response:
        return response.status, await response.json()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------- refusals


async def test_unknown_method_is_not_found(server):
    status, body = await raw(server, "sendMesage", {"chat_id": 1, "text": "x"})
    assert (status, body) == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
    )
    assert server.calls_rejected[-1].method == "sendMesage"


async def test_token_must_look_real_and_match(server):
    assert (await raw(server, "getMe", token="nonsense"))[0] == 404
    assert (await raw(server, "getMe", token="987:" + "x" * 35))[0] == 401
    with pytest.raises(InvalidToken):
        async with telegram.Bot("987:" + "x" * 35, base_url=server.base_url):
            pass
    assert (await raw(server, "GETME"))[1]["ok"], "method names are case-insensitive"


async def test_unknown_and_missing_parameters_are_refused(server):
    server.push_text(CHAT, "hi")
    cases = [
        ({"chat_id": CHAT, "text": "x", "colour": "red"}, 'unknown parameter "colour"'),
        ({"chat_id": CHAT}, "message text is empty"),
        ({"text": "x"}, "chat_id is empty"),
    ]
    for params, reason in cases:
        status, body = await raw(server, "sendMessage", params)
        assert status == 400 and body["description"].startswith(f"Bad Request: {reason}")
    assert [c.reason.split(" for ")[0] for c in server.calls_rejected] == [
        f"Bad Request: {r}" for _, r in cases
    ]


def _markup(**button):
    return json.dumps({"inline_keyboard": [[{"text": "a", **button}]]})


WRONG_TYPES = [
    ("deleteMessage", {"message_id": "abc"}, "message_id must be of type Integer"),
    ("sendMessage", {"text": "x", "disable_notification": "maybe"}, "must be of type Boolean"),
    ("sendMessage", {"text": "x", "reply_markup": "{oops"}, "can't parse reply_markup JSON"),
    ("sendMessage", {"text": "x", "reply_markup": '{"inline_keyboard": "row"}'}, "an Array"),
    ("sendMessage", {"text": "x", "reply_markup": _markup(callback_data=["a"])}, "String"),
    (
        "sendMessage",
        {"text": "x", "reply_markup": _markup(callback_data="a", colour="red")},
        'unknown field "colour" in InlineKeyboardButton',
    ),
    (
        "sendMessage",
        {"text": "x", "reply_parameters": '{"message_id": "one"}'},
        "reply_parameters.message_id must be of type Integer",
    ),
    ("sendMessage", {"text": "x", "link_preview_options": '{"is_disabled": "yes"}'}, "Boolean"),
    (
        "sendMessage",
        {"text": "x", "entities": '[{"type": "shout", "offset": 0, "length": 1}]'},
        'unsupported entity type "shout"',
    ),
    ("setMyCommands", {"commands": '[{"command": "start"}]'}, 'field "description" is required'),
    (
        "setMyCommands",
        {"commands": '[{"command": "Start!", "description": "go"}]'},
        "BOT_COMMAND_INVALID",
    ),
]


@pytest.mark.parametrize("as_json", [False, True], ids=["form", "json"])
@pytest.mark.parametrize(("method", "params", "reason"), WRONG_TYPES)
async def test_wrong_types_are_refused(server, method, params, reason, as_json):
    server.push_text(CHAT, "hi")
    chat = {} if method == "setMyCommands" else {"chat_id": CHAT}
    status, body = await raw(server, method, {**chat, **params}, as_json=as_json)
    assert status == 400 and reason in body["description"], body


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<b>bold", "Can't find end tag"),
        ("a<br>b", 'Unsupported start tag "br"'),
        ("<b>x</i>", 'expected "</b>", found "</i>"'),
        ("<span>x</span>", 'must have class "tg-spoiler"'),
        ("x</b>", "Unexpected end tag"),
        ('<a href="https://x.org>x</a>', "Unclosed start tag"),
    ],
)
async def test_bad_html_is_refused(server, bot, text, reason):
    server.push_text(CHAT, "hi")
    status, body = await raw(
        server, "sendMessage", {"chat_id": CHAT, "text": text, "parse_mode": "HTML"}
    )
    assert status == 400
    assert body["description"].startswith("Bad Request: can't parse entities: ")
    assert reason in body["description"]
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(CHAT, text, parse_mode="HTML")


async def test_text_limits_count_visible_characters(server, bot):
    server.push_text(CHAT, "hi")
    await bot.send_message(CHAT, "a" * 4096)
    await bot.send_message(CHAT, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(CHAT, "a" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(CHAT, "<b> </b>\n", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(CHAT + 1, "nobody pushed this chat")
    server.block(CHAT)
    with pytest.raises(Forbidden, match=r"(?i)blocked by the user"):
        await bot.send_message(CHAT, "the user blocked the bot")


async def test_callback_data_is_counted_in_bytes(server, bot):
    server.push_text(CHAT, "hi")
    await bot.send_message(CHAT, "ok", reply_markup=keyboard(a="x" * 64))
    for data in ("x" * 65, "é" * 33):
        with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
            await bot.send_message(CHAT, "no", reply_markup=keyboard(a=data))


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://example.org/help", True),
        ("tg://resolve?domain=x", True),
        ("tel:+31600000000", False),
        ("mailto:help@example.org", False),
        ("https://", False),
    ],
)
async def test_url_buttons_allow_only_http_and_tg(server, bot, url, allowed):
    server.push_text(CHAT, "hi")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Go", url=url)]])
    if allowed:
        assert (await bot.send_message(CHAT, "link", reply_markup=markup)).reply_markup
    else:
        with pytest.raises(BadRequest, match=r"(?i)url .* is invalid"):
            await bot.send_message(CHAT, "link", reply_markup=markup)


async def test_inline_button_needs_exactly_one_action(server):
    server.push_text(CHAT, "hi")
    for button, reason in [
        ({}, "Text buttons are unallowed"),
        ({"callback_data": "a", "url": "https://x.org"}, "exactly one"),
    ]:
        params = {"chat_id": CHAT, "text": "x", "reply_markup": _markup(**button)}
        status, body = await raw(server, "sendMessage", params)
        assert status == 400 and reason in body["description"]


def test_parse_modes_give_visible_text_and_utf16_entities():
    text, entities = format_text(
        "<b>Hi</b> &amp; <a href='https://x.org'>you</a> 👋<i>!</i>", "HTML"
    )
    assert text == "Hi & you 👋!"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 2},
        {"type": "text_link", "offset": 5, "length": 3, "url": "https://x.org"},
        {"type": "italic", "offset": 11, "length": 1},
    ]
    text, entities = format_text(
        "*bold* __u__ ||s|| `a.b` [l](https://x.org) done\\.", "MarkdownV2"
    )
    assert text == "bold u s a.b l done."
    assert [e["type"] for e in entities] == ["bold", "underline", "spoiler", "code", "text_link"]
    with pytest.raises(FormatError, match=r"Character '\.' is reserved"):
        format_text("Hello.", "MarkdownV2")
    with pytest.raises(FormatError, match="Can't find end of Bold entity"):
        format_text("*open", "MarkdownV2")
    with pytest.raises(FormatError, match="Can't find end of the entity"):
        format_text("*open", "Markdown")


# ---------------------------------------------------------------- real behaviour


async def test_send_message_returns_a_message_ptb_parses(server, bot):
    asked = server.push_text(CHAT, "hello")["message"]
    sent = await bot.send_message(
        CHAT,
        "<b>Welkom</b>",
        parse_mode="HTML",
        reply_markup=keyboard(Ja="yes"),
        reply_parameters=ReplyParameters(asked["message_id"]),
    )
    assert sent.message_id == asked["message_id"] + 1 and sent.chat.id == CHAT
    assert sent.from_user.is_bot and sent.text == "Welkom" and sent.entities[0].type == "bold"
    assert sent.reply_to_message.text == "hello" and sent.reply_markup == keyboard(Ja="yes")
    result = server.calls("sendMessage", CHAT)[-1].result
    validate_object("Message", result)
    assert server.messages_in(CHAT) == [result] and server.calls_rejected == []
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(CHAT, "x", reply_parameters=ReplyParameters(999))


async def test_edits_follow_telegram_rules(server, bot):
    server.push_text(CHAT, "hi")
    sent = await bot.send_message(CHAT, "Kies", reply_markup=keyboard(A="a"))
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Kies", CHAT, sent.message_id, reply_markup=keyboard(A="a"))
    edited = await bot.edit_message_text("Gekozen", CHAT, sent.message_id)
    assert edited.text == "Gekozen" and edited.reply_markup is None and edited.edit_date
    edited = await bot.edit_message_reply_markup(
        CHAT, sent.message_id, reply_markup=keyboard(B="b")
    )
    assert updates.button_labels(server.last_message(CHAT)) == ["B"]
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", CHAT, 1)  # the user's message


async def test_delete_rules_and_fake_clock(server, bot):
    first = server.push_text(CHAT, "mijn nummer")["message"]
    sent = await bot.send_message(CHAT, "a")
    assert await bot.delete_message(CHAT, sent.message_id) and server.messages_in(CHAT) == []
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(CHAT, sent.message_id)
    old = await bot.send_message(CHAT, "b")
    server.clock.advance(hours=48)
    with pytest.raises(BadRequest, match=r"(?i)message can't be deleted"):
        await bot.delete_message(CHAT, old.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message can't be deleted"):
        await bot.delete_message(CHAT, first["message_id"])
    fresh = server.push_text(CHAT, "nieuw")["message"]
    assert await bot.delete_message(CHAT, fresh["message_id"]), "incoming, private, < 48 h"
    member = server.push_group_text(GROUP, "hoi")["message"]
    with pytest.raises(BadRequest, match=r"(?i)message can't be deleted"):
        await bot.delete_message(GROUP, member["message_id"])
    newer = [(await bot.send_message(CHAT, str(i))).message_id for i in range(3)]
    assert await bot.delete_messages(CHAT, [old.message_id, *newer, 999])
    assert [m["text"] for m in server.messages_in(CHAT)] == ["b"]


async def test_callback_queries_are_answered_once_and_in_time(server, bot):
    server.push_text(CHAT, "hi")
    await bot.send_message(CHAT, "Veilig?", reply_markup=keyboard(Ja="yes", Nee="no"))
    query = server.push_button(CHAT, "Nee")["callback_query"]
    assert query["data"] == "no" and query["message"]["text"] == "Veilig?"
    with pytest.raises(BadRequest, match="0-200 characters"):
        await bot.answer_callback_query(query["id"], text="x" * 201)
    assert await bot.answer_callback_query(query["id"], text="Oké")
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query["id"])
    late = server.push_button(CHAT, "Ja")["callback_query"]
    server.clock.advance(seconds=16)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(late["id"])
    with pytest.raises(LookupError, match="no button"):
        server.push_callback(CHAT, query["message"]["message_id"], "maybe")


async def test_bot_settings_round_trip_and_limits(server, bot):
    commands = [("start", "Begin opnieuw"), ("stop", "Vergeet alles")]
    assert await bot.set_my_commands(commands, language_code="nl")
    assert [
        (c.command, c.description) for c in await bot.get_my_commands(language_code="nl")
    ] == commands
    assert await bot.get_my_commands() == ()
    assert await bot.set_my_description("d" * 512)
    assert (await bot.get_my_description()).description == "d" * 512
    with pytest.raises(BadRequest, match="0-512"):
        await bot.set_my_description("d" * 513)
    with pytest.raises(BadRequest, match="0-120"):
        await bot.set_my_short_description("s" * 121)
    with pytest.raises(BadRequest, match=r"(?i)language_code"):
        await bot.set_my_description("x", language_code="nl-BE")
    with pytest.raises(BadRequest, match="1-256"):
        await bot.set_my_commands([("help", "h" * 257)])
    server.push_text(CHAT, "hi")
    assert await bot.send_chat_action(CHAT, "typing")
    status, body = await raw(server, "sendChatAction", {"chat_id": CHAT, "action": "dancing"})
    assert status == 400 and "action" in body["description"]


async def test_media_upload_file_download_and_other_methods(server, bot):
    voice = server.push_voice(CHAT)["message"]["voice"]
    file = await bot.get_file(voice["file_id"])
    assert bytes(await file.download_as_bytearray()).startswith(b"fake file voices/")
    doc = await bot.send_document(
        CHAT, b"%PDF-1.4 fake", filename="hulp.pdf", caption="<i>Info</i>", parse_mode="HTML"
    )  # multipart/form-data
    assert doc.caption == "Info" and doc.chat.id == CHAT
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.set_chat_title(GROUP, "Any other valid method needs a known chat")
    server.push_group_text(GROUP, "hoi")
    assert await bot.set_chat_title(GROUP, "Any other valid method is accepted")
    server.push_text(CHAT, "a")
    for i in range(3):
        await bot.send_message(CHAT, str(i))
    times = server.send_times(CHAT)
    assert len(times) == 4 and times == sorted(times)


def _pressed() -> dict:
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    sent = updates.make_message(
        updates.make_chat(CHAT), updates.make_user(1, is_bot=True), text="Kies", reply_markup=markup
    )
    return updates.callback_update(sent, "a")


FACTORIES = {
    "text": lambda: updates.text_update(CHAT, "hallo"),
    "command": lambda: updates.command_update(CHAT, "start"),
    "group": lambda: updates.group_text_update(GROUP, "hoi /help"),
    "sticker": lambda: updates.sticker_update(CHAT),
    "photo": lambda: updates.photo_update(CHAT, caption="kijk"),
    "contact": lambda: updates.contact_update(CHAT),
    "location": lambda: updates.location_update(CHAT),
    "voice": lambda: updates.voice_update(CHAT),
    "document": lambda: updates.document_update(CHAT),
    "poll": lambda: updates.poll_update(CHAT),
    "edited": lambda: updates.edited_text_update(updates.text_update(CHAT, "a")["message"], "b"),
    "callback": _pressed,
}


@pytest.mark.parametrize("kind", FACTORIES)
def test_factories_follow_the_spec_and_ptb_parses_them(kind):
    update = FACTORIES[kind]()
    validate_object("Update", update)
    parsed = Update.de_json(update, telegram.Bot("1:" + "x" * 35))
    assert parsed.update_id == update["update_id"] and parsed.effective_chat.id in (CHAT, GROUP)
    if "text" in update.get("message", {}) and update["message"]["text"].startswith("/"):
        assert parsed.message.entities[0].type == "bot_command"


def test_spec_is_found_beside_the_repository_or_via_env(monkeypatch, tmp_path):
    assert spec_path().parts[-3:] == ("shared", "telegram-bot-api", "api.min.json")
    copy = tmp_path / "api.json"
    copy.write_text(spec_path().read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv(SPEC_ENV, str(copy))
    assert spec_path() == copy and "sendMessage" in load_spec(spec_path()).methods


async def test_invalid_pushed_updates_are_refused(server):
    with pytest.raises(ValueError, match="chat"):
        server.push_update({"message": {"message_id": 1, "date": 1, "text": "no chat"}})
    first = server.push_text(CHAT, "een")["message"]
    again = server.push_update(updates.text_update(CHAT, "twee", message_id=first["message_id"]))
    assert again["message"]["message_id"] == first["message_id"] + 1, "ids are never reused"
    with pytest.raises(AssertionError, match="timed out"):
        await server.wait_for(lambda: False, timeout=0.05)


# ---------------------------------------------------------------- polling and webhooks


async def test_get_updates_long_polls_confirms_and_filters(server, bot):
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await server.wait_for(lambda: server.polling)
    pushed = server.push_text(CHAT, "ben je daar?")
    (update,) = await asyncio.wait_for(poll, 2)
    assert update.update_id == pushed["update_id"] and update.message.text == "ben je daar?"
    assert await bot.get_updates(offset=update.update_id + 1) == ()
    server.push_text(CHAT, "een")
    server.push_text(CHAT, "twee")
    server.push_text(CHAT, "drie")
    assert [u.message.text for u in await bot.get_updates(limit=2)] == ["een", "twee"]
    assert [u.message.text for u in await bot.get_updates(offset=-1)] == ["drie"]
    assert await bot.get_updates(allowed_updates=["callback_query"]) == ()


@pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")
async def test_retry_after_server_errors_and_delays_are_injected(server, bot):
    server.push_text(CHAT, "hi")
    server.fail_next("sendMessage", 429, retry_after=3, times=2)
    for _ in range(2):
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(CHAT, "x")
        assert caught.value.retry_after in (3, timedelta(seconds=3))
    assert (await bot.send_message(CHAT, "now")).text == "now"
    server.fail_next("sendMessage", 502)
    with pytest.raises(NetworkError):
        await bot.send_message(CHAT, "x")
    server.delay("getMe", 1.0, times=1)
    with pytest.raises(TimedOut):
        await bot.get_me(read_timeout=0.1)
    assert server.calls_rejected == [], "injected failures are not the bot's mistakes"
    with pytest.raises(ValueError, match="not a Bot API method"):
        server.fail_next("sendMesage")


async def test_webhook_delivery_with_secret_and_conflict(server, bot):
    seen: list[tuple[str | None, dict]] = []
    answer = {"status": 200}

    async def hook(request: web.Request) -> web.Response:
        seen.append((request.headers.get(SECRET_HEADER), await request.json()))
        return web.Response(status=answer["status"])

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        url = f"http://127.0.0.1:{port}/hook"
        assert await bot.set_webhook(url, secret_token="s3cret-Token_1")
        pushed = server.push_text(CHAT, "via webhook")
        await server.wait_for(lambda: len(server.webhook_deliveries) == 1)
        assert seen == [("s3cret-Token_1", pushed)] and server.webhook_deliveries[0].ok
        info = await bot.get_webhook_info()
        assert info.url == url and info.pending_update_count == 0
        with pytest.raises(Conflict):
            await bot.get_updates()
        server.webhook_attempts, server.webhook_retry_delay = 2, 0.0
        answer["status"] = 500
        server.push_text(CHAT, "fails")
        await server.wait_for(lambda: len(server.webhook_deliveries) == 3)
        assert "500" in (await bot.get_webhook_info()).last_error_message
        assert await bot.delete_webhook()
        server.push_text(CHAT, "polled again")
        assert [u.message.text for u in await bot.get_updates()] == ["polled again"]
    finally:
        await runner.cleanup()


# ---------------------------------------------------------------- a real Application


async def test_echo_application_in_polling_mode(server):
    app = build_echo_application(server.base_url, server.token)
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        server.push_text(CHAT, "Hallo bot")
        await server.wait_for_calls("sendMessage", 1, chat_id=CHAT)
        assert server.last_message(CHAT)["text"] == "Hallo bot"
        await app.bot.send_message(CHAT, "Kies", reply_markup=keyboard(Verder="next"))
        server.push_button(CHAT, "Verder")
        await server.wait_for_calls("answerCallbackQuery", 1)
        await app.updater.stop()
        await app.stop()
    assert server.calls_rejected == []


async def test_echo_application_in_webhook_mode(server):
    app = build_echo_application(server.base_url, server.token)
    port = free_port()
    async with app:
        await app.start()
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="hook",
            secret_token="hush",
            webhook_url=f"http://127.0.0.1:{port}/hook",
        )
        server.push_text(CHAT, "Over de webhook")
        await server.wait_for_calls("sendMessage", 1, chat_id=CHAT)
        assert server.last_message(CHAT)["text"] == "Over de webhook"
        assert [(d.status, d.secret_sent) for d in server.webhook_deliveries] == [(200, True)]
        await app.updater.stop()
        await app.stop()
    assert server.calls_rejected == []
