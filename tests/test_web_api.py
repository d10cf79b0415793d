"""The web chat's HTTP API end to end on 127.0.0.1: conversation, cookie, CSRF, bad input, floods.

Every test starts the real WebChat (the one `firstcontact run` serves) and talks to it over
HTTP as the page would, or as an attacker or a broken client would.
"""

from __future__ import annotations

import json
import logging
import re
from http.cookies import SimpleCookie

import aiohttp
import pytest
from yarl import URL

from bot.channels.web.guard import COOKIE, SECURE_COOKIE
from bot.channels.web.protocol import MAX_TEXT
from storage import MemoryStore, open_store, session_key
from tests.auxil.webchat import SECRET, Client, client, generous, messages, web_chat


def set_cookie(headers) -> SimpleCookie:
    jar = SimpleCookie()
    for value in headers.getall("Set-Cookie", []):
        jar.load(value)
    return jar


def phone_of(runtime, key: str) -> str:
    entry = runtime.directory().get(key)
    assert entry is not None and entry.phone
    return entry.phone


async def test_greeting_to_handoff_in_the_netherlands(runtime):
    async with web_chat(runtime) as chat, client(chat) as c:
        greeting = messages(await c.start())
        assert len(greeting) == 1 and "Nederland" in [b["label"] for b in c.buttons]
        await c.press("Nederland")
        handoff = messages(await c.press("Nu met iemand praten"))
        cards = [card for m in handoff for card in m["cards"]]
        phone = phone_of(runtime, "veilig_thuis")
        assert any(card["phone"] == phone for card in cards)
        card = next(card for card in cards if card["phone"] == phone)
        assert card["tel"] == "tel:" + re.sub(r"\D", "", phone)
        assert any(phone in line for line in card["lines"])


async def test_greeting_to_handoff_in_flanders(runtime):
    async with web_chat(runtime) as chat, client(chat) as c:
        await c.start()
        await c.press("Vlaanderen")
        handoff = messages(await c.press("Nu met iemand praten"))
        phones = [card["phone"] for m in handoff for card in m["cards"]]
        assert phone_of(runtime, "lijn_1712") in phones
        assert phone_of(runtime, "veilig_thuis") not in phones


async def test_typed_danger_gets_the_emergency_number_first(runtime):
    async with web_chat(runtime) as chat, client(chat) as c:
        await c.start()
        await c.press("Nederland")
        replies = messages(await c.say("hij heeft een mes en zegt dat hij me vermoordt"))
        first = replies[0]
        assert first["urgent"] is True
        assert first["cards"][0]["phone"] == "112" and first["cards"][0]["tel"] == "tel:112"
        assert replies[-1]["buttons"], "the question he was at comes back with its buttons"


async def test_the_page_is_strict_and_plain(runtime):
    ancestors = ("https://www.example.org",)
    async with (
        web_chat(runtime, frame_ancestors=ancestors) as chat,
        aiohttp.ClientSession() as http,
    ):
        url = f"http://127.0.0.1:{chat.port}/"
        async with http.get(url, headers={"Accept-Language": "en-GB,nl;q=0.5"}) as r:
            page = await r.text()
            headers = r.headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "style-src 'self';" in csp
    assert "'unsafe-inline'" not in csp and "default-src 'none'" in csp
    assert "frame-ancestors https://www.example.org" in csp
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "noindex" in headers["X-Robots-Tag"] and 'name="robots" content="noindex' in page
    assert headers["Cache-Control"] == "no-store"
    assert '<html lang="en" dir="ltr">' in page
    assert "<title>Chat</title>" in page
    # no inline script or style anywhere: scripts only by src, no style attributes or blocks
    assert re.findall(r"<script(?![^>]*\bsrc=)", page) == []
    assert "<style" not in page and re.findall(r"<[^>]*\s(style|on[a-z]+)=", page) == []
    assert 'data-embed-origins="https://www.example.org"' in page


async def test_static_files_are_versioned_and_unknown_ones_are_not_found(runtime):
    async with web_chat(runtime) as chat:
        version = chat.assets["chat.js"].version
        base = f"http://127.0.0.1:{chat.port}"
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/static/chat.js?v={version}") as r:
                assert r.status == 200 and "immutable" in r.headers["Cache-Control"]
                assert r.headers["Content-Type"].startswith("text/javascript")
            async with http.get(f"{base}/static/../app.py") as r:
                assert r.status == 404
            async with http.get(f"{base}/static/nothing.js") as r:
                assert r.status == 404 and (await r.json())["error"] == "not_found"
            async with http.get(f"{base}/api/chat") as r:
                assert r.status == 405 and (await r.json())["error"] == "method_not_allowed"


async def test_health_answers(runtime):
    async with (
        web_chat(runtime) as chat,
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{chat.port}/healthz") as r,
    ):
        body = await r.json()
    assert r.status == 200 and body["status"] == "ok" and body["web"] is True


