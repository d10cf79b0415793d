"""Typed text leads somewhere: danger gets 112 first mid-conversation, a topic goes to its
step, and no reply to typed text is without a way to 112."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.engine.engine import SYSTEM
from bot.engine.model import Forget, Intent, Say, Session, Text
from bot.recognition.evaluate import read_corpus

CORPUS = Path(__file__).parent / "corpus"
NOW = datetime(2026, 11, 25, 3, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))  # a weekday night
REGIONS = ("NL", "BE-VLG", "BE-LEUVEN", "BE-WAL-BRU", "ELDERS")
TYPED = ("xq zzv", "mijn vrouw doet raar de laatste tijd", "ok", "ik snap het niet")
EMERGENCY_KEY = "noodnummer_112"


def steps(runtime):
    for flow_id, compiled in runtime.engine.flows.items():
        if flow_id == SYSTEM:
            continue
        for step in compiled.flow.steps.values():
            if not step.route:
                yield f"{flow_id}:{step.id}"


def session_at(at: str, region: str) -> Session:
    flow, _, step = at.partition(":")
    return Session(flow=flow, step=step, region=region, created=0.0, updated=0.0)


def way_to_112(runtime, say: Say) -> bool:
    """The danger button, the emergency card, or the number in the text itself."""
    if any(b.event == Intent("emergency") for b in say.buttons):
        return True
    if EMERGENCY_KEY in say.referrals:
        return True
    return "112" in runtime.render(say, NOW).text


@pytest.mark.parametrize("region", REGIONS)
def test_no_reply_to_typed_text_is_without_a_way_to_112(runtime, region: str) -> None:
    checked = 0
    for at in steps(runtime):
        for text in (*TYPED, "stop", "menu", "help", "terug", "taal", "ze heeft een mes"):
            _, replies = runtime.engine.resume(session_at(at, region), Text(text), 10.0)
            says = [r for r in replies if isinstance(r, Say)]
            assert says, (at, text)
            assert any(way_to_112(runtime, s) for s in says), (at, text, says)
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("part", ["tune", "heldout", "heldout5", "heldout6"])
def test_danger_in_his_own_words_gets_112_first_in_the_first_reply(runtime, part: str) -> None:
    recogniser = runtime.engine.intents.recogniser
    danger = [s for s in read_corpus(CORPUS, part) if s.label == "danger"]
    recognised = [s for s in danger if recogniser.read(s.text).alarms]
    assert recognised  # the share recognised is measured in test_recognition_corpus.py
    for sample in recognised:
        session = session_at("opties:geld_nl", "NL")  # mid-conversation
        same, replies = runtime.engine.resume(session, Text(sample.text), 10.0)
        first = replies[0]
        assert isinstance(first, Say) and first.urgent, sample.text
        assert first.referrals[0] == EMERGENCY_KEY, sample.text
        # the conversation stays where it was ("help" alone also explains the chat)
        assert same.at in (session.at, "main:hulp")


@pytest.mark.parametrize(
    "text",
    [
        "karım elinde bıçakla kapıda bekliyor",  # Turkish
        "bogazimi sikiyo birakmiyo",  # Turkish without its letters
        "زوجتي ماسكة سكينة وبتهددني",  # Arabic
        "mrati ghadi t9tlni daba",  # Moroccan Arabic in Latin letters
        "żona ma nóż i mi grozi",  # Polish
        "zona mnie dusi",  # Polish without its letters
        "elle m a enfermé dans le kot",  # Belgian French
    ],
)
@pytest.mark.parametrize("locale", ["nl", "en"])
def test_danger_in_another_language_than_the_bots_still_gets_112_first(
    runtime, text: str, locale: str
) -> None:
    """Recognition reads every language at once: a man typing Turkish while the bot speaks
    Dutch (or English) gets the danger notice with 112 first, in the bot's language."""
    session = replace(session_at("opties:geld_nl", "NL"), locale=locale)
    same, replies = runtime.engine.resume(session, Text(text), 10.0)
    first = replies[0]
    assert isinstance(first, Say) and first.urgent and first.context == "system:gevaar_melding"
    assert first.referrals[0] == EMERGENCY_KEY
    assert same.locale == locale and same.at == session.at


def test_danger_and_crisis_together_get_both_lines(runtime) -> None:
    session = session_at("main:menu", "BE-VLG")
    _, replies = runtime.engine.resume(
        session, Text("ze heeft me net gewurgd en ik wil er niet meer zijn"), 1.0
    )
    assert [r.context for r in replies] == [
        "system:gevaar_melding",
        "system:zelfdoding_melding",
        "main:menu",  # then the question he was at, again
    ]
    assert all(r.urgent for r in replies[:2]) and replies[0].referrals[0] == EMERGENCY_KEY
    assert "zelfmoordlijn_1813" in replies[1].referrals
    assert replies[-1].buttons and not replies[0].buttons  # choices once, under the last


def test_help_alone_gets_112_first_then_how_the_chat_works(runtime) -> None:
    session = session_at("main:menu", "NL")
    moved, replies = runtime.engine.resume(session, Text("HELP!!!"), 1.0)
    assert [r.context for r in replies] == ["system:gevaar_melding", "main:hulp"]
    assert replies[0].urgent and replies[0].referrals[0] == EMERGENCY_KEY
    assert moved.at == "main:hulp" and moved.history[-1] == "main:menu"


@pytest.mark.parametrize(
    ("text", "step"),
    [
        ("ze pakt mijn pinpas af en ik krijg zakgeld", "opties:geld_nl"),
        ("mijn baas merkt dat ik steeds te laat ben", "opties:werk_nl"),
        ("kan ik aangifte doen bij de politie?", "opties:politie_nl"),
        ("ik durf niet naar huis en weet niet waar ik moet slapen", "opties:opvang_nl"),
        ("is dit normaal? ze leest al mijn berichten", "feiten:start"),
    ],
)
def test_a_named_topic_goes_to_its_step(runtime, text: str, step: str) -> None:
    moved, replies = runtime.engine.resume(session_at("main:menu", "NL"), Text(text), 1.0)
    assert moved.at == step, runtime.engine.intents.recogniser.read(text).scores
    assert not any(isinstance(r, Forget) for r in replies)


def test_unplaceable_text_names_the_number_from_the_directory(runtime) -> None:
    _, [say] = runtime.engine.resume(session_at("main:menu", "NL"), Text("xq zzv"), 1.0)
    shown = runtime.render(say, NOW)
    assert "{noodnummer}" in say.text and "{" not in shown.text
    assert "112" in shown.text
    assert [b.event.name for b in say.buttons[:3]] == ["topic"] * 3


def test_a_learned_topic_guess_is_offered_first_not_followed(runtime) -> None:
    """When only the learned weights name a topic, the man is not moved on a guess."""
    engine = runtime.engine
    recogniser = engine.intents.recogniser
    text = "wie leest er mee"
    verdict = recogniser.read(text)
    assert verdict.learned_topic and verdict.topics, verdict.scores
    session = session_at("main:menu", "NL")
    same, [say] = engine.resume(session, Text(text), 1.0)
    assert same.at == session.at and say.context == "system:unknown_text"
    goto = recogniser.topics[verdict.topics[0]].goto
    first_topic = next(b for b in say.buttons if b.event.name == "topic")
    assert first_topic.event.arg == goto
