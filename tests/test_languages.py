"""Choosing the language (issue 12, item 5): negotiated with Babel from Telegram's
language_code or a browser's Accept-Language, independent of the region, changeable at any
step, and an unknown --locale is an error that lists the languages there are."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.channels.conversation import Conversation
from bot.channels.telegram.incoming import classify
from bot.channels.turn import Inbound, Turn
from bot.cli import main as cli
from bot.engine.engine import LANGUAGE_NAMES
from bot.engine.model import Start, Text
from bot.languages import negotiate, preferred
from bot.runtime import Runtime
from storage.memory import MemoryStore
from tests.auxil import updates

NOW = datetime.fromisoformat("2026-11-23T10:00:00+01:00")
OURS = ("nl", "fr", "en", "ar", "tr", "pl")
KEY = "cd" * 32


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        ("fr-BE", "fr"),
        ("nl-BE", "nl"),
        ("ar", "ar"),
        ("tr-TR", "tr"),
        ("pl-PL", "pl"),
        ("en-GB", "en"),
        ("fr_BE", "fr"),
        ("de-DE,fr;q=0.8,en;q=0.5", "fr"),  # the best one we have, by weight
        ("en;q=0.3, ar-MA;q=0.9", "ar"),
        ("fr;q=0, nl;q=0.4", "nl"),  # q=0 means "not this one"
        ("de", None),
        ("pt-br", None),
        ("*", None),
        ("", None),
        (None, None),
        ("fr-BE;q=garbage, <script>", None),
        ("x" * 10_000, None),
    ],
)
def test_negotiation(wanted: str | None, expected: str | None) -> None:
    assert negotiate(wanted, OURS) == expected


def test_accept_language_order() -> None:
    assert preferred("da, en-gb;q=0.8, en;q=0.7") == ["da", "en-gb", "en"]
    assert preferred("fr-BE") == ["fr-BE"]


def test_every_language_is_offered_and_named_in_itself(runtime: Runtime) -> None:
    assert runtime.engine.locales == OURS
    names = [LANGUAGE_NAMES[locale] for locale in OURS]
    assert names == ["Nederlands", "Français", "English", "العربية", "Türkçe", "Polski"]


async def _first(runtime: Runtime, event, language: str | None):
    turn = Turn(runtime, MemoryStore(clock=NOW.timestamp), clock=lambda: NOW)
    answer = await turn.take(Inbound(KEY, event, language=language))
    return answer


@pytest.mark.parametrize(
    ("language", "locale", "greeting"),
    [
        ("fr-BE", "fr", "Bonjour."),
        ("ar", "ar", "مرحبًا."),
        ("tr", "tr", "Merhaba."),
        ("pl", "pl", "Cześć."),
        ("nl-BE", "nl", "Hoi."),
        ("de-DE", "nl", "Hoi."),  # a language we do not have: Dutch, the source
    ],
)
async def test_a_new_conversation_starts_in_his_language_without_a_region(
    runtime: Runtime, language: str, locale: str, greeting: str
) -> None:
    answer = await _first(runtime, Start(), language)
    assert answer.session is not None and answer.session.locale == locale
    assert answer.session.region is None  # fr-BE or nl-BE is a language, not a place
    assert answer.messages[0].text.startswith(greeting)


async def test_the_first_message_need_not_be_start(runtime: Runtime) -> None:
    answer = await _first(runtime, Text("bonjour"), "fr")
    assert answer.session is not None and answer.session.locale == "fr"
    assert all("Hoi." not in m.text for m in answer.messages)


async def test_a_browser_accept_language_goes_through_the_same_turn(runtime: Runtime) -> None:
    answer = await _first(runtime, Start(), "de-DE,de;q=0.9,pl;q=0.7,en;q=0.5")
    assert answer.session is not None and answer.session.locale == "pl"
    assert answer.messages[0].text.startswith("Cześć.")


async def test_the_language_of_a_running_conversation_is_his_choice(runtime: Runtime) -> None:
    turn = Turn(runtime, MemoryStore(clock=NOW.timestamp), clock=lambda: NOW)
    await turn.take(Inbound(KEY, Start(), language="fr"))
    later = await turn.take(Inbound(KEY, Text("langue"), language="en"))  # app now in English
    assert later.session is not None and later.session.locale == "fr"
    assert later.messages[0].text == "Dans quelle langue voulez-vous continuer ?"


def test_telegram_hands_on_the_sender_language_for_messages_and_presses() -> None:
    update = updates.text_update(5, "hallo", language_code="ar")
    assert classify(update).language == "ar"
    shown = updates.make_message(updates.make_chat(5), None, text="Hoi.")
    user = updates.make_user(5, language_code="tr")
    press = updates.callback_update(shown, "p|x|main:welkom|0", user=user)
    assert classify(press).language == "tr"
    assert classify(updates.text_update(5, "hallo", language_code=None)).language is None


def test_an_arabic_speaking_man_in_flanders_gets_flemish_lines_in_arabic(runtime) -> None:
    conversation = Conversation(runtime, locale="ar", clock=lambda: NOW)
    conversation.start()
    conversation.press("فلاندرز")
    [reply] = conversation.press("التحدث مع شخص الآن")
    assert reply.cards[0].key == "lijn_1712"
    assert reply.cards[0].lines[0] == "اتصل بـ \u20681712\u2069"


@pytest.mark.parametrize("word", ["/taal", "/langue", "/language", "taal", "dil", "język", "لغة"])
def test_the_language_can_be_changed_at_any_step(runtime: Runtime, word: str) -> None:
    conversation = Conversation(runtime, clock=lambda: NOW)
    conversation.start()
    conversation.press("Nederland")
    conversation.press("Is dit normaal? Feiten checken")
    [question] = conversation.send(word)
    labels = [b.label for b in question.buttons]
    assert labels[:6] == [LANGUAGE_NAMES[x] for x in OURS]
    replies = conversation.press("Polski")
    assert conversation.session is not None and conversation.session.locale == "pl"
    assert conversation.session.at == "feiten:start" and conversation.session.region == "NL"
    switched, note = replies
    assert switched.text == "Dobrze, kontynuujemy po polsku."
    assert "nie sprawdziła jeszcze osoba" in note.text  # the catalog says: not reviewed
    assert [b.label for b in note.buttons][:3] == ["Tak", "Nie", "Nie wiem"]


def test_the_greeting_offers_the_language_choice(runtime: Runtime) -> None:
    conversation = Conversation(runtime, clock=lambda: NOW)
    [greeting] = conversation.start()
    assert "🌐 Taal · Language · Langue" in [b.label for b in greeting.buttons]
    [question] = conversation.press("🌐 Taal · Language · Langue")
    assert "Français" in [b.label for b in question.buttons]
    conversation.press("Türkçe")
    assert conversation.session.locale == "tr" and conversation.session.region is None


def test_dutch_after_another_language_says_nothing_about_review(runtime: Runtime) -> None:
    conversation = Conversation(runtime, locale="fr", clock=lambda: NOW)
    conversation.start()
    [only] = conversation.send("nederlands")
    assert only.text == "Goed, we gaan verder in het Nederlands."


def test_an_unknown_locale_on_the_command_line_is_an_error(capsys) -> None:
    assert cli(["chat", "--locale", "de"]) == 2
    err = capsys.readouterr().err
    assert "--locale de: the bot has no such language. Supported: nl, fr, en, ar, tr, pl" in err
