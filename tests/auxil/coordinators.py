"""The coordinator page for tests: the real WebChat with the page on, on 127.0.0.1, over a
directory and coordinators in an SQLite file of the test's own, and a browser-like client that
keeps its cookies and sends each form's CSRF token back, as a page does."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, CookieJar
from argon2 import PasswordHasher

from bot.channels.web import WebChat, WebOptions
from bot.channels.web.coordinator_page import PageOptions
from bot.coordinator_auth import Passwords, SignInLimits
from bot.directory_changes import prepare, save, set_values
from bot.directory_source import DatabaseSource
from bot.runtime import Runtime
from storage import MemoryStore, session_key
from storage.coordinators import CoordinatorStore
from tests.auxil.referralscli import CHECK_DAY, SHIPPED
from tests.auxil.webchat import SECRET, generous

PASSWORD = "correct horse battery staple"
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')
# Cheap argon2 parameters: the tests check the flow, not the cost (production uses the default).
CHEAP = Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@dataclass
class Site:
    chat: WebChat
    source: DatabaseSource
    store: CoordinatorStore
    url: str

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.chat.port}"


def database_source(tmp_path: Path) -> tuple[str, DatabaseSource]:
    """A directory in an SQLite file of its own, seeded from the shipped file."""
    url = f"sqlite:///{tmp_path / 'firstcontact.sqlite'}"
    return url, DatabaseSource(url, SHIPPED)


def age_entry(source: DatabaseSource, key: str, checked: str) -> None:
    """Pretend an entry was last checked on `checked` (a stale entry for the list)."""
    planner = set_values(key, {"last_verified": checked}, CHECK_DAY)
    save(source, prepare(source, planner, None), by="test", action="set")


@asynccontextmanager
async def coordinator_site(
    runtime: Runtime,
    source: DatabaseSource,
    url: str,
    *,
    names: tuple[str, ...] = ("Anna",),
    limits: SignInLimits | None = None,
    today: date = CHECK_DAY,
    **options: Any,
) -> AsyncIterator[Site]:
    """The web chat with the coordinator page on, and `names` added with PASSWORD."""
    store = await CoordinatorStore.open(url)
    for name in names:
        await store.add(name, CHEAP.hash(PASSWORD))
    page = PageOptions(
        source=source,
        store=store,
        secret=SECRET,
        limits=limits or SignInLimits(),
        today=lambda: today,
        passwords=CHEAP,
    )
    options.setdefault("port", 0)
    options.setdefault("limits", generous())
    chat = WebChat(
        WebOptions(**options),
        runtime,
        MemoryStore(),
        partial(session_key, SECRET),
        SECRET,
        coordinators=page,
    )
    try:
        async with chat:
            yield Site(chat, source, store, url)
    finally:
        await store.close()


class Browser:
    """One browser: its cookie jar, and the CSRF token of the last page it was shown."""

    def __init__(self, base: str, http: ClientSession):
        self.base = base
        self.http = http
        self.csrf = ""

    async def get(self, path: str, **kw: Any) -> tuple[int, str]:
        async with self.http.get(self.base + path, **kw) as r:
            text = await r.text()
        self._remember(text)
        return r.status, text

    async def post(self, path: str, data: dict[str, str], **kw: Any) -> tuple[int, str]:
        """POST a form with the CSRF token last shown (unless `data` names one)."""
        body = {"csrf": self.csrf, **data}
        async with self.http.post(self.base + path, data=body, **kw) as r:
            text = await r.text()
        self._remember(text)
        return r.status, text

    def _remember(self, text: str) -> None:
        found = CSRF_RE.search(text)
        if found:
            self.csrf = found.group(1)

    async def sign_in(self, name: str = "Anna", password: str = PASSWORD) -> tuple[int, str]:
        await self.get("/coordinators/sign-in")
        return await self.post("/coordinators/sign-in", {"name": name, "password": password})

    def cookie(self, name: str):
        return next((c for c in self.http.cookie_jar if c.key == name), None)


@asynccontextmanager
async def browser(site: Site, **headers: str) -> AsyncIterator[Browser]:
    async with ClientSession(cookie_jar=CookieJar(unsafe=True), headers=headers) as http:
        yield Browser(site.base, http)


def table_rows(page: str, table: str) -> list[list[str]]:
    """The cells of each body row of the first <table class="...">, tags taken out."""
    found = re.search(rf'<table class="{table}">.*?<tbody>(.*?)</tbody>', page, re.S)
    assert found, f"no table {table!r}"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", found.group(1), re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows]
    return [[html.unescape(re.sub(r"<[^>]+>", "", c)) for c in row] for row in cells]


def notices(page: str) -> list[str]:
    """The text of each notice box on a page (errors and confirmations), tags taken out."""
    boxes = re.findall(r'<div class="notice[^"]*"[^>]*>(.*?)</div>', page, re.S)
    return [html.unescape(" ".join(re.sub(r"<[^>]+>", " ", box).split())) for box in boxes]
