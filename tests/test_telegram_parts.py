"""The Telegram channel's pure parts: HTML, update classification, order, urgency, floods."""

from __future__ import annotations

import asyncio
import html

import pytest

from bot.channels.inbound import FORGED_PRESS, command_name
from bot.channels.ordering import ChatLocks, FloodGate, SeenOnce
from bot.channels.telegram.html import MAX_TEXT, keyboard, safe_url, to_parts
from bot.channels.telegram.incoming import Incoming, classify
from bot.channels.telegram.logs import KeyValueFormatter, redact
from bot.channels.telegram.presses import query_id
from bot.channels.urgency import expect_urgent
from bot.engine.model import Intent, Press, Say, Start, Text, Unsupported
from bot.render import ButtonView, CardView, Message
from bot.runtime import Runtime
from tests.auxil import updates


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def choice(label: str, index: int) -> ButtonView:
    event = Press("main:welkom", index, "abc123")
    return ButtonView(label, event, f"p|abc123|main:welkom|{index}")


# ---- HTML --------------------------------------------------------------------------------


def test_text_and_cards_are_escaped_and_cards_have_a_bold_title() -> None:
    card = CardView(
        key="k",
        title="Hulp <& Co>",
        lines=("Bel 0800-2000", "Open <24/7>"),
        links=(("Website", "https://example.org/a?b=1&c=2"),),
    )
    message = Message(text='Tekst met <tag> & "quotes"', cards=(card,), buttons=(choice("Ja", 0),))
    [part] = to_parts(message)
    assert part.html.startswith("Tekst met &lt;tag&gt; &amp; &quot;quotes&quot;")
    assert "<b>Hulp &lt;&amp; Co&gt;</b>\nBel 0800-2000\nOpen &lt;24/7&gt;" in part.html
    rows = part.markup["inline_keyboard"]
    assert [len(row) for row in rows] == [1, 1]  # one button per row
    assert rows[0][0] == {"text": "Hulp <& Co> · Website", "url": "https://example.org/a?b=1&c=2"}
    assert rows[1][0] == {"text": "Ja", "callback_data": "p|abc123|main:welkom|0"}


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "tel:+31800", "ftp://x.org", "https://", "https://a b.org"]
)
def test_only_http_links_become_buttons(url: str) -> None:
    assert safe_url(url) is None
    message = Message(text="x", cards=(CardView("k", "T", links=(("L", url),)),))
    assert keyboard(message) is None


def test_callback_data_over_64_bytes_is_left_out() -> None:
    long = ButtonView("Te lang", Intent("menu"), "i|" + "x" * 70 + "|")
    markup = keyboard(Message(text="x", buttons=(long, choice("Ok", 1))))
    assert [row[0]["text"] for row in markup["inline_keyboard"]] == ["Ok"]


def test_a_long_text_is_split_with_buttons_on_the_last_part_only() -> None:
    text = "\n".join(f"Regel {i} met <een> & wat tekst om te vullen" for i in range(300))
    message = Message(text=text, buttons=(choice("Verder", 0),))
    parts = to_parts(message)
    assert len(parts) >= 2
    assert all(units(p.html) <= MAX_TEXT for p in parts)
    assert all(p.markup is None for p in parts[:-1]) and parts[-1].markup is not None
    assert html.unescape("\n".join(p.html for p in parts)) == text


def test_one_enormous_line_is_cut_without_breaking_an_entity() -> None:
    text = "&<>" * 2500 + "😀" * 1000  # 7,500 + 1,000 characters, escaped far longer
    parts = to_parts(Message(text=text))
    assert all(units(p.html) <= MAX_TEXT for p in parts)
    assert "".join(html.unescape(p.html) for p in parts) == text


def test_cards_move_whole_to_the_next_message_when_they_do_not_fit() -> None:
    cards = tuple(
        CardView(f"k{i}", f"Organisatie {i}", lines=tuple(f"feit {j} " * 8 for j in range(8)))
        for i in range(20)
    )
    parts = to_parts(Message(text="Intro", cards=cards))
    assert len(parts) >= 2
    for part in parts:
        assert units(part.html) <= MAX_TEXT
        assert part.html.count("<b>") == part.html.count("</b>")
    titles = [line for p in parts for line in p.html.split("\n") if line.startswith("<b>")]
    assert len(titles) == 20


def test_buttons_without_text_still_make_a_valid_message() -> None:
    [part] = to_parts(Message(text="  ", buttons=(choice("Ok", 0),)))
    assert part.html.strip() and part.markup is not None
    assert to_parts(Message(text="")) == []


