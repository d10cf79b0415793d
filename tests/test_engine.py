"""The pure engine: purity, every global intent at every step, stale buttons, forgetting."""

from __future__ import annotations

import copy

import pytest

from bot.definitions.bundle import build_engine
from bot.engine.engine import HISTORY_LIMIT, SYSTEM
from bot.engine.machine import FREE_TEXT, ROUTE, choice_trigger
from bot.engine.model import Forget, Intent, Press, Say, Session, Start, Text, Unsupported
from bot.regions import REGIONS


@pytest.fixture(scope="module")
def engine():
    return build_engine()


def all_steps(engine):
    for flow_id, compiled in engine.flows.items():
        if flow_id == SYSTEM:
            continue
        for step in compiled.flow.steps.values():
            if not step.route:
                yield flow_id, step


def at(engine, flow_id: str, step_id: str, region: str | None = "NL") -> Session:
    return Session(flow=flow_id, step=step_id, region=region, created=0.0, updated=0.0)


def test_start_greets_with_buttons(engine) -> None:
    session, replies = engine.resume(None, Start(), 100.0)
    assert session is not None and session.at == "main:welkom"
    assert session.created == session.updated == 100.0
    [say] = replies
    assert say.text.startswith("Hoi") and len(say.buttons) >= 4


def test_resume_never_changes_the_given_session(engine) -> None:
    session, replies = engine.resume(None, Start(), 1.0)
    before = copy.deepcopy(session)
    engine.resume(session, replies[0].buttons[0].event, 2.0)
    engine.resume(session, Text("terug"), 3.0)
    assert session == before


def test_emergency_intent_from_every_step_shows_112_first(engine) -> None:
    for flow_id, step in all_steps(engine):
        for region in REGIONS:
            session = at(engine, flow_id, step.id, region)
            new, replies = engine.resume(session, Intent("emergency"), 5.0)
            say = replies[0]
            assert say.referrals[0] == "noodnummer_112", (flow_id, step.id, region)
            assert new is not None


def test_typed_danger_is_gentle_and_conversation_goes_on(engine) -> None:
    for flow_id, step in all_steps(engine):
        session = at(engine, flow_id, step.id)
        new, replies = engine.resume(session, Text("Ze heeft een MES!"), 5.0)
        if step.forget:
            continue  # no session lives there; a forget step is never entered again
        [say, again] = replies
        assert say.referrals[:2] == ("noodnummer_112", "veilig_thuis")
        assert say.urgent and not say.buttons
        assert new.at == session.at, "a typed alarm must not move the conversation"
        # then the question he was at, again, with its own buttons
        assert again.context == session.at and again.text == step.text
        assert again.buttons == engine.buttons(session)


@pytest.mark.parametrize("words", ["stop", "/stop", "Wis", "WÍS!"])
def test_stop_forgets_from_any_step(engine, words) -> None:
    for flow_id, step in all_steps(engine):
        new, replies = engine.resume(at(engine, flow_id, step.id), Text(words), 5.0)
        assert new is None and isinstance(replies[-1], Forget), (flow_id, step.id)


def test_menu_help_and_back_work_everywhere(engine) -> None:
    for flow_id, step in all_steps(engine):
        session = at(engine, flow_id, step.id)
        menu, _ = engine.resume(session, Text("menu"), 1.0)
        assert menu.at == "main:menu"
        helped, _ = engine.resume(session, Intent("help"), 1.0)
        assert helped.at == "main:hulp"
        back, _ = engine.resume(helped, Text("terug"), 2.0)
        assert back.at == session.at


def test_back_at_start_says_so(engine) -> None:
    session, _ = engine.resume(None, Start(), 1.0)
    same, [say] = engine.resume(session, Text("terug"), 2.0)
    assert same.at == session.at and say.context == "system:at_start"


def test_history_is_bounded(engine) -> None:
    session, _ = engine.resume(None, Start(), 0.0)
    for i in range(HISTORY_LIMIT * 3):
        session, _ = engine.resume(session, Text("help" if i % 2 else "menu"), float(i))
    assert len(session.history) <= HISTORY_LIMIT


def test_unknown_text_gets_the_closest_topics_then_the_same_choices(engine) -> None:
    session, replies = engine.resume(None, Start(), 0.0)
    same, [say] = engine.resume(session, Text("asdf qwerty"), 1.0)
    assert same.at == session.at and say.context == "system:unknown_text"
    assert "{noodnummer}" in say.text  # the renderer fills in the directory's number
    topics = say.buttons[: -len(replies[0].buttons)]
    assert say.buttons[len(topics) :] == replies[0].buttons
    assert [b.event.name for b in topics] == ["topic"] * 3


