"""`flows render`: the whole script in Dutch headings, every step, named targets, resolved
cards, notes and sources, drawings with a legend and no arrow into nowhere."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from bot.definitions.bundle import DEFAULT_FLOWS_DIR, load_all
from bot.review.html import MERMAID_SHA256
from bot.review.mermaid import diagram, intent_targets
from bot.review.render import build_document, render
from bot.review.sources import load_sources

MOMENT = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
VENDOR = Path(__file__).resolve().parents[1] / "bot" / "review" / "vendor"


@pytest.fixture(scope="module")
def loaded():
    found, intents, problems = load_all(DEFAULT_FLOWS_DIR)
    assert not problems
    return found, intents


@pytest.fixture(scope="module")
def flows(loaded):
    return loaded[0]


@pytest.fixture(scope="module")
def dutch():
    return build_document(DEFAULT_FLOWS_DIR, "nl", MOMENT)


def test_every_step_of_every_flow_is_in_the_document(flows, dutch) -> None:
    shown = {step.at for flow in dutch.flows for step in flow.steps}
    wanted = {f"{f.id}:{s}" for f in flows.values() for s in f.steps}
    assert shown == wanted
    markdown = render(dutch, "md")
    for at in wanted:
        assert f'<a id="stap-{at.replace(":", "-").replace("_", "-")}"></a>' in markdown


def test_headings_are_dutch_and_intent_buttons_are_named(dutch) -> None:
    markdown = render(dutch, "md")
    assert markdown.startswith("# Het gesprek van de chatbot, stap voor stap\n")
    assert "## Inhoud" in markdown and "**Knoppen:**" in markdown
    assert "→ ``" not in markdown and "Buttons" not in markdown
    # 'Verder waar ik was' (intent back) says what it does; 'Wis dit gesprek' links to gewist
    assert "- **Verder waar ik was** → *terug naar waar hij was*" in markdown
    assert "- **Wis dit gesprek** → [wist het gesprek (stop)](#stap-main-gewist)" in markdown


def test_a_handoff_shows_resolved_cards_with_number_hours_and_check(dutch) -> None:
    main_flow = next(f for f in dutch.flows if f.id == "main")
    praten_nl = next(s for s in main_flow.steps if s.id == "praten_nl")
    [group] = praten_nl.cards
    assert group.regions == "elke regio"
    veilig_thuis = group.cards[0]
    assert veilig_thuis.title.startswith("Veilig Thuis")
    assert "Bel 0800-2000" in veilig_thuis.lines
    assert "Uren: 24/7" in veilig_thuis.lines
    assert any(
        line.startswith("Volgens ") and "nagekeken op" in line for line in veilig_thuis.lines
    )


def test_region_dependent_cards_are_grouped_by_region(dutch) -> None:
    main_flow = next(f for f in dutch.flows if f.id == "main")
    gevaar = next(s for s in main_flow.steps if s.id == "gevaar")
    regions = [g.regions for g in gevaar.cards]
    assert len(regions) > 1 and any("NL" in r for r in regions)
    assert all(g.cards[0].title.startswith("112") for g in gevaar.cards)


def test_notes_and_sources_are_shown(dutch) -> None:
    welkom = dutch.flows[0].steps[0]
    assert welkom.at == "main:welkom"
    assert welkom.note.startswith("Eerste bericht")
    assert any("toeschouwer positie" in r for r in welkom.rests_on)


def test_a_quote_in_a_note_is_found_in_its_document(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "000.txt").write_text(
        "Factsheet huiselijk geweld tegen mannen\nMannen zoeken laat hulp. Zij beschrijven\n"
        "probleem vanuit toeschouwer positie. Dat is bekend.",
        "utf-8",
    )
    readme = tmp_path / "README.md"
    readme.write_text("| `main: a … c` | wat | [F] iets |\n", "utf-8")
    sources = load_sources(readme, seeds, {"main": ["a", "b", "c", "d"]})
    assert sources.for_step("main:b") == ("wat: [F] iets",)
    assert sources.for_step("main:d") == ()
    [passage] = sources.passages('Zo zegt de factsheet: "beschrijven probleem vanuit toeschouwer"')
    assert passage.document == "[F] Factsheet huiselijk geweld tegen mannen"
    assert passage.sentence == "Zij beschrijven probleem vanuit toeschouwer positie."


def test_english_text_with_dutch_headings(dutch) -> None:
    english = build_document(DEFAULT_FLOWS_DIR, "en", MOMENT, only="main")
    assert [f.id for f in english.flows] == ["main"]
    welkom = english.flows[0].steps[0]
    assert welkom.translated and welkom.text.startswith("Hi")
    markdown = render(english, "md")
    assert "Teksten in het Engels" in markdown and "**Knoppen:**" in markdown


def test_unknown_flow_or_language_is_refused(capsys) -> None:
    assert main(["flows", "render", "--flow", "nope"]) == 2
    assert "there is no flow 'nope'" in capsys.readouterr().err
    assert main(["flows", "render", "--locale", "xx"]) == 2
    assert "there is no language 'xx'" in capsys.readouterr().err


def _nodes_and_edges(text: str) -> tuple[set[str], set[str]]:
    declared = set(re.findall(r"^\s+(n_\w+|intent_\w+)[\[\(\{]", text, re.MULTILINE))
    linked = set()
    for source, target in re.findall(r"^\s+(\w+) -\.?->\|[^|]*\| (\w+)$", text, re.MULTILINE):
        linked |= {source, target}
    return declared, linked


def test_drawings_have_a_legend_and_no_node_without_arrows(loaded) -> None:
    flows, intents = loaded
    for flow_id, flow in flows.items():
        if flow_id == "system":
            continue
        text = diagram(flow, goto=intent_targets(intents))
        assert 'subgraph legend["Legenda"]' in text
        for word in ("begin", "vraag", "doorverwijzing", "einde"):
            assert f'"{word}"' in text
        declared, linked = _nodes_and_edges(text)
        assert declared, flow_id
        assert declared == linked, (flow_id, declared ^ linked)
        assert "__]" not in text and "n_veilig__ " not in text  # no empty target


def test_mermaid_format_prints_the_drawings(capsys) -> None:
    assert main(["flows", "render", "--format", "mermaid", "--flow", "veilig"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("flowchart TD\n")
    assert "intent_stop" not in out and "n_main__gewist" in out  # 'Wis dit gesprek' -> gewist


def test_mermaid_of_every_flow_names_each_drawing(dutch) -> None:
    text = render(dutch, "mermaid")
    names = [row.split()[3] for row in text.splitlines() if row.startswith("%% ---- flow ")]
    assert names == [f.id for f in dutch.flows if f.id != "system"]
    assert text.count("flowchart TD\n") == len(names)


def test_show_and_diagram_are_aliases(capsys) -> None:
    assert main(["flows", "show", "main"]) == 0
    shown = capsys.readouterr().out
    assert main(["flows", "render", "--format", "md", "--flow", "main"]) == 0
    assert capsys.readouterr().out.split("\n", 4)[4] == shown.split("\n", 4)[4]
    assert main(["flows", "diagram", "main"]) == 0
    assert capsys.readouterr().out.startswith("flowchart TD\n")


def test_html_is_one_file_with_contents_and_the_pinned_drawing_code(tmp_path: Path) -> None:
    out = tmp_path / "script.html"
    assert main(["flows", "render", "--format", "html", "--output", str(out)]) == 0
    html = out.read_text("utf-8")
    assert "<h2>Inhoud</h2>" in html and 'href="#stap-main-welkom"' in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    code = (VENDOR / "mermaid.min.js").read_bytes()
    assert hashlib.sha256(code).hexdigest() == MERMAID_SHA256
    assert "MIT" in (VENDOR / "mermaid.LICENSE").read_text("utf-8")
