"""A flow as a readable document: every step's text, buttons and hand-offs, for review."""

from __future__ import annotations

from bot.engine.model import Flow, RegionReferrals
from bot.review.mermaid import diagram


def document(flow: Flow, with_diagram: bool = True) -> str:
    out = [f"# {flow.title}", "", f"File: `{flow.file}` · starts at `{flow.start}`", ""]
    if with_diagram:
        out += ["```mermaid", diagram(flow).rstrip(), "```", ""]
    for step in flow.steps.values():
        line = step.where.line if step.where else "?"
        out.append(f"## `{step.id}` (line {line})")
        out.append("")
        if step.route:
            out.append(f"Passes on by **{step.route.by}**:")
            out += [f"- {value} → `{target}`" for value, target in step.route.cases]
        if step.text:
            out += ["> " + row if row else ">" for row in step.text.splitlines()]
        if step.referrals:
            out += ["", "Shows referrals:"]
            for item in step.referrals:
                if isinstance(item, RegionReferrals):
                    out += [f"- {region}: {', '.join(keys)}" for region, keys in item.by_region]
                else:
                    out.append(f"- {item}")
        if step.choices:
            out += ["", "Buttons:"]
            out += [f"- **{c.label}** → `{c.next}`" for c in step.choices]
        if step.free_text:
            out.append(
                f"\nTyped text → `{step.free_text.next or 'reply: ' + str(step.free_text.reply)}`"
            )
        if step.end:
            out.append("\n*End of this path (the bot offers the menu).*")
        if step.forget:
            out.append("\n*Forgets the conversation: the session is deleted.*")
        out.append("")
    return "\n".join(out)
