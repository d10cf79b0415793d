"""Anonymous figures: counted per day from ids only, never typed text or any id of a man, and
every figure below 5 shown as "<5" in every output."""

from __future__ import annotations

import asyncio
import re
import struct
import zlib
from datetime import date, datetime

import pytest

from bot.channels.conversation import Conversation
from bot.channels.figures import METRICS, STEP_FIGURES, figure_day, observe
from bot.engine.model import Say, Session
from bot.figures_png import chart
from bot.figures_report import csv_text, shown, table, totals
from bot.regions import REGIONS
from storage.figures import NAME_RE, Figures

NOW = datetime.fromisoformat("2026-11-23T10:00:00+01:00")
SECRET_WORDS = "Zyxwvut Qqqq 0612345678 wonend Kerkstraat 12"


def counted(conversation: Conversation) -> dict[tuple[str, str], int]:
    figures = conversation.store.figures
    return {(metric, value): n for (_, metric, value), n in figures.pending.items()}


def test_a_conversation_is_counted_by_ids_and_nothing_he_typed(runtime):
    chat = Conversation(runtime, clock=lambda: NOW)
    chat.start()
    chat.press("Vlaanderen")
    chat.press("Is dit normaal? Feiten checken")
    chat.send(SECRET_WORDS)  # typed where a button was expected
    for answer in ("Nee", "Nee", "Ja", "Nee"):
        chat.press(answer)
    chat.send("ze heeft een mes en ik ben bang")
    chat.send("stop")
    found = counted(chat)
    assert found[("conversation", "started")] == 1
    assert found[("language", "nl")] == 1
    assert found[("region", "BE-VLG")] == 1
    assert found[("path", "feiten")] == 1
    assert found[("form", "physical")] == 1
    assert found[("alarm", "danger_typed")] == 1
    assert found[("stop", "used")] == 1
    assert found[("handoff", "lijn_1712")] >= 1
    keys = set(runtime.directory().keys())
    for metric, value in found:
        assert metric in METRICS
        assert NAME_RE.match(value)
        if metric == "handoff":
            assert value in keys
        if metric == "region":
            assert value in REGIONS
    everything = " ".join(f"{m} {v}" for m, v in found).lower()
    for word in re.findall(r"\w+", SECRET_WORDS.lower() + " mes bang"):
        assert not re.search(rf"\b{word}\b", everything), word
    assert chat.key not in everything and chat.key[:8] not in everything


def test_observe_reads_ids_only():
    old = Session("main", "menu", "nl", "NL", created=1.0, updated=1.0)
    new = Session("feiten", "u_lichaam", "en", "BE-VLG", created=1.0, updated=2.0)
    say = Say(text="x", context="feiten:u_lichaam", referrals=("lijn_1712",), region="BE-VLG")
    assert observe(old, new, [say], forgot=False) == [
        ("language", "en"),
        ("region", "BE-VLG"),
        ("path", "feiten"),
        ("form", "physical"),
        ("handoff", "lijn_1712"),
    ]
    assert observe(new, None, [], forgot=True) == [("stop", "used")]
    assert observe(None, old, [], forgot=False) == [
        ("conversation", "started"),
        ("language", "nl"),
        ("region", "NL"),
    ]


def test_every_step_counted_exists_in_the_flows(runtime):
    steps = {f"{fid}:{sid}" for fid, c in runtime.engine.flows.items() for sid in c.flow.steps}
    assert set(STEP_FIGURES) <= steps, sorted(set(STEP_FIGURES) - steps)
    assert {metric for metric, _ in STEP_FIGURES.values()} <= set(METRICS)


def test_the_day_is_the_dutch_and_belgian_calendar_day():
    assert figure_day(datetime.fromisoformat("2026-11-23T23:30:00+00:00")) == date(2026, 11, 24)


def test_a_value_that_is_not_an_id_is_never_counted(caplog):
    figures = Figures()
    figures.add(date(2026, 11, 23), [("path", "feiten"), ("path", "ik word geslagen")])
    assert dict(figures.pending) == {(date(2026, 11, 23), "path", "feiten"): 1}
    assert "ik word geslagen" not in caplog.text


