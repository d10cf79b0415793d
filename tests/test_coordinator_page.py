"""The coordinator page over HTTP against the real web app on 127.0.0.1: sign-in, the
directory stale first, a change checked, previewed, confirmed and saved as the CLI does, its
history, and the change reaching a running bot; refusals pinned as whole messages."""

from __future__ import annotations

import asyncio
from datetime import date, datetime

import pytest

from bot.channels.web.coordinator_guard import CSRF_REFUSED
from bot.channels.web.coordinator_page import NEEDS_FORCE, SAVED, SIGNED_OUT, SLOW_DOWN, WRONG
from bot.coordinator_auth import SignInLimits
from bot.directory_listing import stale_first
from bot.engine.model import Say
from bot.referrals.checks import next_check_due
from bot.referrals.load import parse_directory
from bot.referrals.watch import DirectoryWatcher
from storage.figures import SqlFigures
from tests.auxil.coordinators import (
    PASSWORD,
    age_entry,
    browser,
    coordinator_site,
    database_source,
    notices,
    table_rows,
)
from tests.auxil.referralscli import CHECK_DAY
from tests.auxil.webchat import web_chat

SOURCE = "https://www.slachtofferhulp.nl/contact"


@pytest.fixture
def directory(tmp_path):
    url, source = database_source(tmp_path)
    try:
        yield url, source
    finally:
        source.close()


async def test_the_page_is_off_unless_configured(runtime):
    async with web_chat(runtime) as chat, browser_for(chat) as b:
        status, _ = await b.get("/coordinators/")
        assert status == 404


def browser_for(chat):
    from tests.auxil.coordinators import Site

    return browser(Site(chat, None, None, ""))  # type: ignore[arg-type]


async def test_signing_in_shows_the_directory_most_overdue_first(runtime, directory):
    url, source = directory
    await asyncio.to_thread(age_entry, source, "lijn_1712", "2026-03-02")
    async with coordinator_site(runtime, source, url) as site, browser(site) as b:
        status, page = await b.get("/coordinators/", allow_redirects=False)
        assert status == 303  # not signed in: to the sign-in form
        status, page = await b.sign_in()
        assert status == 200 and "Signed in as Anna" in page
        rows = table_rows(page, "directory")
        text, _ = source.read()
        expected = stale_first(parse_directory(text, "x").entries, CHECK_DAY)
        assert [row[0] for row in rows] == [e.key for e in expected]
        assert rows[0][0] == "lijn_1712"
        assert rows[0][4] == str((CHECK_DAY - date(2026, 3, 2)).days)
        due = next_check_due(expected[0])
        assert due is not None and due < CHECK_DAY
        assert rows[0][5] == f"{due.isoformat()} OVERDUE"