async def test_the_cookie_is_a_strict_httponly_session_cookie_and_the_key_a_keyed_hash(runtime):
    store = MemoryStore()
    async with (
        web_chat(runtime, store) as chat,
        client(chat) as c,
        c.http.post(f"{c.base}/api/chat", json={"type": "start_chat"}) as r,
    ):
        assert r.status == 200
        cookie = set_cookie(r.headers)[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/"
    assert not cookie["secure"] and not cookie["expires"] and not cookie["max-age"]
    token = cookie.value
    assert await store.get(session_key(SECRET, "web", token)) is not None


async def test_behind_a_trusted_proxy_the_cookie_is_secure(runtime):
    async def cookies_behind(proxies: tuple[str, ...]) -> SimpleCookie:
        async with (
            web_chat(runtime, trusted_proxies=proxies) as chat,
            client(chat) as c,
            c.http.post(
                f"{c.base}/api/chat",
                json={"type": "start_chat"},
                headers={"X-Forwarded-Proto": "https"},
            ) as r,
        ):
            return set_cookie(r.headers)

    jar = await cookies_behind(("127.0.0.1",))
    assert SECURE_COOKIE in jar and jar[SECURE_COOKIE]["secure"]
    jar = await cookies_behind(("10.0.0.0/8",))  # a proxy nobody trusts changes nothing
    assert COOKIE in jar and not jar[COOKIE]["secure"]


async def test_a_retry_gets_the_same_replies_and_moves_nothing(runtime):
    async with web_chat(runtime) as chat, client(chat) as c:
        await c.start()
        data = next(b["data"] for b in c.buttons if b["label"] == "Nederland")
        body = {"type": "press", "id": "same-id", "data": data, "ack": c.ack}
        first = await c.post(body)
        again = await c.post(body)  # the response was lost on the way: the page sends it again
        assert first == again and first[0] == 200
        assert [e["msg_id"] for e in messages(first[1]["events"])]
        c.take(first[1]["events"])
        # acknowledged replies are not sent again
        status, acked = await c.post({"type": "ack_chat", "msg_id": c.ack})
        assert status == 200 and messages(acked["events"]) == []


async def test_reload_resumes_and_a_restart_shows_the_step_again(runtime):
    store = MemoryStore()
    async with web_chat(runtime, store) as chat, client(chat) as c:
        await c.start()
        await c.press("Nederland")
        shown = c.ack
        status, body = await c.post({"type": "start_chat", "resume": True, "ack": shown})
        assert status == 200 and body["events"][0]["type"] == "chat_resumed"
        assert messages(body["events"]) == []  # everything was shown already
        cookies = c.http.cookie_jar
        # The server restarts (memory lost, sessions kept): a page without history sees the
        # step he is at, with its buttons.
        async with (
            web_chat(runtime, store) as again,
            aiohttp.ClientSession(cookie_jar=cookies) as http,
        ):
            other = Client(f"http://127.0.0.1:{again.port}", http)
            events = await other.start()
        assert events[0]["type"] == "chat_resumed"
        assert "Nu met iemand praten" in [b["label"] for b in other.buttons]


async def test_stop_forgets_the_session_and_the_cookie(runtime):
    store = MemoryStore()
    async with web_chat(runtime, store) as chat, client(chat) as c:
        await c.start()
        await c.press("Nederland")
        async with c.http.post(
            f"{c.base}/api/chat",
            json={"type": "send_msg", "id": "bye", "text": "stop"},
            headers={"X-CSRF-Token": c.csrf},
        ) as r:
            body = await r.json()
            cleared = set_cookie(r.headers)
        assert body["events"][-1] == {"type": "chat_forgotten"}
        assert cleared[COOKIE]["max-age"] == "0"
        assert await store.count() == 0
        assert len(chat.chats) == 0
        status, refused = await c.post({"type": "send_msg", "id": "x", "text": "hallo"})
        assert status == 401 and refused["error"] == "no_chat"


async def test_the_quick_exit_beacon_forgets_the_session(runtime):
    store = MemoryStore()
    async with web_chat(runtime, store) as chat, client(chat) as c:
        await c.start()
        url = f"{c.base}/api/exit"
        forged = json.dumps({"csrf": "0" * 32})
        async with c.http.post(url, data=forged, headers={"Content-Type": "text/plain"}) as r:
            assert r.status == 204
        assert await store.count() == 1, "a beacon without the right token forgets nothing"
        real = json.dumps({"csrf": c.csrf})
        async with c.http.post(url, data=real, headers={"Content-Type": "text/plain"}) as r:
            assert r.status == 204
        assert await store.count() == 0 and len(chat.chats) == 0


# ---- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ("{not json", 400, "bad_request"),
        ('"start_chat"', 400, "bad_request"),
        ("[]", 400, "bad_request"),
        ('{"type": "launch_missiles"}', 400, "bad_request"),
        ('{"type": "start_chat", "locale": "<script>"}', 400, "bad_request"),
        ('{"type": "start_chat", "ack": -1}', 400, "bad_request"),
        ('{"type": "start_chat", "ack": true}', 400, "bad_request"),
        ('{"type": "start_chat", "resume": "yes"}', 400, "bad_request"),
        ('{"type": "ack_chat"}', 400, "bad_request"),
        ('{"type": "send_msg", "id": "a b", "text": "hoi"}', 400, "bad_request"),
        ('{"type": "send_msg", "id": "a", "text": "   "}', 400, "bad_request"),
        ('{"type": "send_msg", "id": "a", "text": 12}', 400, "bad_request"),
        ('{"type": "press", "id": "a", "data": null}', 400, "bad_request"),
        (b"\xff\xfe{}", 400, "bad_request"),
    ],
)
async def test_malformed_commands_are_refused_plainly(runtime, body, status, error):
    async with (
        web_chat(runtime) as chat,
        client(chat) as c,
        c.http.post(
            f"{c.base}/api/chat", data=body, headers={"Content-Type": "application/json"}
        ) as r,
    ):
        answer = await r.json()
    assert r.status == status and answer["error"] == error and answer["detail"]


