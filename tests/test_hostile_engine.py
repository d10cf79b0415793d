"""Property: whatever a man (or an attacker) sends, in any order, the engine keeps a valid
session and every reply fits Telegram's limits, with a way to 112 under typed text.

Hypothesis draws sequences of events: mostly the buttons the bot just offered (so the walk
goes deep into every flow), mixed with typed text of any kind and size, forged presses,
commands with odd arguments, stickers and the like, /start in any language, and "stop".
"""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels.telegram.html import MAX_BUTTON_LABEL, MAX_CALLBACK_BYTES, MAX_TEXT, to_parts
from bot.engine.engine import HISTORY_LIMIT, SYSTEM
from bot.engine.model import Forget, Intent, Press, Say, Session, Start, Text, Unsupported
from bot.regions import REGIONS

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))  # lines are closed
MAX_BUTTONS = 100  # Telegram's limit for one inline keyboard
WORDS = (
    "hij slaat me", "ze heeft een mes", "ik wil dood", "help", "stop", "wis", "menu", "terug",
    "taal", "/start", "/stop", "/help", "/taal en", "ok", "ja", "nee", "NL", "1", "0", "-1",
    "Nederland", "België", "Vlaanderen", "ik", "?", "", " ", "\u200b", "\u202e", "<b>", "&amp;",
    "{noodnummer}", "%s", "${x}", "mijn vrouw doet raar", "werk", "kinderen",
)  # fmt: skip
KINDS = ("sticker", "photo", "contact", "location", "venue", "voice", "video", "poll", "dice")


def typed() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(WORDS),
        st.text(max_size=60),
        # Over Telegram's 4096: one drawn piece repeated (drawing 5000 characters is slow).
        st.builds(
            lambda piece, n: (piece * n)[:n],
            st.text(min_size=1, max_size=8),
            st.integers(4090, 5000),
        ),
        st.lists(st.sampled_from(WORDS), max_size=30).map(" ".join),
    )


def events(engine) -> st.SearchStrategy:
    flows = [f for f in engine.flows if f != SYSTEM]
    at = st.one_of(
        st.sampled_from(flows).flatmap(
            lambda f: st.sampled_from(sorted(engine.flows[f].flow.steps)).map(lambda s: f"{f}:{s}")
        ),
        st.text(max_size=30),
    )
    names = st.one_of(st.sampled_from(sorted(engine.intents.specs)), st.text(max_size=12))
    args = st.one_of(st.none(), st.text(max_size=20), st.sampled_from(REGIONS))
    locales = st.one_of(
        st.none(), st.sampled_from(["en-GB", "nl", "fr", "ar"]), st.text(max_size=8)
    )
    hostile = st.one_of(
        st.builds(Text, typed()),
        st.builds(Press, at, st.integers(-3, 300), st.text(max_size=12)),
        st.builds(Intent, names, args),
        st.builds(Unsupported, st.one_of(st.sampled_from(KINDS), st.text(max_size=10))),
        st.builds(Start, locales),
    )
    # Mostly a button just shown (chosen by index in the test), so the walk goes deep.
    return st.one_of(st.just("offered"), st.just("offered"), hostile)


def check_session(engine, session: Session, now: float) -> None:
    assert session.flow in engine.flows and session.flow != SYSTEM, session.at
    assert session.step in engine.flows[session.flow].flow.steps, session.at
    assert session.locale in engine.locales, session.locale
    assert session.region is None or session.region in REGIONS, session.region
    assert len(session.history) <= HISTORY_LIMIT
    for entry in session.history:
        flow, _, step = entry.partition(":")
        assert flow in engine.flows and step in engine.flows[flow].flow.steps, entry
    assert session.created <= session.updated == now
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in session.answers.items())


def check_fits_telegram(runtime, say: Say) -> None:
    message = runtime.render(say, NOW)
    parts = to_parts(message)
    assert parts, say
    for part in parts:
        assert 0 < len(part.html.encode("utf-16-le")) // 2 <= MAX_TEXT
        assert html.unescape(part.html).strip()
    rows = (parts[-1].markup or {}).get("inline_keyboard", [])
    buttons = [b for row in rows for b in row]
    assert len(buttons) <= MAX_BUTTONS
    for button in buttons:
        assert 0 < len(button["text"]) <= MAX_BUTTON_LABEL
        if "callback_data" in button:
            assert 0 < len(button["callback_data"].encode()) <= MAX_CALLBACK_BYTES
        else:
            assert button["url"].startswith(("https://", "http://"))


def way_to_112(runtime, say: Say) -> bool:
    return (
        any(b.event == Intent("emergency") for b in say.buttons)
        or "noodnummer_112" in say.referrals
        or "112" in runtime.render(say, NOW).text
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), region=st.sampled_from((None, *REGIONS)))
def test_any_sequence_of_events_keeps_a_valid_session(runtime, data, region) -> None:
    engine = runtime.engine
    session, replies = engine.begin(1.0, region=region)
    script = data.draw(st.lists(events(engine), min_size=1, max_size=40), label="events")
    for n, event in enumerate(script, start=2):
        offered = [b for r in replies if isinstance(r, Say) for b in r.buttons]
        if event == "offered":
            if not offered:
                continue
            event = offered[data.draw(st.integers(0, len(offered) - 1), label="button")].event
        session, replies = engine.resume(session, event, float(n))
        says = [r for r in replies if isinstance(r, Say)]
        if session is None:
            assert any(isinstance(r, Forget) for r in replies), event
        else:
            check_session(engine, session, float(n))
            assert says, event  # the bot always answers
        for say in says:
            check_fits_telegram(runtime, say)
        if isinstance(event, Text) and session is not None:
            assert any(way_to_112(runtime, s) for s in says), (event, says)