async def test_a_change_is_checked_previewed_confirmed_and_kept_in_the_history(runtime, directory):
    url, source = directory
    async with coordinator_site(runtime, source, url) as site, browser(site) as b:
        await b.sign_in()
        await b.get("/coordinators/entry/veilig_thuis")
        form = {"action": "set", "key": "veilig_thuis", "step": "preview"}
        # An emergency number in place of the helpline's own: refused, as by the CLI.
        status, page = await b.post("/coordinators/change", {**form, "f_phone": "112"})
        assert status == 422
        assert notices(page)[0].startswith(
            "Nothing was changed: the bot would refuse the directory with this change:"
        )
        assert "112" in notices(page)[0]
        assert 'value="112"' in page  # what he typed is kept in the form
        # A plain http:// site: worked out, but saving needs 'Save anyway'.
        website = {**form, "f_website": "http://www.veiligthuis.nl", "source": SOURCE}
        status, page = await b.post("/coordinators/change", website)
        assert status == 200 and "This is probably a mistake" in page
        assert "website http://www.veiligthuis.nl is not encrypted" in page
        carried = {"v_website": _hidden(page, "v_website"), "base": _hidden(page, "base")}
        status, page = await b.post(
            "/coordinators/change", {**form, **carried, "step": "save", "source": SOURCE}
        )
        assert status == 422 and notices(page)[0] == NEEDS_FORCE
        # Hours written backwards, on a line with hours: the same.
        hours = {**form, "key": "lijn_1712", "f_hours": "mon-fri 18:00-09:00"}
        status, page = await b.post("/coordinators/change", {**hours, "source": SOURCE})
        assert status == 200 and "hours 18:00-09:00 run past midnight" in page
        # A valid number: the preview shows the card lines before and after, then it is saved.
        status, page = await b.post(
            "/coordinators/change",
            {**form, "f_phone": "+31 800 2001", "source": SOURCE, "verified_today": "yes"},
        )
        assert status == 200 and "What the man will see differently" in page
        preview = _preview(page)
        assert "    - Bel 0800-2000" in preview
        assert "    + Bel 0800-2001" in preview
        carried = {"v_phone": _hidden(page, "v_phone"), "base": _hidden(page, "base")}
        assert carried["v_phone"] == "+31 800 2001"
        status, page = await b.post(
            "/coordinators/change",
            {**form, **carried, "step": "save", "source": SOURCE, "verified_today": "yes"},
        )
        assert status == 200  # followed the redirect to the entry
        assert notices(page)[0] == SAVED
        history = table_rows(page, "history")
        assert ["Anna", "phone", "0800-2000", "0800-2001", "set", SOURCE] in [
            row[1:] for row in history
        ]
    text, _ = source.read()
    assert parse_directory(text, "x").get("veilig_thuis").phone == "0800-2001"


async def test_a_change_on_the_page_reaches_the_running_bot_within_seconds(directory):
    """The bot's own runtime on the database, and a second worker's watcher: both use it."""
    from bot.application import load_runtime
    from bot.directory_source import DatabaseSource
    from tests.auxil.referralscli import SHIPPED

    url, source = directory
    bot = await asyncio.to_thread(load_runtime, referrals_source=source)
    watcher = bot.directory.__self__
    watcher.interval = 0.2
    other = DatabaseSource(url, SHIPPED)
    elsewhere = DirectoryWatcher(other, interval=0.2)
    elsewhere.start_polling()
    say = Say(text="x", context="opties:politie_nl", referrals=("slachtofferhulp",), region="NL")
    now = datetime.fromisoformat("2026-11-23T10:00:00+01:00")
    try:
        assert "Hulp na een misdrijf." not in bot.render(say, now).plain()
        async with coordinator_site(bot, source, url) as site, browser(site) as b:
            await b.sign_in()
            await b.get("/coordinators/entry/slachtofferhulp")
            form = {"action": "set", "key": "slachtofferhulp", "f_serves": "Hulp na een misdrijf."}
            status, page = await b.post("/coordinators/change", {**form, "step": "preview"})
            assert status == 200, notices(page)
            base = _hidden(page, "base")
            v_serves = _hidden(page, "v_serves")
            status, page = await b.post(
                "/coordinators/change",
                {"action": "set", "key": "slachtofferhulp", "v_serves": v_serves,
                 "base": base, "step": "save"},
            )  # fmt: skip
            assert status == 200 and notices(page)[0] == SAVED
            assert await _eventually(
                lambda: "Hulp na een misdrijf." in bot.render(say, now).plain()
            )
            assert await _eventually(
                lambda: elsewhere.current().get("slachtofferhulp").serves == "Hulp na een misdrijf."
            )
    finally:
        watcher.stop()
        elsewhere.stop()
        other.close()


