"""The Telegram channel's own words in every language (issue 12): the command menu and the
profile registered per language at start-up, each with its language_code, and the notes a chat
gets (slow down, trouble, the group note) in its conversation's language or, without one, in
the language its Telegram app asks for. Over HTTP against the strict fake Bot API."""

from __future__ import annotations

import json
from datetime import datetime

import aiohttp
import pytest

from bot.channels.conversation import Conversation
from bot.channels.telegram import Limits, texts
from bot.engine.engine import LANGUAGE_NAMES
from bot.i18n import SOURCE_LOCALE
from bot.i18n_checks import FSI, PDI, not_isolated, right_to_left
from bot.runtime import Runtime
from storage import MemoryStore
from tests.auxil.e2e import Chat, handled, running_bot
from tests.auxil.fakebotapi import FakeBotApi

SHIPPED = ("nl", "fr", "en", "ar", "tr", "pl")
DEFAULT_SCOPE = json.dumps({"type": "default"}, sort_keys=True)  # how the fake keys a menu
FLOOD = Limits(flood_burst=3, flood_rate=0.2)


class FailingLoads(MemoryStore):
    """A store that cannot be read: the turn fails before any reply goes out, so the channel
    apologises (once a reply has gone out it does not: he has his answer)."""

    async def load(self, key):
        raise RuntimeError("database away")


def _code(locale: str) -> str:
    return "" if locale == SOURCE_LOCALE else locale


async def test_start_up_registers_the_menu_and_profile_in_every_language(
    api: FakeBotApi, runtime: Runtime
) -> None:
    catalogs = runtime.catalogs
    assert set(catalogs.locales) == set(SHIPPED)
    async with running_bot(api, MemoryStore(), runtime):
        pass
    # Dutch without a code (Telegram's default, for every language we have no catalog for),
    # each other language once under its own code; the fake checked each call against the spec.
    wanted = sorted(_code(locale) for locale in SHIPPED)
    for method in ("setMyCommands", "setMyDescription", "setMyShortDescription"):
        assert sorted(c.params.get("language_code", "") for c in api.calls(method)) == wanted
    number = runtime.renderer.emergency_number(None)
    for locale in SHIPPED:
        code = _code(locale)
        menu = api.state.commands[DEFAULT_SCOPE, code]
        assert [c["command"] for c in menu] == [
            "start",
            "stop",
            "help",
            texts.language_command(locale),
        ]
        assert [c["description"] for c in menu] == [
            wording.text(catalogs, locale) for _, wording in texts.COMMANDS
        ]
        description = api.state.settings["description", code]
        short = api.state.settings["short_description", code]
        assert description == texts.DESCRIPTION.text(catalogs, locale, noodnummer=number)
        assert short == texts.SHORT_DESCRIPTION.text(catalogs, locale)
        assert number in description and "{" not in description
        shown = [description, short, *(c["description"] for c in menu)]
        if locale != SOURCE_LOCALE:  # his own words, not the Dutch
            assert texts.SHORT_DESCRIPTION.dutch not in shown
            assert not set(shown) & {w.dutch for _, w in texts.COMMANDS}
        if right_to_left(locale):
            assert f"{FSI}{number}{PDI}" in description
            assert all(not_isolated(text) == [] for text in shown)
    # What a man with a French app sees, as Telegram answers the client.
    french = await _get(api, "getMyCommands", language_code="fr")
    assert french[0] == {"command": "start", "description": "Recommencer"}
    assert (await _get(api, "getMyShortDescription", language_code="fr"))[
        "short_description"
    ].startswith("Première aide anonyme")


async def _get(api: FakeBotApi, method: str, **params: str):
    url = f"{api.base_url}{api.token}/{method}"
    async with aiohttp.ClientSession() as http, http.post(url, json=params) as response:
        body = await response.json()
    assert body["ok"], body
    return body["result"]


@pytest.mark.parametrize("locale", SHIPPED)
def test_each_menus_language_command_opens_the_language_choice(
    runtime: Runtime, locale: str
) -> None:
    now = datetime.fromisoformat("2026-11-23T10:00:00+01:00")
    conversation = Conversation(runtime, locale=locale, clock=lambda: now)
    conversation.start()
    [question] = conversation.send("/" + texts.language_command(locale))
    assert LANGUAGE_NAMES["fr"] in [b.label for b in question.buttons]