def test_small_figures_show_as_less_than_five_everywhere():
    rows = [
        (date(2026, 11, 23), "region", "NL", 4),
        (date(2026, 11, 24), "region", "NL", 3),
        (date(2026, 11, 23), "region", "BE-VLG", 12),
        (date(2026, 11, 23), "stop", "used", 1),
    ]
    assert [shown(n) for n in (0, 1, 4, 5, 17)] == ["<5", "<5", "<5", "5", "17"]
    assert table(rows, date(2026, 11, 23), date(2026, 11, 24)) == (
        "Anonymous figures from 2026-11-23 to 2026-11-24\n"
        "\n"
        "region\n"
        "  BE-VLG      12\n"
        "  NL           7\n"
        "\n"
        "stop\n"
        "  used        <5\n"
        "\n"
        "Figures below 5 are shown as <5.\n"
    )
    assert csv_text(rows, per_day=True) == (
        "day,metric,value,count\n"
        "2026-11-23,region,NL,<5\n"
        "2026-11-24,region,NL,<5\n"
        "2026-11-23,region,BE-VLG,12\n"
        "2026-11-23,stop,used,<5\n"
    )
    assert csv_text(rows, per_day=False) == (
        "metric,value,count\nregion,BE-VLG,12\nregion,NL,7\nstop,used,<5\n"
    )
    picture, written = chart("t", totals(rows))
    assert "<5" in written and "1" not in written and "12" in written and "7" in written
    assert picture.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", picture[16:24])
    raw = zlib.decompress(picture[picture.index(b"IDAT") + 4 : picture.index(b"IEND") - 8])
    assert len(raw) == height * (1 + width * 3)


def test_every_referrals_action_and_stats_are_in_the_readme():
    import argparse
    from pathlib import Path

    from bot.cli import build_parser

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    row = next(line for line in readme.splitlines() if "`firstcontact referrals check" in line)
    top = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    inner = top.choices["referrals"]
    sub = next(a for a in inner._actions if isinstance(a, argparse._SubParsersAction))
    actions = set(sub.choices)
    assert actions and all(f" {name} " in row or f"/ {name}`" in row for name in actions)
    assert "`firstcontact stats --since DATE" in readme


@pytest.fixture(params=["sqlite", "postgres"])
async def backend(request, tmp_path):
    from tests.auxil.stores import make_backend

    async with make_backend(request.param, tmp_path) as found:
        yield found


async def test_counts_add_up_in_the_database_and_stats_suppresses_small_ones(
    backend, tmp_path, monkeypatch, capsys
):
    day = date(2026, 11, 23)
    for _ in range(2):  # two workers, each writing its own counts into the same rows
        store = await backend.open()
        store.figures.add(day, [("region", "NL")] * 3 + [("stop", "used")])
        await store.close()
    rows = await backend.raw("SELECT day, metric, value, count FROM daily_counts ORDER BY value")
    assert [tuple(r)[1:] for r in rows] == [("region", "NL", 6), ("stop", "used", 2)]
    if backend.name != "sqlite":
        return  # the command reads FIRSTCONTACT_DATABASE_URL; one real database is enough here
    from bot.cli import main

    monkeypatch.setenv("FIRSTCONTACT_DATABASE_URL", backend.url)
    assert (
        await asyncio.to_thread(
            main, ["stats", "--since", "2026-11-01", "--until", "2026-11-30", "--format", "csv"]
        )
        == 0
    )
    assert capsys.readouterr().out == (
        "day,metric,value,count\n2026-11-23,region,NL,6\n2026-11-23,stop,used,<5\n"
    )
    picture = tmp_path / "figures.png"
    args = ["stats", "--since", "2026-11-01", "--format", "png", "--output", str(picture)]
    assert await asyncio.to_thread(main, args) == 0
    assert picture.read_bytes().startswith(b"\x89PNG")
    assert (
        await asyncio.to_thread(main, ["stats", "--since", "2026-11-30", "--until", "2026-11-01"])
        == 1
    )
    assert capsys.readouterr().err.splitlines()[-1] == (
        "--until 2026-11-01 is before --since 2026-11-30; nothing to show."
    )