async def test_verify_add_and_retire_need_what_the_cli_needs(runtime, directory):
    url, source = directory
    async with coordinator_site(runtime, source, url) as site, browser(site) as b:
        await b.sign_in()
        await b.get("/coordinators/entry/lijn_1712")
        status, page = await b.post(
            "/coordinators/change",
            {"action": "verify", "key": "lijn_1712", "step": "preview", "source": SOURCE},
        )
        assert status == 422
        assert notices(page) == [
            "Nothing was changed: say how you checked it (phoned, website, document or news) "
            "and against what."
        ]
        verify = {"action": "verify", "key": "lijn_1712", "method": "phoned",
                  "source": "phoned on 2026-12-01: answered", "step": "preview"}  # fmt: skip
        status, page = await b.post("/coordinators/change", verify)
        assert status == 200 and "checked_how" in page
        status, page = await b.post(
            "/coordinators/change", {**verify, "step": "save", "base": _hidden(page, "base")}
        )
        assert notices(page)[0] == SAVED
        assert ["Anna", "checked_how", "website", "phoned", "verify"] in [
            row[1:6] for row in table_rows(page, "history")
        ]
        await b.get("/coordinators/add")
        add = {"action": "add", "key": "lijn_x", "f_name": "Lijn X", "f_phone": "0800-1234",
               "f_regions": "NL", "f_languages": "nl", "method": "website",
               "source": "https://www.lijnx.nl/contact", "step": "preview"}  # fmt: skip
        status, page = await b.post("/coordinators/change", add)
        assert status == 200, notices(page)
        status, page = await b.post(
            "/coordinators/change",
            {**add, "step": "save", "base": _hidden(page, "base"),
             **{k: _hidden(page, k) for k in ("v_name", "v_phone", "v_regions", "v_languages")}},
        )  # fmt: skip
        assert notices(page)[0] == SAVED and "lijn_x: Lijn X" in page
        status, page = await b.post(
            "/coordinators/change",
            {"action": "retire", "key": "veilig_thuis", "reason": "test", "step": "preview"},
        )
        assert status == 422 and "veilig_thuis" in notices(page)[0]  # flows still show it


async def test_forms_without_the_sessions_token_change_nothing(runtime, directory):
    url, source = directory
    before, _ = source.read()
    async with coordinator_site(runtime, source, url) as site, browser(site) as b:
        await b.sign_in()
        await b.get("/coordinators/entry/lijn_1712")
        change = {"action": "retire", "key": "mannenklap", "reason": "x", "step": "save"}
        for token in ("", "0" * 32, b.csrf[:-1] + "x"):
            status, page = await b.post("/coordinators/change", {**change, "csrf": token})
            assert (status, notices(page)) == (403, [CSRF_REFUSED])
        origin = {"Origin": "https://elsewhere.example"}
        status, page = await b.post("/coordinators/change", change, headers=origin)
        assert (status, notices(page)) == (403, [CSRF_REFUSED])
        async with browser(site) as stranger:  # no session at all
            status, page = await stranger.post("/coordinators/change", change)
            assert (status, notices(page)) == (403, [SIGNED_OUT])
        await b.get("/coordinators/")
        status, page = await b.post("/coordinators/sign-out", {})
        assert "Sign in" in page
        status, page = await b.post("/coordinators/change", {**change, "csrf": b.csrf})
        assert (status, notices(page)) == (403, [SIGNED_OUT])  # the session ended server-side
    assert source.read()[0] == before


async def test_sign_in_refusals_are_whole_sentences_and_rate_limited(runtime, directory):
    url, source = directory
    limits = SignInLimits(name_burst=3, name_rate=1 / 3600, overall_burst=100)
    async with coordinator_site(
        runtime, source, url, names=("Anna", "Bram"), limits=limits
    ) as site:
        async with browser(site) as b:
            status, page = await b.post(
                "/coordinators/sign-in", {"name": "Anna", "password": PASSWORD}
            )
            assert (status, notices(page)) == (403, [CSRF_REFUSED])  # no sign-in form token
            for password in ("wrong password one", "wrong password two"):
                status, page = await b.sign_in("Anna", password)
                assert (status, notices(page)) == (403, [WRONG])
            status, page = await b.sign_in("Nobody", PASSWORD)
            assert (status, notices(page)) == (403, [WRONG])  # the same words: no name leaks
            status, page = await b.sign_in("Anna", PASSWORD)  # the third attempt for Anna
            assert status == 200 and "Signed in as Anna" in page
        async with browser(site) as b:
            status, page = await b.sign_in("Anna", PASSWORD)  # the fourth: refused, even right
            assert (status, notices(page)) == (429, [SLOW_DOWN])
            status, page = await b.sign_in("Bram", PASSWORD)  # another name is not held up
            assert status == 200 and "Signed in as Bram" in page


