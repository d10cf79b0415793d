"""A Mermaid drawing of a flow with its legend, for volunteers (flows/diagrams/, flows render).

Every arrow ends at a node: a step of this flow, a named step in another flow, or what a
button that works everywhere does ("terug naar waar hij was"), never at an empty name.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.engine.intents import Intents
from bot.engine.machine import qualify
from bot.engine.model import Flow, Step
from bot.review import words

# Node shape per kind: (open, close); `end` is a Mermaid word, so classes are prefixed.
SHAPES = {
    "entry": ('[["', '"]]'),
    "question": ('["', '"]'),
    "handoff": ('(["', '"])'),
    "end": ('(("', '"))'),
    "route": ('{"', '"}'),
    "elsewhere": ('[/"', '"/]'),
    "intent": ('{{"', '"}}'),
}
STYLES = {
    "entry": "fill:#d8f3dc,stroke:#2d6a4f,stroke-width:3px",
    "question": "fill:#ffffff,stroke:#495057",
    "handoff": "fill:#fff3bf,stroke:#e67700,stroke-width:2px",
    "end": "fill:#e9ecef,stroke:#343a40",
    "route": "fill:#e7f5ff,stroke:#1971c2",
    "elsewhere": "fill:#f8f9fa,stroke:#adb5bd,stroke-dasharray:4 3",
    "intent": "fill:#f3f0ff,stroke:#6741d9",
}
# (flow:step, Dutch msgid) -> the text to show; the identity draws Dutch.
Translate = Callable[[str, str], str]


def intent_targets(intents: Intents | None, main: str = "main") -> Callable[[str], str | None]:
    """intent -> the step it goes to ('stop' -> 'main:gewist'), None if it has no fixed step."""

    def goto(intent: str) -> str | None:
        spec = intents.specs.get(intent) if intents else None
        return qualify(main, spec.goto) if spec and spec.goto else None

    return goto


def _node(at: str) -> str:
    return "n_" + at.replace(":", "__")


def label(text: str, limit: int = 40) -> str:
    """Short, one line, and safe inside Mermaid's quotes."""
    text = " ".join(text.split())
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    for char, entity in (("&", "#amp;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(char, entity)
    return text


def kind_of(flow: Flow, step: Step) -> str:
    """The legend's kind of a step."""
    if step.route:
        return "route"
    if step.id == flow.start:
        return "entry"
    if step.end or step.forget:
        return "end"
    return "handoff" if step.is_handoff else "question"


def legend() -> list[str]:
    """The legend as a row of sample nodes, joined by invisible links so none stands alone."""
    names = [f"legend_{kind}" for kind in SHAPES]
    lines = [f'    subgraph legend["{words.LEGEND}"]', "        direction LR"]
    for kind, name in zip(SHAPES, names, strict=True):
        opening, closing = SHAPES[kind]
        lines.append(f"        {name}{opening}{words.KIND[kind]}{closing}:::k_{kind}")
    lines.append("        " + " ~~~ ".join(names))
    lines.append("    end")
    return lines


def diagram(
    flow: Flow,
    translate: Translate | None = None,
    goto: Callable[[str], str | None] | None = None,
) -> str:
    """Steps as shaped boxes (see the legend), buttons as arrows, automatic choices dotted.

    `goto` says which step an intent button goes to ("stop" -> "main:gewist"), or None when
    it has no fixed step ("terug" returns to where he was)."""
    tr = translate or (lambda at, text: text)
    lines = ["flowchart TD", *legend()]
    outside: dict[str, str] = {}  # node -> kind and label of nodes outside this flow

    def arrow(source: str, target_at: str | None, intent: str | None, text: str, dotted: bool):
        if target_at is None:
            target = f"intent_{intent}"
            opening, closing = SHAPES["intent"]
            outside[target] = f"{opening}{label(words.INTENT.get(intent or '', intent or ''))}"
            outside[target] += f"{closing}:::k_intent"
        else:
            target = _node(target_at)
            other, step_id = target_at.split(":", 1)
            if other != flow.id:
                opening, closing = SHAPES["elsewhere"]
                name = label(f"{step_id} {words.OTHER_FLOW.format(flow=other)}")
                outside[target] = f"{opening}{name}{closing}:::k_elsewhere"
        link = "-.->" if dotted else "-->"
        lines.append(f'    {source} {link}|"{label(text, 30)}"| {target}')

    for step in flow.steps.values():
        at = f"{flow.id}:{step.id}"
        kind = kind_of(flow, step)
        opening, closing = SHAPES[kind]
        if step.route:
            title = f"{step.id}<br/>{words.ROUTE_BY.get(step.route.by, step.route.by)}?"
        else:
            title = f"{step.id}: {label(tr(at, step.text))}" if step.text else step.id
            if step.is_handoff:
                title += "<br/>☎ " + (", ".join(step.referral_keys(None)) or "per regio")
        lines.append(f"    {_node(at)}{opening}{title}{closing}:::k_{kind}")
    for step in flow.steps.values():
        source = _node(f"{flow.id}:{step.id}")
        at = f"{flow.id}:{step.id}"
        for choice in step.choices:
            if choice.intent:
                found = goto(choice.intent) if goto else None
                arrow(source, found, choice.intent, tr(at, choice.label), False)
            else:
                arrow(source, qualify(flow.id, choice.next), None, tr(at, choice.label), False)
        for value, target in step.route.cases if step.route else ():
            shown = words.OTHERWISE if value == "default" else value
            arrow(source, qualify(flow.id, target), None, shown, True)
        if step.free_text and step.free_text.next:
            target = qualify(flow.id, step.free_text.next)
            arrow(source, target, None, words.TYPED.lower(), True)
    lines += [f"    {node}{shape}" for node, shape in sorted(outside.items())]
    lines += [f"    classDef k_{kind} {style}" for kind, style in STYLES.items()]
    return "\n".join(lines) + "\n"
