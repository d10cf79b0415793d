"""The script as Markdown: one document a volunteer can read in any editor or on a forge."""

from __future__ import annotations

from bot.review import words
from bot.review.script import Document, FlowView, StepView


def anchor(at: str) -> str:
    """The id a step's heading gets, so buttons can link to it."""
    return "stap-" + at.replace(":", "-").replace("_", "-")


def _quote(text: str) -> list[str]:
    return ["> " + row if row else ">" for row in text.splitlines()]


def _target(target) -> str:
    return f"[{target.words}](#{anchor(target.at)})" if target.at else f"*{target.words}*"


def step_markdown(step: StepView) -> list[str]:
    out = [f'<a id="{anchor(step.at)}"></a>', ""]
    kind = words.KIND[step.kind]
    out += [f"### {words.STEP} `{step.id}` · {kind} · {words.LINE} {step.line}", ""]
    if step.text:
        out += _quote(step.text)
        if not step.translated:
            out += ["", f"*({words.NOT_TRANSLATED})*"]
        out.append("")
    if step.route:
        out.append(words.ROUTE.format(by=step.route_by))
        out += [f"- {value} → {_target(target)}" for value, target in step.route]
        out.append("")
    for group in step.cards:
        out.append(f"**{words.CARDS}** ({group.regions}):")
        for card in group.cards or ():
            out.append(f"- **{card.title}**" + "".join(f"<br>{line}" for line in card.lines))
        if not group.cards:
            out.append(f"- *{words.NO_CARDS}*")
        out.append("")
    if step.choices:
        out.append(f"**{words.CHOICES}:**")
        for choice in step.choices:
            records = f" ({'; '.join(choice.records)})" if choice.records else ""
            out.append(f"- **{choice.label}** → {_target(choice.target)}{records}")
        out.append("")
    if step.typed:
        out += [f"**{words.TYPED}:** {step.typed}", ""]
    if step.end:
        out += [f"*{words.END}*", ""]
    if step.forget:
        out += [f"*{words.FORGET}*", ""]
    if step.note:
        out += [f"**{words.NOTE}:** {' '.join(step.note.split())}", ""]
    for rests_on in step.rests_on:
        out += [f"**{words.SOURCES}:** {rests_on}", ""]
    for passage in step.passages:
        out += [f"**{words.PASSAGE}** ({passage.document}):", "", *_quote(passage.sentence), ""]
    return out


def flow_markdown(flow: FlowView, drawing: str) -> list[str]:
    out = [f'<a id="flow-{flow.id}"></a>', "", f"## {flow.title} (`{flow.id}`)", ""]
    out += [f"{words.FILE}: `{flow.file}` · {words.STARTS_AT} `{flow.start}`", ""]
    out += [f"### {words.DRAWING}", "", "```mermaid", drawing.rstrip(), "```", ""]
    for step in flow.steps:
        out += step_markdown(step)
    return out


def document_markdown(document: Document) -> str:
    out = [f"# {words.TITLE}", "", document.intro, "", f"## {words.CONTENTS}", ""]
    for flow in document.flows:
        count = len(flow.steps)
        out.append(f"- [{flow.title} (`{flow.id}`)](#flow-{flow.id}): {count} {words.STEPS}")
    out.append("")
    for flow in document.flows:
        out += flow_markdown(flow, document.drawings[flow.id])
    return "\n".join(out).rstrip() + "\n"