async def test_the_session_cookie_is_as_strict_as_the_chats(runtime, directory):
    url, source = directory
    async with coordinator_site(runtime, source, url) as site, browser(site) as b:
        await b.get("/coordinators/sign-in")
        async with b.http.post(
            b.base + "/coordinators/sign-in",
            data={"csrf": b.csrf, "name": "Anna", "password": PASSWORD},
            allow_redirects=False,
        ) as r:
            assert r.status == 303
            cookie = r.cookies["fc_coord"]
            headers = r.headers
        assert cookie["httponly"] and cookie["samesite"] == "Strict"
        assert cookie["path"] == "/" and cookie["max-age"] == "3600" and not cookie["secure"]
        assert len(cookie.value) == 43  # a random token, nothing else
        rows = await _raw(url, "SELECT token_hash, name FROM coordinator_sessions")
        assert [row[1] for row in rows] == ["Anna"] and cookie.value not in rows[0][0]
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert headers["Cache-Control"] == "no-store"
        assert headers["Referrer-Policy"] == "same-origin"  # so a form's Origin can be checked
    https = {"X-Forwarded-Proto": "https"}
    proxied = coordinator_site(runtime, source, url, names=(), trusted_proxies=("127.0.0.1",))
    async with (
        proxied as site,
        browser(site, **https) as b,
        b.http.get(b.base + "/coordinators/sign-in") as r,
    ):
        assert "__Host-fc_coord_signin" in r.cookies
        assert r.cookies["__Host-fc_coord_signin"]["secure"]


async def test_the_figures_page_shows_small_figures_as_less_than_five(runtime, directory):
    url, source = directory
    async with coordinator_site(runtime, source, url) as site, browser(site) as b:
        figures = SqlFigures(site.store.engine)
        figures.add(date(2026, 11, 23), [("region", "NL")] * 7 + [("stop", "used")] * 2)
        await figures.flush()
        await b.sign_in()
        status, page = await b.get("/coordinators/figures?since=2026-11-01&until=2026-11-30")
        assert status == 200
        rows = table_rows(page, "figures")  # a metric's heading row has no data cells
        assert [row for row in rows if row] == [["NL", "7"], ["used", "<5"]]
        assert '<th colspan="2" scope="rowgroup">region</th>' in page
        async with b.http.get(
            b.base + "/coordinators/figures.png?since=2026-11-01&until=2026-11-30"
        ) as r:
            assert r.content_type == "image/png"
            assert (await r.read()).startswith(b"\x89PNG\r\n\x1a\n")
        status, page = await b.get("/coordinators/figures?since=2026-11-30&until=2026-11-01")
        assert notices(page) == ["That period cannot be shown; the last 30 days are shown."]
    signed_out = coordinator_site(runtime, source, url, names=())
    async with (
        signed_out as site,
        browser(site) as b,
        b.http.get(b.base + "/coordinators/figures.png", allow_redirects=False) as r,
    ):
        assert r.status == 303  # no figures without signing in


def _hidden(page: str, name: str) -> str:
    import html
    import re

    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)">', page)
    assert found, f"no hidden {name}"
    return html.unescape(found.group(1))


def _preview(page: str) -> list[str]:
    import html
    import re

    found = re.search(r'<pre class="preview">(.*?)</pre>', page, re.S)
    assert found, "no preview"
    return html.unescape(found.group(1)).splitlines()


async def _eventually(check, seconds: float = 20.0) -> bool:
    """True once `check()` holds; the machine may be slow, so the bound is generous."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        if check():
            return True
        await asyncio.sleep(0.05)
    return check()


async def _raw(url: str, sql: str) -> list:
    from storage.sql import create_engine

    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return [tuple(row) for row in (await conn.exec_driver_sql(sql)).all()]
    finally:
        await engine.dispose()