async def test_text_longer_than_a_message_is_refused(runtime):
    async with web_chat(runtime) as chat, client(chat) as c:
        await c.start()
        status, body = await c.post(
            {"type": "send_msg", "id": "long", "text": "a" * (MAX_TEXT + 1)}
        )
        assert status == 400 and str(MAX_TEXT) in body["detail"]
        replies = messages(await c.say("b" * MAX_TEXT))  # the longest allowed gets an answer
        assert replies and replies[-1]["buttons"]


async def test_oversized_bodies_are_refused_before_they_are_read(runtime):
    async with web_chat(runtime) as chat, client(chat) as c:
        big = json.dumps({"type": "send_msg", "id": "x", "text": "a" * 4000}) + " " * 20_000
        async with c.http.post(
            f"{c.base}/api/chat", data=big, headers={"Content-Type": "application/json"}
        ) as r:
            assert r.status == 413 and (await r.json())["error"] == "too_large"

        async def chunks():
            for _ in range(40):
                yield b" " * 1024

        async with c.http.post(
            f"{c.base}/api/chat", data=chunks(), headers={"Content-Type": "application/json"}
        ) as r:
            assert r.status == 413


async def test_other_content_types_and_other_origins_are_refused(runtime):
    async with web_chat(runtime) as chat, client(chat) as c:
        async with c.http.post(
            f"{c.base}/api/chat",
            data="type=start_chat",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ) as r:
            assert r.status == 415
        status, body = await c.post(
            {"type": "start_chat"}, headers={"Origin": "https://evil.example"}
        )
        assert status == 403 and body["error"] == "forbidden"
        status, _ = await c.post(
            {"type": "start_chat"}, headers={"Origin": f"http://127.0.0.1:{chat.port}"}
        )
        assert status == 200


async def test_forged_button_data_gets_a_kind_note_and_the_current_choices(runtime):
    async with web_chat(runtime) as chat, client(chat) as c:
        await c.start()
        await c.press("Nederland")
        before = [b["label"] for b in c.buttons]
        for data in ("p|000000|main:menu|99", "i|launch|", "p|x|nope:nothing|0", "garbage"):
            replies = messages(await c.command({"type": "press", "data": data}))
            assert replies and replies[-1]["text"]
            assert [b["label"] for b in c.buttons] == before


async def test_missing_forged_and_malformed_cookies(runtime):
    async with web_chat(runtime) as chat:
        async with client(chat) as c:
            status, body = await c.post({"type": "send_msg", "id": "a", "text": "hoi"})
            assert status == 401 and body["error"] == "no_chat"
        async with client(chat) as c:
            await c.start()
            # a token the server never made, with the CSRF token of the real one
            c.http.cookie_jar.update_cookies({COOKIE: "A" * 43}, URL(c.base))
            status, body = await c.post({"type": "send_msg", "id": "a", "text": "hoi"})
            assert status == 403 and body["error"] == "forbidden"
            c.http.cookie_jar.update_cookies({COOKIE: "'; DROP TABLE sessions; --"}, URL(c.base))
            status, body = await c.post({"type": "send_msg", "id": "b", "text": "hoi"})
            assert status == 401
        async with client(chat) as c:
            await c.start()
            c.csrf = "f" * 32
            status, body = await c.post({"type": "send_msg", "id": "a", "text": "hoi"})
            assert status == 403


