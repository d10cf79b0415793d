"""The script as one HTML file that opens offline: text, table of contents and drawings.

Mermaid (vendored, pinned: bot/review/vendor/) is inlined, and a Content-Security-Policy
forbids every request, so the file works on a laptop without network and leaks nothing.
"""

from __future__ import annotations

import hashlib
from html import escape
from importlib.resources import files

from bot.review import words
from bot.review.markdown import anchor
from bot.review.script import Document, FlowView, StepView, Target

MERMAID_SHA256 = "581ed7d74bd9048d0e3a91363927d72ef22942d7722546b27f7cc29e35390eb8"
CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"
STYLE = """
body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem;color:#212529}
nav ul{columns:2}.step{border-top:1px solid #dee2e6;padding:.5rem 0}
blockquote{margin:.5rem 0;padding:.5rem 1rem;background:#f1f3f5;border-left:4px solid #495057;
white-space:pre-wrap}.untranslated{color:#c92a2a}.kind{font-size:.8rem;padding:0 .4rem;
border-radius:.3rem;background:#e9ecef}.k-entry{background:#d8f3dc}.k-handoff{background:#fff3bf}
.k-route{background:#e7f5ff}.card{border:1px solid #e67700;border-radius:.4rem;padding:.4rem .8rem;
margin:.3rem 0;background:#fffdf5}.card p{margin:0}.note,.source{color:#495057;font-size:.9rem}
.drawing{overflow-x:auto;border:1px solid #dee2e6;padding:.5rem}
@media print{nav{display:none}.step{break-inside:avoid}}
"""


def mermaid_script() -> str:
    """The pinned Mermaid bundle, checked against its hash, safe inside a <script> element."""
    code = (files("bot.review") / "vendor" / "mermaid.min.js").read_text("utf-8")
    if hashlib.sha256(code.encode("utf-8")).hexdigest() != MERMAID_SHA256:
        raise RuntimeError("bot/review/vendor/mermaid.min.js is not the pinned file")
    return code.replace("</script", "<\\/script")


def _target(target: Target) -> str:
    if target.at:
        return f'<a href="#{anchor(target.at)}">{escape(target.words)}</a>'
    return f"<em>{escape(target.words)}</em>"


def _lines(text: str) -> str:
    return escape(" ".join(text.split()))


def step_html(step: StepView) -> str:
    kind = words.KIND[step.kind]
    out = [f'<section class="step" id="{anchor(step.at)}" data-step="{escape(step.at)}">']
    out.append(
        f"<h3>{words.STEP} <code>{escape(step.id)}</code> "
        f'<span class="kind k-{step.kind}">{kind}</span> '
        f"<small>{words.LINE} {step.line}</small></h3>"
    )
    if step.text:
        out.append(f"<blockquote>{escape(step.text.strip())}</blockquote>")
        if not step.translated:
            out.append(f'<p class="untranslated">({words.NOT_TRANSLATED})</p>')
    if step.route:
        rows = "".join(f"<li>{escape(v)} → {_target(t)}</li>" for v, t in step.route)
        out.append(f"<p>{escape(words.ROUTE.format(by=step.route_by))}</p><ul>{rows}</ul>")
    for group in step.cards:
        out.append(f"<h4>{words.CARDS} ({escape(group.regions)})</h4>")
        for card in group.cards:
            lines = "".join(f"<p>{escape(line)}</p>" for line in card.lines)
            out.append(
                f'<div class="card"><p><strong>{escape(card.title)}</strong></p>{lines}</div>'
            )
        if not group.cards:
            out.append(f"<p><em>{words.NO_CARDS}</em></p>")
    if step.choices:
        items = []
        for choice in step.choices:
            records = (
                f" <small>({escape('; '.join(choice.records))})</small>" if choice.records else ""
            )
            button = f"<strong>{escape(choice.label)}</strong>"
            items.append(f"<li>{button} → {_target(choice.target)}{records}</li>")
        out.append(f'<h4>{words.CHOICES}</h4><ul class="choices">{"".join(items)}</ul>')
    if step.typed:
        out.append(f"<p><strong>{words.TYPED}:</strong> {escape(step.typed)}</p>")
    for flag, text in ((step.end, words.END), (step.forget, words.FORGET)):
        if flag:
            out.append(f"<p><em>{text}</em></p>")
    if step.note:
        out.append(f'<p class="note"><strong>{words.NOTE}:</strong> {_lines(step.note)}</p>')
    for rests_on in step.rests_on:
        out.append(f'<p class="source"><strong>{words.SOURCES}:</strong> {_lines(rests_on)}</p>')
    for passage in step.passages:
        out.append(
            f'<p class="source"><strong>{words.PASSAGE}</strong> ({escape(passage.document)}):'
            f"</p><blockquote>{escape(passage.sentence)}</blockquote>"
        )
    out.append("</section>")
    return "\n".join(out)


def flow_html(flow: FlowView, drawing: str) -> str:
    out = [f'<section class="flow" id="flow-{flow.id}">']
    out.append(f"<h2>{escape(flow.title)} (<code>{flow.id}</code>)</h2>")
    out.append(
        f"<p>{words.FILE}: <code>{escape(flow.file)}</code> · {words.STARTS_AT} "
        f'<a href="#{anchor(f"{flow.id}:{flow.start}")}"><code>{flow.start}</code></a></p>'
    )
    if drawing:
        out.append(f'<h3>{words.DRAWING}</h3><div class="drawing"><pre class="mermaid">')
        out.append(escape(drawing) + "</pre></div>")
    out += [step_html(step) for step in flow.steps]
    out.append("</section>")
    return "\n".join(out)


def document_html(document: Document) -> str:
    toc = []
    for flow in document.flows:
        steps = "".join(
            f'<li><a href="#{anchor(s.at)}">{escape(s.id)}</a></li>' for s in flow.steps
        )
        toc.append(
            f'<li><a href="#flow-{flow.id}">{escape(flow.title)}</a> '
            f"({len(flow.steps)} {words.STEPS})<details><summary>{words.STEPS}</summary>"
            f"<ul>{steps}</ul></details></li>"
        )
    body = "\n".join(flow_html(f, document.drawings[f.id]) for f in document.flows)
    return f"""<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{words.TITLE}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>{words.TITLE}</h1>
<p>{escape(document.intro)}</p>
<nav><h2>{words.CONTENTS}</h2><ul>{"".join(toc)}</ul></nav>
<main>
{body}
</main>
<script>{mermaid_script()}</script>
<script>
mermaid.initialize({{startOnLoad: false, securityLevel: "strict", theme: "default",
  flowchart: {{useMaxWidth: false}}}});
mermaid.run({{querySelector: "pre.mermaid"}}).then(
  () => document.body.dataset.drawn = "yes",
  (error) => {{ document.body.dataset.drawn = "failed"; console.error(error); }});
</script>
</body>
</html>
"""