# ---- incoming ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "event"),
    [
        ("/start", Start(locale=updates.DEFAULT_LANGUAGE)),
        ("/start payload", Start(locale=updates.DEFAULT_LANGUAGE)),
        ("/stop@firstcontact_bot", Intent("stop")),
        ("/HELP", Intent("help")),
        ("/menu@firstcontact_bot", Text("/menu")),
        ("stop", Text("stop")),
    ],
)
def test_commands(text: str, event: object) -> None:
    incoming = classify(updates.text_update(5, text))
    assert incoming.event == event
    assert incoming.private


def test_start_carries_the_clients_language() -> None:
    incoming = classify(updates.text_update(5, "/start", language_code="en-GB"))
    assert incoming.event == Start(locale="en-GB")


def test_plain_text_is_no_command() -> None:
    assert command_name("start") is None and command_name("/") is None
    assert command_name("  /Stop@SomeBot nu") == "stop"


@pytest.mark.parametrize(
    ("factory", "kind"),
    [
        (updates.sticker_update, "sticker"),
        (updates.photo_update, "photo"),
        (updates.voice_update, "voice"),
        (updates.document_update, "document"),
        (updates.location_update, "location"),
        (updates.contact_update, "contact"),
        (updates.poll_update, "poll"),
    ],
)
def test_every_other_kind_is_unsupported(factory, kind: str) -> None:
    incoming = classify(factory(7))
    assert incoming.event == Unsupported(kind)
    assert incoming.message_id is not None


def test_edited_messages_and_groups() -> None:
    original = updates.text_update(7, "hoi")["message"]
    assert classify(updates.edited_text_update(original, "hallo")).event == Unsupported("edited")
    group = classify(updates.group_text_update(-100, "hoi"))
    assert not group.private


def test_forged_callback_data_becomes_a_press_that_can_never_match() -> None:
    message = updates.text_update(9, "x")["message"]
    incoming = classify(updates.callback_update(message, "p|zz|nowhere"))
    assert incoming.event == FORGED_PRESS and incoming.callback_id
    good = classify(updates.callback_update(message, "i|emergency|"))
    assert good.event == Intent("emergency")


def _without_text(data: dict, **fields: object) -> dict:
    del data["message"]["text"]
    data["message"].update(fields)
    return data


def _cases() -> list[tuple[dict, Incoming | None, str | None]]:
    """Update JSON -> what it asks (chat 5 and 7 private, -100 a group), and its query id."""
    message = updates.text_update(9, "x")["message"]
    live = updates.location_update(7)
    live["message"]["location"]["live_period"] = 60
    inline_only = updates.callback_update(message, "i|emergency|")
    del inline_only["callback_query"]["message"]
    inline_only["callback_query"]["inline_message_id"] = "abc"
    forged = updates.callback_update(message, "p|zz|nowhere")
    danger = updates.callback_update(message, "i|emergency|")
    cases: list[tuple[dict, Incoming | None, str | None]] = []

    def add(data: dict, chat: int, event: object, *, own: bool = True) -> None:
        mid = data["message"]["message_id"] if own else None
        language = (data["message"].get("from") or {}).get("language_code")  # for a new chat
        cases.append(
            (data, Incoming(chat, chat > 0, event, message_id=mid, language=language), None)
        )

    add(updates.text_update(5, "/start", language_code="en-GB"), 5, Start(locale="en-GB"))
    add(updates.text_update(5, "/menu@firstcontact_bot"), 5, Text("/menu"))
    add(updates.text_update(5, "gewoon tekst"), 5, Text("gewoon tekst"))
    for factory, kind in (
        (updates.sticker_update, "sticker"),
        (updates.photo_update, "photo"),
        (updates.voice_update, "voice"),
        (updates.document_update, "document"),
        (updates.contact_update, "contact"),
        (updates.poll_update, "poll"),
        (updates.location_update, "location"),
    ):
        add(factory(7), 7, Unsupported(kind))
    add(live, 7, Unsupported("live_location"))
    edited = updates.edited_text_update(updates.text_update(7, "hoi")["message"], "hallo")
    cases.append((edited, Incoming(7, True, Unsupported("edited")), None))
    add(updates.group_text_update(-100, "hoi"), -100, Text("hoi"))
    for data, event in ((forged, FORGED_PRESS), (danger, Intent("emergency"))):
        qid = data["callback_query"]["id"]
        language = data["callback_query"]["from"].get("language_code")
        cases.append((data, Incoming(9, True, event, callback_id=qid, language=language), qid))
    cases.append((inline_only, None, inline_only["callback_query"]["id"]))
    service = _without_text(updates.text_update(5, "x"), video_chat_started={})  # empty {}
    add(service, 5, None)
    add(_without_text(updates.text_update(5, "x"), delete_chat_photo=True), 5, None)
    add(
        _without_text(updates.text_update(5, "x"), brand_new_kind={"a": 1}), 5, Unsupported("other")
    )
    return cases