def test_typed_topic_goes_there_and_its_button_works(engine) -> None:
    session, _ = engine.resume(None, Start(), 0.0)
    session, _ = engine.resume(session, Text("1"), 1.0)  # Nederland -> menu
    moved, [say] = engine.resume(
        session, Text("mijn vriendin beheert mijn bankpas, ik krijg zakgeld"), 2.0
    )
    assert moved.at == "opties:geld_nl" and say.context == "opties:geld_nl"
    pressed, _ = engine.resume(session, Intent("topic", "opties:werk"), 3.0)
    assert pressed.at == "opties:werk_nl"
    forged, [note] = engine.resume(session, Intent("topic", "nope:x"), 3.0)
    assert forged.at == session.at and note.context == "system:stale_button"


def test_typing_a_number_or_label_presses_it(engine) -> None:
    session, _ = engine.resume(None, Start(), 0.0)
    by_number, _ = engine.resume(session, Text("2"), 1.0)
    by_label, _ = engine.resume(session, Text("vlaanderen"), 1.0)
    assert by_number.region == by_label.region == "BE-VLG"
    assert by_number.at == by_label.at == "main:menu"


@pytest.mark.parametrize(
    "press",
    [
        Press("main:welkom", 99, ""),
        Press("main:welkom", -1, ""),
        Press("nope:x", 0, ""),
        Press("main:welkom", 0, "badver"),
        Press("system:language", 0, ""),
        Press("", -1, ""),
    ],
)
def test_forged_or_stale_buttons_change_nothing(engine, press) -> None:
    session, replies = engine.resume(None, Start(), 0.0)
    same, [say] = engine.resume(session, press, 1.0)
    assert same.at == session.at and same.region == session.region
    assert say.context == "system:stale_button" and say.buttons == replies[0].buttons


def test_button_of_an_older_message_still_works(engine) -> None:
    session, first = engine.resume(None, Start(), 0.0)
    session, _ = engine.resume(session, first[0].buttons[0].event, 1.0)  # Nederland
    session, _ = engine.resume(session, Text("help"), 2.0)
    later, _ = engine.resume(session, first[0].buttons[1].event, 3.0)  # Vlaanderen, old message
    assert later.region == "BE-VLG" and later.at == "main:menu"


def test_press_without_session_restarts_with_a_note(engine) -> None:
    session, replies = engine.resume(None, Press("main:menu", 0, ""), 0.0)
    assert session.at == "main:welkom"
    assert [r.context for r in replies] == ["system:expired", "main:welkom"]


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice", "document", "poll"])
def test_unsupported_input(engine, kind) -> None:
    session, _ = engine.resume(None, Start(), 0.0)
    same, [say] = engine.resume(session, Unsupported(kind), 1.0)
    assert same.at == session.at and say.context == "system:unsupported"


@pytest.mark.parametrize("kind", ["contact", "location", "venue"])
def test_contact_and_location_are_not_needed(engine, kind) -> None:
    session, _ = engine.resume(None, Start(), 0.0)
    _, [say] = engine.resume(session, Unsupported(kind), 1.0)
    assert say.context == "system:unsupported_private"


def test_language_offers_known_locales_only(engine) -> None:
    session, _ = engine.resume(None, Start(), 0.0)
    _same, [say] = engine.resume(session, Text("taal"), 1.0)
    languages = [b for b in say.buttons if b.event.name == "language"]
    assert {b.event.arg for b in languages} == set(engine.locales)
    assert say.buttons[-1].event == Intent("emergency"), "the danger button stays available"
    unchanged, _ = engine.resume(session, Intent("language", "xx"), 1.0)
    assert unchanged.locale == session.locale


def test_routes_by_region_reach_the_right_handoff(engine) -> None:
    expected = {
        "NL": "veilig_thuis",
        "BE-VLG": "lijn_1712",
        "BE-LEUVEN": "lijn_1712",
        "BE-WAL-BRU": "ecoute_violences",
        "ELDERS": "noodnummer_112",
    }
    for region, key in expected.items():
        session = at(engine, "main", "menu", region)
        praten = next(
            i
            for i, c in enumerate(engine.flows["main"].flow.steps["menu"].choices)
            if c.next == "praten"
        )
        new, replies = engine.resume(session, Press("main:menu", praten, ""), 1.0)
        assert key in replies[-1].referrals, (region, new.at, replies[-1].referrals)


