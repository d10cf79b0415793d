"""The coordinator page in a real browser: Debian's Chromium, headless, driven by Playwright.

A coordinator signs in, sees the most overdue entry first, tries three values the bot
would refuse (112 in place of a helpline's number, an http:// site, hours that leave a danger
screen without an open line), then a valid number: the preview shows what the man will see
differently, the confirm step saves it, and the history names her. Skipped, with the reason,
only where no Chromium is installed; `.ci/run` installs it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from bot.channels.web.coordinator_page import NEEDS_FORCE, SAVED
from bot.referrals.load import parse_directory
from tests.auxil.browser import CHROMIUM, NEEDS_CHROMIUM, watched_page
from tests.auxil.coordinators import PASSWORD, age_entry, coordinator_site, database_source

playwright_api = pytest.importorskip(
    "playwright.async_api", reason="Playwright is not installed: pip install -e '.[test]'"
)

pytestmark = [NEEDS_CHROMIUM, pytest.mark.asyncio(loop_scope="module")]
SOURCE = "https://www.veiligthuis.nl/contact"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[object]:
    async with playwright_api.async_playwright() as p:
        launched = await p.chromium.launch(executable_path=CHROMIUM)
        yield launched
        await launched.close()


@pytest_asyncio.fixture(loop_scope="module")
async def page(browser) -> AsyncIterator[object]:
    """A laptop-sized page; fails the test on any CSP violation or script error."""
    async with watched_page(browser, viewport={"width": 1280, "height": 900}) as tab:
        yield tab


async def preview(page, form: str, **fields: str) -> None:
    """Fill fields of one of the entry's forms and ask for the preview."""
    for name, value in fields.items():
        await page.fill(f"#{form} [name={name}]", value)
    await page.click(f"#{form} button[value=preview]")
    await page.wait_for_load_state()


async def alerts(page) -> list[str]:
    return [" ".join(t.split()) for t in await page.locator("[role=alert]").all_inner_texts()]


async def test_a_coordinator_signs_in_corrects_a_number_and_sees_it_in_the_history(
    runtime, page, tmp_path
):
    url, source = database_source(tmp_path)
    await asyncio.to_thread(age_entry, source, "lijn_1712", "2026-03-02")
    try:
        async with coordinator_site(runtime, source, url) as site:
            await page.goto(f"{site.base}/coordinators/")
            assert await page.title() == "Sign in · firstcontact coordinators"
            await page.fill("#name", "Anna")
            await page.fill("#password", PASSWORD)
            await page.click("button:has-text('Sign in')")
            await page.wait_for_selector("table.directory")
            first = page.locator("table.directory tbody tr").first
            assert await first.locator("td").first.inner_text() == "lijn_1712"
            assert "OVERDUE" in await first.inner_text()
            assert "overdue" in (await first.get_attribute("class") or "")

            await page.click("a:text-is('veilig_thuis')")
            await page.wait_for_selector("#change-form")
            # 112 in place of the helpline's own number: refused, nothing saved.
            await preview(page, "change-form", f_phone="112")
            found = await alerts(page)
            assert found[0].startswith(
                "Nothing was changed: the bot would refuse the directory with this change:"
            )
            assert "emergency number" in found[0]
            assert await page.input_value("#change-form [name=f_phone]") == "112"
            # Hours that leave the danger step without an open Dutch line at some hour.
            await page.fill("#change-form [name=f_phone]", "0800-2000")
            await preview(page, "change-form", f_hours="mon-fri 18:00-09:00")
            found = await alerts(page)
            assert "shows no Dutch line open in NL besides 112" in found[0]
            # A plain http:// site: shown, but saved only with 'Save anyway'.
            await page.fill("#change-form [name=f_hours]", "24/7")
            await preview(page, "change-form", f_website="http://www.veiligthuis.nl")
            assert "website http://www.veiligthuis.nl is not encrypted" in " ".join(
                await alerts(page)
            )
            await page.click("#confirm-form button")
            await page.wait_for_load_state()
            assert (await alerts(page))[0] == NEEDS_FORCE
            # A valid number, checked today: the preview, then the save.
            await page.goto(f"{site.base}/coordinators/entry/veilig_thuis")
            await page.fill("#change-form [name=source]", SOURCE)
            await page.check("#change-form [name=verified_today]")
            await preview(page, "change-form", f_phone="+31 800 2001")
            assert await page.title() == "Check before saving · firstcontact coordinators"
            shown = await page.locator("pre.preview").inner_text()
            assert "- Bel 0800-2000" in shown and "+ Bel 0800-2001" in shown
            changes = await page.locator("table.changes tbody").inner_text()
            assert "phone" in changes and "0800-2001" in changes
            await page.click("#confirm-form button")
            await page.wait_for_selector("table.history")
            assert await page.locator("[role=status]").first.inner_text() == SAVED
            history = await page.locator("table.history tbody").inner_text()
            assert "Anna" in history and "0800-2000" in history and "0800-2001" in history
        text, _ = source.read()
        entry = parse_directory(text, "x").get("veilig_thuis")
        assert (entry.phone, entry.website) == ("0800-2001", "https://veiligthuis.nl")
    finally:
        source.close()


async def test_the_figures_page_draws_its_chart(runtime, page, tmp_path):
    from datetime import date

    from storage.figures import SqlFigures

    url, source = database_source(tmp_path)
    try:
        async with coordinator_site(runtime, source, url) as site:
            figures = SqlFigures(site.store.engine)
            figures.add(date(2026, 11, 23), [("region", "NL")] * 6 + [("region", "BE-VLG")])
            await figures.flush()
            await page.goto(f"{site.base}/coordinators/sign-in")
            await page.fill("#name", "Anna")
            await page.fill("#password", PASSWORD)
            await page.click("button:has-text('Sign in')")
            await page.wait_for_selector("table.directory")
            await page.click("a:text-is('Figures')")
            await page.fill("#since", "2026-11-01")
            await page.fill("#until", "2026-11-30")
            await page.click("button:has-text('Show')")
            chart = page.locator("img.chart")
            await chart.wait_for()
            assert await chart.evaluate("img => img.complete && img.naturalWidth > 0")
            table = await page.locator("table.figures").inner_text()
            assert "6" in table and "<5" in table
    finally:
        source.close()