async def test_a_flooding_session_is_slowed_but_danger_still_gets_through(runtime):
    async with web_chat(runtime) as chat, client(chat) as c:
        await c.start()
        await c.press("Nederland")
        statuses = []
        for n in range(15):
            status, _ = await c.post(
                {"type": "send_msg", "id": f"f{n}", "text": "hallo", "ack": c.ack}
            )
            statuses.append(status)
        assert 429 in statuses and statuses[:5] == [200] * 5
        async with c.http.post(
            f"{c.base}/api/chat",
            json={"type": "send_msg", "id": "f99", "text": "hallo"},
            headers={"X-CSRF-Token": c.csrf},
        ) as r:
            assert r.status == 429 and int(r.headers["Retry-After"]) > 0
        status, body = await c.post(
            {"type": "send_msg", "id": "d1", "text": "hij slaat me nu", "ack": c.ack}
        )
        assert status == 200 and messages(body["events"])[0]["urgent"]
        status, _ = await c.post({"type": "send_msg", "id": "d2", "text": "hij slaat me nu"})
        assert status == 429, "danger passes the gate once per 10 s, not as a way round it"


async def test_an_address_starting_chat_after_chat_is_slowed(runtime):
    async with web_chat(runtime) as chat:
        statuses = []
        for _ in range(25):
            async with client(chat) as c:
                status, _ = await c.post({"type": "start_chat"})
                statuses.append(status)
        assert statuses[:20] == [200] * 20 and statuses[-1] == 429


async def test_an_address_flooding_requests_is_slowed(runtime):
    limits = generous().__class__(address_burst=30, address_rate=1.0, session_burst=1000)
    async with web_chat(runtime, limits=limits) as chat, client(chat) as c:
        await c.start()
        statuses = [(await c.post({"type": "ack_chat", "msg_id": 0}))[0] for _ in range(40)]
        assert statuses[:29] == [200] * 29 and statuses[-1] == 429


async def test_no_address_and_nothing_typed_reaches_the_logs_or_the_database(
    runtime, tmp_path, caplog
):
    caplog.set_level(logging.DEBUG)
    store = await open_store(f"sqlite:///{tmp_path / 'web.db'}", 3600)
    marker = "Pietersen woont Dorpsstraat 12"
    try:
        async with web_chat(runtime, store, limits=generous()) as chat, client(chat) as c:
            await c.start()
            await c.press("Nederland")
            await c.say(marker)
            await c.say("hij slaat me")
            token = next(iter(c.http.cookie_jar)).value
            await store.flush()
    finally:
        await store.close()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "web POST /api/chat status=200" in logged, "the access log runs, without addresses"
    for secret in ("127.0.0.1", marker, "Dorpsstraat", token):
        assert secret not in logged
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert marker.encode() not in data and b"Dorpsstraat" not in data
    assert token.encode() not in data


def test_every_page_language_says_everything_and_renders(runtime) -> None:
    """The page's own words come from the catalogs: every shipped language has each of them
    (i18n check fails otherwise), and each renders with the number filled in."""
    from bot.channels.web.page import Pages, load_assets
    from bot.channels.web.texts import PAGE, texts_for

    catalogs = runtime.catalogs
    assert set(catalogs.locales) == {"nl", "en", "fr", "ar", "tr", "pl"}
    pages = Pages(load_assets(), "https://weer.example/", (), "112", catalogs)
    for locale in catalogs.locales:
        words = texts_for(catalogs, locale)
        assert words.keys() == PAGE.keys(), locale
        assert words["shift_more"].count("{n}") == 1 and "{noodnummer}" in words["danger"]
        for name, wording in PAGE.items():
            assert catalogs.translated(locale, wording.context, wording.dutch), (locale, name)
            if locale != "nl" and name not in ("title", "bot"):  # "Chat" is English too
                assert words[name] != wording.dutch, (locale, name)
        page = pages.render(locale).decode()
        assert "$" not in page.replace("$(", "") and "{noodnummer}" not in page
        assert f'lang="{locale}"' in page and words["exit"] in page
    assert 'dir="rtl"' in pages.render("ar").decode()
    assert "\u2068112\u2069" in pages.render("ar").decode()  # the number isolated in Arabic


async def test_a_french_browser_gets_the_page_and_the_greeting_in_french(runtime):
    async with (
        web_chat(runtime) as chat,
        client(chat, **{"Accept-Language": "fr-BE,fr;q=0.9,nl;q=0.5"}) as c,
    ):
        async with c.http.get(f"{c.base}/") as r:
            page = await r.text()
        assert '<html lang="fr" dir="ltr">' in page and "Quitter vite" in page
        greeting = messages(await c.command({"type": "start_chat"}))
    dutch = runtime.engine.flows["main"].flow.steps["welkom"].text
    french = runtime.catalogs.pgettext("fr", "main:welkom", dutch)
    assert french != dutch and greeting[0]["text"] == french