async def test_a_chat_in_french_is_told_to_slow_down_in_french(
    api: FakeBotApi, runtime: Runtime
) -> None:
    chat_id = 610_000_700
    async with running_bot(api, MemoryStore(), runtime, limits=FLOOD) as bot:
        for _ in range(6):
            api.push_text(chat_id, "allô ?", language_code="fr-BE")
        await handled(bot, 6)
        sent = [c.params["text"] for c in api.calls("sendMessage", chat_id)]
    french = texts.SLOW_DOWN.text(runtime.catalogs, "fr")
    assert french.startswith("Doucement") and sent.count(french) == 1
    assert not any(texts.SLOW_DOWN.dutch in text for text in sent)


async def test_the_note_is_in_his_conversations_language_not_his_apps(
    api: FakeBotApi, runtime: Runtime
) -> None:
    """He started in French; later updates say Polish (another phone, a changed app): the
    session's language wins, as it does for the conversation itself."""
    chat_id = 610_000_701
    async with running_bot(api, MemoryStore(), runtime, limits=FLOOD) as bot:
        await Chat(api, bot, chat_id, {"language_code": "fr"}).command("start")
        before = bot.handler.handled
        for _ in range(6):
            api.push_text(chat_id, "halo?", language_code="pl")
        await handled(bot, before + 6)
        sent = [c.params["text"] for c in api.calls("sendMessage", chat_id)]
    catalogs = runtime.catalogs
    assert sent.count(texts.SLOW_DOWN.text(catalogs, "fr")) == 1
    assert texts.SLOW_DOWN.text(catalogs, "pl") not in sent


async def test_trouble_is_said_in_the_language_his_app_asks_for(
    api: FakeBotApi, runtime: Runtime
) -> None:
    """No session could be read, so the apology follows Telegram's language_code."""
    chat_id = 610_000_702
    async with running_bot(api, FailingLoads(), runtime) as bot:
        replies = await Chat(api, bot, chat_id, {"language_code": "tr"}).command("start")
    trouble = texts.TROUBLE.text(runtime.catalogs, "tr")
    assert trouble != texts.TROUBLE.dutch
    assert [reply["text"] for reply in replies] == [trouble]  # the apology, and nothing else


async def test_a_group_is_told_in_the_language_of_who_spoke(
    api: FakeBotApi, runtime: Runtime
) -> None:
    async with running_bot(api, MemoryStore(), runtime) as bot:
        chat = Chat(api, bot, -4_000_700)
        [note] = await chat._do(
            lambda: api.push_group_text(-4_000_700, "merhaba", language_code="tr")
        )
    assert note["text"] == texts.GROUP_ONLY_PRIVATE.text(runtime.catalogs, "tr")
    assert note["text"] != texts.GROUP_ONLY_PRIVATE.dutch


@pytest.mark.parametrize("locale", SHIPPED)
def test_every_channel_text_fits_telegram_in_every_language(runtime: Runtime, locale: str) -> None:
    """Telegram's limits, counted as sent (isolates too), with the number filled in."""
    number = runtime.renderer.emergency_number(None)
    catalogs = runtime.catalogs
    for _, wording in texts.COMMANDS:
        assert 3 <= len(wording.text(catalogs, locale)) <= 256
    assert len(texts.DESCRIPTION.text(catalogs, locale, noodnummer=number)) <= 512
    assert len(texts.SHORT_DESCRIPTION.text(catalogs, locale)) <= 120
    for wording in (texts.SLOW_DOWN, texts.TROUBLE, texts.GROUP_ONLY_PRIVATE):
        said = wording.text(catalogs, locale)
        assert 0 < len(said) <= 4096 and catalogs.translated(locale, wording.context, wording.dutch)
        if right_to_left(locale):
            assert not_isolated(said) == []
            assert ("/start" in wording.dutch) == (f"{FSI}/start{PDI}" in said)
