"""A Mermaid diagram sits beside each flow (flows/diagrams/) and matches the flow as it is."""

from __future__ import annotations

import re

from bot.definitions.bundle import DEFAULT_FLOWS_DIR, load_all
from bot.review.mermaid import diagram, intent_targets

DIAGRAMS = DEFAULT_FLOWS_DIR / "diagrams"


def test_each_flow_has_a_current_diagram(update_goldens: bool) -> None:
    flows, intents, problems = load_all(DEFAULT_FLOWS_DIR)
    assert not problems
    stale = []
    for flow_id, flow in flows.items():
        if flow_id == "system":
            continue
        path = DIAGRAMS / f"{flow_id}.mmd"
        wanted = diagram(flow, goto=intent_targets(intents))
        if update_goldens:
            DIAGRAMS.mkdir(exist_ok=True)
            path.write_text(wanted, "utf-8")
        if not path.exists() or path.read_text("utf-8") != wanted:
            stale.append(path.name)
    assert not stale, f"out of date: {stale} (pytest tests/test_diagrams.py --update-goldens)"
    extra = {p.stem for p in DIAGRAMS.glob("*.mmd")} - set(flows)
    assert not extra, f"diagrams without a flow: {extra}"


def test_every_drawing_has_a_legend_for_each_kind_it_shows() -> None:
    """As python-telegram-bot's example diagrams: each shape is explained beside the drawing,
    and entry, question, hand-off and end steps are styled apart."""
    for path in sorted(DIAGRAMS.glob("*.mmd")):
        text = path.read_text("utf-8")
        used = set(re.findall(r":::k_(\w+)", text))
        assert {"entry", "question"} <= used, path.name
        for kind in used:
            assert f"classDef k_{kind} " in text, (path.name, kind)
            assert re.search(rf"^\s+legend_{kind}.*:::k_{kind}$", text, re.M), (path.name, kind)
        styles = dict(re.findall(r"^\s+classDef k_(\w+) (\S+)$", text, re.M))
        kinds = ("entry", "question", "handoff", "end")
        assert len({styles[kind] for kind in kinds}) == len(kinds), path.name
