"""The rendered HTML in real headless Chromium, with every request blocked: it opens offline,
shows every step, and each flow's drawing is drawn (an SVG with its nodes and legend)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright  # a test dependency: never skipped

from bot.cli import main
from bot.definitions.bundle import DEFAULT_FLOWS_DIR, load_all
from tests.auxil.browser import CHROMIUM, NEEDS_CHROMIUM

pytestmark = NEEDS_CHROMIUM


@pytest.fixture(scope="module")
def page_of(tmp_path_factory):
    """Open a file in Chromium with the network cut off; yields (page, requests seen)."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        context = browser.new_context(offline=True, java_script_enabled=True)
        requests: list[str] = []

        def block(route) -> None:
            requests.append(route.request.url)
            if route.request.url.startswith("file://"):
                route.continue_()
            else:
                route.abort()

        context.route("**/*", block)

        def open_file(path: Path):
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(path.as_uri())
            page.wait_for_function("document.body.dataset.drawn !== undefined", timeout=60_000)
            return page, requests, errors

        yield open_file
        browser.close()


def test_html_opens_offline_shows_every_step_and_draws(page_of, tmp_path: Path) -> None:
    out = tmp_path / "script.html"
    assert main(["flows", "render", "--format", "html", "--output", str(out)]) == 0
    page, requests, errors = page_of(out)
    assert page.evaluate("document.body.dataset.drawn") == "yes", errors
    assert errors == []
    assert [url for url in requests if not url.startswith("file://")] == []

    flows, _, _ = load_all(DEFAULT_FLOWS_DIR)
    wanted = sorted(f"{f.id}:{s}" for f in flows.values() for s in f.steps)
    shown = page.eval_on_selector_all("section.step", "els => els.map(e => e.dataset.step)")
    assert sorted(shown) == wanted
    for at in ("main:welkom", "veilig:chat"):
        assert page.locator(f'section[data-step="{at}"] blockquote').first.is_visible()

    drawn = page.eval_on_selector_all(
        "div.drawing",
        """els => els.map(e => ({
            svg: e.querySelectorAll('svg').length,
            nodes: e.querySelectorAll('svg g.node').length,
            edges: e.querySelectorAll('svg .edgePaths path, svg path.flowchart-link').length,
            legend: e.textContent.includes('Legenda'),
            left: e.querySelectorAll('pre.mermaid:not([data-processed])').length}))""",
    )
    drawn_flows = [f for f in flows if f != "system"]
    assert len(drawn) == len(drawn_flows)
    for flow_id, drawing in zip(
        (
            s.split("-", 1)[1]
            for s in page.eval_on_selector_all(
                "section.flow:has(div.drawing)", "els => els.map(e => e.id)"
            )
        ),
        drawn,
        strict=True,
    ):
        steps = len(flows[flow_id].steps)
        assert drawing["svg"] == 1 and drawing["legend"] and drawing["left"] == 0, flow_id
        assert drawing["nodes"] >= steps + 7, (flow_id, drawing)  # steps + legend samples
        assert drawing["edges"] >= steps - 1, (flow_id, drawing)


def test_a_link_from_a_button_goes_to_its_step(page_of, tmp_path: Path) -> None:
    out = tmp_path / "main.html"
    assert main(["flows", "render", "--format", "html", "--flow", "main", "-o", str(out)]) == 0
    page, _, _ = page_of(out)
    page.locator('section[data-step="main:menu"] a[href="#stap-main-praten"]').click()
    assert page.evaluate("location.hash") == "#stap-main-praten"
    assert page.locator("#stap-main-praten").is_visible()
