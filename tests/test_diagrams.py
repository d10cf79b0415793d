"""A Mermaid diagram sits beside each flow (flows/diagrams/) and matches the flow as it is."""

from __future__ import annotations

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