def test_session_holds_nothing_typed(engine) -> None:
    secret = "mijn naam is Jan Jansen en ik woon op de Dorpsstraat 1"
    session, _ = engine.resume(None, Start(), 0.0)
    for text in (secret, "menu", secret, "2", secret):
        session, _ = engine.resume(session, Text(text), 1.0)
    assert "Jan" not in repr(session) and "Dorpsstraat" not in repr(session)


def test_fast_lookup_agrees_with_transitions_trigger(engine) -> None:
    """fire() reads the machine's table; trigger() runs transitions itself: same answers."""
    checked = 0
    for compiled in engine.flows.values():
        for step in compiled.flow.steps.values():
            triggers = [choice_trigger(i) for i, c in enumerate(step.choices) if not c.intent]
            triggers += [FREE_TEXT] if step.free_text and step.free_text.next else []
            triggers += [ROUTE] if step.route else []
            for trigger in triggers:
                for region in (None, *REGIONS):
                    session = Session(flow=compiled.flow.id, step=step.id, region=region)
                    fast = compiled.fire(step.id, trigger, session)
                    assert fast == compiled.trigger(step.id, trigger, session)
                    checked += 1
    assert checked > 20


def test_engine_replies_are_data_only(engine) -> None:
    _session, replies = engine.resume(None, Start(), 0.0)
    for reply in replies:
        assert isinstance(reply, Say | Forget)


def test_typed_thoughts_of_suicide_get_112_then_the_suicide_line(engine) -> None:
    expected = {
        "NL": "zelfmoordpreventie_113",
        "BE-VLG": "zelfmoordlijn_1813",
        "BE-WAL-BRU": "prevention_suicide_cps",  # French first, then 1813
    }
    for region, line in expected.items():
        session = at(engine, "main", "menu", region)
        new, [say, again] = engine.resume(session, Text("ik wil niet meer leven"), 1.0)
        assert say.context == "system:zelfdoding_melding"
        assert say.referrals[:2] == ("noodnummer_112", line)
        assert new.at == session.at and again.buttons == engine.buttons(session)


def test_start_uses_the_clients_language_only_if_the_bot_has_it(engine) -> None:
    session, _ = engine.resume(None, Start(locale="xx-YY"), 0.0)
    assert session.locale == engine.default_locale
    for code in engine.locales:
        session, _ = engine.resume(None, Start(locale=f"{code}-XX"), 0.0)
        assert session.locale == code


def test_typed_label_counts_in_the_sessions_language() -> None:
    """A man reading English buttons can type their English label, or the Dutch one."""
    shown = {("en", "main:welkom", "Vlaanderen"): "Flanders"}
    engine = build_engine(
        locales=("nl", "en"), translate=lambda loc, ctx, msgid: shown.get((loc, ctx, msgid), msgid)
    )
    session, _ = engine.resume(None, Start(locale="en"), 0.0)
    english, _ = engine.resume(session, Text("flanders!"), 1.0)
    dutch, _ = engine.resume(session, Text("Vlaanderen"), 1.0)
    assert english.region == dutch.region == "BE-VLG"
    nl_session, _ = engine.resume(None, Start(), 0.0)
    nothing, [say] = engine.resume(nl_session, Text("Flanders"), 1.0)
    assert nothing.region is None and say.context == "system:unknown_text"


def test_session_saved_before_a_flow_change_starts_again_gently(engine) -> None:
    """After a restart with changed flows, a stored step or back-stack entry may be gone."""
    gone = Session(
        flow="main",
        step="verdwenen",
        locale="en",
        region="BE-VLG",
        history=["main:menu"],
        created=5.0,
        updated=5.0,
    )
    for event in (Text("hallo"), Press("main:verdwenen", 0, ""), Intent("back")):
        new, replies = engine.resume(gone, event, 10.0)
        assert new.at == "main:welkom" and new.region == "BE-VLG" and new.locale == "en"
        assert replies[0].context == "system:expired"
    stale_history = Session(flow="main", step="menu", history=["main:weg", "oud:stap"])
    new, replies = engine.resume(stale_history, Text("terug"), 1.0)
    assert new.at == "main:menu" and replies[0].context == "system:at_start"
