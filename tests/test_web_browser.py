"""The web chat in a real browser: Debian's Chromium, headless, driven by Playwright.

Each test starts the real WebChat and a stand-in 'neutral site' on 127.0.0.1 (the quick exit's
destination), so nothing leaves the machine. Skipped, with the reason shown, only where no
Chromium is installed; `.ci/run` installs it. Screenshots for the README are written to
docs/screenshots/ (not committed).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import web

from storage import MemoryStore, session_key
from tests.auxil.browser import CHROMIUM, NEEDS_CHROMIUM, watched_page
from tests.auxil.webchat import SECRET, web_chat

playwright_api = pytest.importorskip(
    "playwright.async_api", reason="Playwright is not installed: pip install -e '.[test]'"
)

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "docs" / "screenshots"
AXE_VERSION = "4.14.1"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 860}


pytestmark = [NEEDS_CHROMIUM, pytest.mark.asyncio(loop_scope="module")]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[object]:
    async with playwright_api.async_playwright() as p:
        launched = await p.chromium.launch(executable_path=CHROMIUM)
        yield launched
        await launched.close()


class Neutral:
    """The stand-in for the neutral site, plus a page to come from and an embedding site."""

    def __init__(self) -> None:
        self.port = 0
        self.chat_origin = ""

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/", self.weather)
        app.router.add_get("/before", self.before)
        app.router.add_get("/host", self.host)
        return app

    async def weather(self, request: web.Request) -> web.Response:
        return web.Response(text="<title>Weer</title><h1>Het weer</h1>", content_type="text/html")

    async def before(self, request: web.Request) -> web.Response:
        return web.Response(text="<title>Voor</title><p>Nieuws</p>", content_type="text/html")

    async def host(self, request: web.Request) -> web.Response:
        chat = self.chat_origin
        page = (
            "<title>Hulp</title><h1>Een site die de chat inbouwt</h1>"
            f'<iframe src="{chat}/" title="Chat" width="400" height="700"></iframe>'
            f'<script src="{chat}/static/embed.js" data-chat-origin="{chat}"></script>'
        )
        return web.Response(text=page, content_type="text/html")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def neutral() -> AsyncIterator[Neutral]:
    site = Neutral()
    runner = web.AppRunner(site.app())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    site.port = int(runner.addresses[0][1])
    yield site
    await runner.cleanup()


class Served:
    def __init__(self, chat, store: MemoryStore):
        self.chat = chat
        self.store = store

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.chat.port}/"


@pytest_asyncio.fixture(loop_scope="module")
async def served(runtime, neutral) -> AsyncIterator[Served]:
    store = MemoryStore()
    async with web_chat(
        runtime, store, exit_url=f"{neutral.origin}/", frame_ancestors=(neutral.origin,)
    ) as chat:
        neutral.chat_origin = f"http://127.0.0.1:{chat.port}"
        yield Served(chat, store)


@pytest_asyncio.fixture(loop_scope="module")
async def page(browser) -> AsyncIterator[object]:
    """A phone-sized Dutch page; fails the test on any CSP violation or script error."""
    async with watched_page(browser, viewport=PHONE, locale="nl-NL") as tab:
        yield tab


async def open_chat(page, served: Served) -> None:
    await page.goto(served.url)
    await page.click("#start")
    await page.wait_for_selector(".msg.bot .choice")


async def press(page, label: str) -> None:
    count = await page.locator(".msg.bot").count()
    await page.locator(".msg.bot").last.get_by_role("button", name=label, exact=True).click()
    await page.locator(".msg.bot").nth(count).wait_for()


async def say(page, text: str) -> None:
    count = await page.locator(".msg.bot").count()
    await page.fill("#text", text)
    await page.keyboard.press("Enter")
    await page.locator(".msg.bot").nth(count).wait_for()


def tel(phone: str) -> str:
    return "tel:" + re.sub(r"\D", "", phone)


async def wait_until(check, seconds: float = 5.0) -> bool:
    for _ in range(int(seconds * 20)):
        if await check():
            return True
        await asyncio.sleep(0.05)
    return False


async def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"))


# ---- the conversation ---------------------------------------------------------------------


async def test_greeting_to_handoff_in_the_netherlands(page, served, runtime):
    await open_chat(page, served)
    await press(page, "Nederland")
    await press(page, "Nu met iemand praten")
    phone = runtime.directory().get("veilig_thuis").phone
    call = page.locator(f'.msg.bot a.call[href="{tel(phone)}"]').last
    await call.wait_for()
    assert phone in await call.inner_text()
    await call.scroll_into_view_if_needed()
    await shot(page, "phone")
    await page.set_viewport_size(DESKTOP)
    await shot(page, "desktop")


async def test_greeting_to_handoff_in_flanders(page, served, runtime):
    await open_chat(page, served)
    await press(page, "Vlaanderen")
    await press(page, "Nu met iemand praten")
    phone = runtime.directory().get("lijn_1712").phone
    await page.locator(f'.msg.bot a.call[href="{tel(phone)}"]').last.wait_for()


async def test_typed_danger_gets_the_emergency_number_first(page, served):
    await open_chat(page, served)
    await press(page, "Nederland")
    before = await page.locator(".msg.bot").count()
    await say(page, "hij heeft een mes en zegt dat hij me gaat vermoorden")
    first_answer = page.locator(".msg.bot").nth(before)
    assert "urgent" in (await first_answer.get_attribute("class"))
    first_card_link = first_answer.locator(".card a.call").first
    assert await first_card_link.get_attribute("href") == "tel:112"
    alert = await page.locator("#alert").inner_text()
    assert alert.strip(), "the danger answer is also read out at once (role=alert)"


async def test_reload_mid_conversation_continues(page, served):
    await open_chat(page, served)
    await press(page, "Nederland")
    shown = await page.locator("#log .msg").all_inner_texts()
    await page.reload()
    await page.wait_for_selector(".msg.bot .choice")
    assert await page.locator("#log .msg").all_inner_texts() == shown
    assert await page.locator("#intro").is_hidden()
    await press(page, "Nu met iemand praten")  # the buttons shown before the reload still work
    assert await served.store.count() == 1


async def test_switching_language_mid_conversation(page, served, runtime):
    await open_chat(page, served)
    await say(page, "/taal")
    await press(page, "Français")
    system = runtime.engine.flows["system"].flow.steps["language_switched"].text
    switched = runtime.catalogs.pgettext("fr", "system:language_switched", system)
    assert switched != system
    # then one line that the French is not reviewed yet (the catalog header says so)
    bot = await page.locator(".msg.bot").all_inner_texts()
    assert switched in bot[-2] and "pas encore été relue" in bot[-1]
    region = runtime.catalogs.pgettext("fr", "main:welkom", "Nederland")
    await press(page, region)  # the buttons are French now, and they work
    [cookie] = await page.context.cookies()
    session = await served.store.get(session_key(SECRET, "web", cookie["value"]))
    assert session is not None and session.locale == "fr" and session.region == "NL"
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"


# ---- the quick exit -----------------------------------------------------------------------


async def exit_and_check(page, served: Served, neutral: Neutral, leave) -> None:
    """Came from /before, chatted, left: on the neutral site, Back skips the chat, server empty."""
    await page.goto(f"{neutral.origin}/before")
    await open_chat(page, served)
    await press(page, "Nederland")
    assert await served.store.count() == 1
    await leave()
    await page.wait_for_url(f"{neutral.origin}/")
    assert await wait_until(_store_empty(served)), "the beacon forgot the session"
    assert await page.evaluate("sessionStorage.length") == 0
    await page.go_back()
    await page.wait_for_load_state()
    assert page.url == f"{neutral.origin}/before", "Back must not return to the chat"


def _store_empty(served: Served):
    async def check() -> bool:
        return await served.store.count() == 0

    return check


async def test_quick_exit_by_button(page, served, neutral):
    await exit_and_check(page, served, neutral, lambda: page.click("#exit"))


async def test_quick_exit_by_pressing_shift_three_times(page, served, neutral):
    async def shift_three_times() -> None:
        await page.focus("#text")
        for _ in range(3):
            await page.keyboard.press("Shift")

    await exit_and_check(page, served, neutral, shift_three_times)


async def test_capitals_typed_with_shift_never_leave_the_page(page, served):
    await open_chat(page, served)
    await page.focus("#text")
    keyboard = page.keyboard

    async def capital(letter: str, rollover: bool = False) -> None:
        await keyboard.down("Shift")
        await keyboard.down(letter.upper())
        if rollover:  # fast typists let go of Shift before the letter
            await keyboard.up("Shift")
            await keyboard.up(letter.upper())
        else:
            await keyboard.up(letter.upper())
            await keyboard.up("Shift")

    expected = ""
    for word in ("Hallo", "Ik", "Ben", "Het", "ABC", "NL"):
        for n, letter in enumerate(word):
            if letter.isupper():
                await capital(letter, rollover=n % 2 == 1)
            else:
                await keyboard.press(letter)
            expected += letter
        await keyboard.press("Space")
        expected += " "
    # two lone presses, a letter, then one more: never three in a row
    await keyboard.press("Shift")
    await keyboard.press("Shift")
    await keyboard.press("x")
    await keyboard.press("Shift")
    expected += "x"
    await asyncio.sleep(0.3)
    assert page.url == served.url
    assert await page.input_value("#text") == expected
    assert await page.locator("#cover").is_hidden()


async def test_quick_exit_from_an_embedding_site_replaces_that_site(page, served, neutral):
    await page.goto(f"{neutral.origin}/before")
    await page.goto(f"{neutral.origin}/host")
    frame = page.frame_locator("iframe")
    await frame.locator("#start").click()
    await frame.locator(".msg.bot .choice").first.wait_for()
    await frame.locator("#exit").click()
    await page.wait_for_url(f"{neutral.origin}/")
    assert await wait_until(_store_empty(served))
    await page.go_back()
    await page.wait_for_load_state()
    assert page.url == f"{neutral.origin}/before"


# ---- accessibility --------------------------------------------------------------------------


def axe_source() -> str:
    """axe-core from the npm registry, kept in a cache outside the repository."""
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "firstcontact"
    path = cache / f"axe-core-{AXE_VERSION}.min.js"
    if not path.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed, so axe-core cannot be fetched (apt-get install npm)")
        with tempfile.TemporaryDirectory() as tmp:
            done = subprocess.run(
                [npm, "pack", f"axe-core@{AXE_VERSION}", "--pack-destination", tmp, "--silent"],
                capture_output=True,
                text=True,
                timeout=120,
            )
            if done.returncode != 0:
                pytest.skip(f"npm could not fetch axe-core: {done.stderr.strip()[:200]}")
            tarball = next(Path(tmp).glob("axe-core-*.tgz"))
            with tarfile.open(tarball) as archive:
                member = archive.extractfile("package/axe.min.js")
                assert member is not None
                source = member.read()
        cache.mkdir(parents=True, exist_ok=True)
        path.write_bytes(source)
    return path.read_text(encoding="utf-8")


async def serious_violations(page, source: str) -> list[str]:
    await page.evaluate(source)
    result = await page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
async def test_axe_finds_no_serious_or_critical_violation(browser, served, viewport):
    source = axe_source()
    # axe is injected by the test, so the page's own CSP must let it in; the app's CSP is
    # checked by every other test here.
    context = await browser.new_context(viewport=viewport, locale="nl-NL", bypass_csp=True)
    try:
        tab = await context.new_page()
        await tab.goto(served.url)
        assert await serious_violations(tab, source) == []
        await tab.click("#start")
        await tab.locator(".msg.bot .choice").first.wait_for()
        await press(tab, "Nederland")
        await say(tab, "hij slaat me")
        await tab.click(".safety summary")
        assert await serious_violations(tab, source) == []
    finally:
        await context.close()


async def test_the_page_works_by_keyboard_alone(page, served):
    await page.goto(served.url)
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.id") == "exit"
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.id") == "start"
    await page.keyboard.press("Enter")
    await page.wait_for_selector(".msg.bot .choice")
    assert await page.evaluate("document.activeElement.id") == "text"
    await page.keyboard.type("nederland")
    await page.keyboard.press("Enter")
    await page.locator(".msg.bot").nth(1).wait_for()
    assert "Nu met iemand praten" in await page.locator(".msg.bot").last.inner_text()
