"""A Mermaid diagram of a flow, to keep beside the script for volunteers (flows/diagrams/)."""

from __future__ import annotations

from bot.engine.machine import qualify
from bot.engine.model import Flow


def _node(at: str) -> str:
    return at.replace(":", "__")


def _label(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return text.replace('"', "'").replace("[", "(").replace("]", ")")


def diagram(flow: Flow) -> str:
    """Steps as boxes (hand-offs rounded, ends as circles), choices and routes as arrows."""
    lines = ["flowchart TD"]
    outside: set[str] = set()
    for step in flow.steps.values():
        node = _node(f"{flow.id}:{step.id}")
        title = f"{step.id}: {_label(step.text)}" if step.text else step.id
        if step.route:
            lines.append(f'    {node}{{"{step.id}<br/>route by {step.route.by}"}}')
        elif step.end or step.forget:
            lines.append(f'    {node}(("{_label(title)}"))')
        elif step.is_handoff:
            keys = ", ".join(step.referral_keys(None)) or "by region"
            lines.append(f'    {node}(["{_label(title)}<br/>☎ {keys}"])')
        else:
            lines.append(f'    {node}["{_label(title)}"]')
    for step in flow.steps.values():
        node = _node(f"{flow.id}:{step.id}")
        for choice in step.choices:
            target = qualify(flow.id, choice.next)
            lines.append(f'    {node} -->|"{_label(choice.label, 30)}"| {_node(target)}')
            if not target.startswith(f"{flow.id}:"):
                outside.add(target)
        if step.route:
            for value, target in step.route.cases:
                target = qualify(flow.id, target)
                lines.append(f'    {node} -.->|"{value}"| {_node(target)}')
                if not target.startswith(f"{flow.id}:"):
                    outside.add(target)
        if step.free_text and step.free_text.next:
            target = qualify(flow.id, step.free_text.next)
            lines.append(f'    {node} -.->|"typed text"| {_node(target)}')
            if not target.startswith(f"{flow.id}:"):
                outside.add(target)
    for target in sorted(outside):
        lines.append(f'    {_node(target)}[/"→ {target}"/]')
    return "\n".join(lines) + "\n"