@pytest.mark.parametrize(("data", "expected", "query"), _cases())
def test_each_kind_of_update_json_asks_what_it_should(
    data: dict, expected: Incoming | None, query: str | None
) -> None:
    assert classify(data) == expected
    assert query_id(data) == query


def test_malformed_updates_have_no_chat_to_answer() -> None:
    for data in ({"update_id": 1}, {"update_id": 1, "message": "x"}, {"message": {"chat": 5}}):
        assert classify(data) is None
    assert classify({"callback_query": {"id": "q", "message": {}}}) is None


# ---- ordering ----------------------------------------------------------------------------


async def test_chat_locks_keep_order_per_chat_and_clean_up() -> None:
    locks = ChatLocks()
    seen: list[tuple[str, int]] = []

    async def work(key: str, n: int, delay: float) -> None:
        async with locks.hold(key):
            await asyncio.sleep(delay)
            seen.append((key, n))

    jobs = [work("a", i, 0.01 * (5 - i)) for i in range(5)] + [work("b", 0, 0)]
    await asyncio.gather(*jobs)
    assert [n for key, n in seen if key == "a"] == [0, 1, 2, 3, 4]
    assert seen.index(("b", 0)) < 4  # chat b did not wait for all of chat a
    assert len(locks) == 0


async def test_chat_locks_say_when_a_new_update_would_wait() -> None:
    locks = ChatLocks()
    assert not locks.busy("a")
    async with locks.hold("a"):
        assert locks.busy("a") and not locks.busy("b")
    assert not locks.busy("a")


def test_urgent_answers_are_recognised_before_their_turn(runtime: Runtime) -> None:
    engine = runtime.engine
    _, greeting = engine.resume(None, Start(), 0.0)
    [say] = [r for r in greeting if isinstance(r, Say)]
    danger_button = next(b.event for b in say.buttons if b.event == Intent("emergency"))
    choices = [b.event for b in say.buttons if isinstance(b.event, Press)]
    assert expect_urgent(engine, Text("ik ben nu in gevaar"), 0.0)
    assert expect_urgent(engine, danger_button, 0.0)
    assert not expect_urgent(engine, Text("hallo"), 0.0)
    assert not any(expect_urgent(engine, press, 0.0) for press in choices)
    for other in (Start(), Unsupported("photo"), Intent("menu"), FORGED_PRESS):
        assert not expect_urgent(engine, other, 0.0), other
    stale = Press(choices[0].at, choices[0].index, "0ld")
    assert not expect_urgent(engine, stale, 0.0)


def test_flood_gate_bursts_then_drops_with_one_warning() -> None:
    now = [0.0]
    gate = FloodGate(burst=3, rate=1.0, clock=lambda: now[0])
    results = [gate.admit("a") for _ in range(6)]
    assert results == [(True, False)] * 3 + [(False, True), (False, False), (False, False)]
    assert gate.admit("b") == (True, False)  # another chat is not affected
    now[0] += 1.0
    assert gate.admit("a") == (True, False)
    assert gate.admit("a") == (False, True)  # a new flood, a new (single) warning


def test_flood_gate_and_seen_once_are_bounded() -> None:
    gate = FloodGate(max_chats=10)
    seen = SeenOnce(size=10)
    for i in range(100):
        gate.admit(str(i))
        assert seen.first(str(i))
    assert len(gate) == 10 and len(seen) == 10
    assert not seen.first("99")


# ---- logs --------------------------------------------------------------------------------


def test_log_lines_redact_tokens_and_leave_tracebacks_out() -> None:
    import logging
    import sys

    assert redact("GET https://x/bot123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ/getMe") == (
        "GET https://x/bot<token>/getMe"
    )
    try:
        raise ValueError("boom 123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    except ValueError:
        info = sys.exc_info()
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed %s", ("a b",), info)
    line = KeyValueFormatter().format(record)
    assert 'msg="failed a b"' in line and "exc=ValueError" in line
    assert "ABCDEFGHIJ" not in line and "Traceback" not in line


async def test_the_handler_signals_when_updates_are_handled(runtime: Runtime) -> None:
    """Tests await handled_up_to(n) instead of polling the handled count."""
    from bot.channels.telegram.handlers import UpdateHandler
    from bot.channels.turn import Limits
    from storage import MemoryStore

    handler = UpdateHandler(runtime, MemoryStore(3600), lambda *_: "k", Limits(), client=None)
    second = asyncio.ensure_future(handler.handled_up_to(2))
    gave_up = asyncio.ensure_future(handler.handled_up_to(5))
    await handler("not an update")  # ignored, and counted
    await asyncio.sleep(0)
    assert (handler.handled, second.done()) == (1, False)
    gave_up.cancel()
    await handler("not an update")
    await second  # returns: two were handled
    assert handler.handled == 2 and gave_up.cancelled()
    await handler.handled_up_to(1)  # already reached: no wait at all
