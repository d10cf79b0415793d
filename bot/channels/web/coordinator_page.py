"""The coordinator page (/coordinators/, off unless FIRSTCONTACT_COORDINATOR_PAGE=on): sign in,
the directory with the most overdue first, one entry with its change, verify and retire
forms, add, the history, and the anonymous figures with a chart.

A change runs exactly what `firstcontact referrals ...` runs (bot.directory_changes): the
directory's and the flows' checks, then what the man will see differently, then a confirm step
that saves on the version that was shown. The save goes to the database every worker polls,
so each running bot uses it within seconds. The signed-in name is what the history keeps.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.channels.web import coordinator_html as html
from bot.channels.web.coordinator_guard import CSRF_REFUSED, CoordinatorSessions
from bot.channels.web.guard import Guard
from bot.coordinator_auth import Passwords, SignInGate, SignInLimits
from bot.directory_changes import (
    Planner,
    add_entry,
    prepare,
    retire_entry,
    save,
    set_values,
    verify_entry,
)
from bot.directory_impact import FlowUse
from bot.directory_listing import field_text, stale_first
from bot.problems import DataError
from bot.referrals.edit import EditRefused
from bot.referrals.load import parse_directory
from bot.referrals.model import CHECK_METHODS, Directory
from bot.referrals.source import SavedMeanwhileError, SaveFailedError
from storage.coordinators import CoordinatorStore

log = logging.getLogger(__name__)

BASE = html.BASE
SLOW_DOWN = "Too many sign-in attempts. Wait a minute, then try again."
WRONG = "That name and password do not match. Check both and try again."
CHANGED_MEANWHILE = (
    "Someone else changed the directory since you looked, so nothing was saved. Below is your "
    "change worked out again on the newest version: check it and save again."
)
NEEDS_FORCE = (
    "Nothing was saved: this change is probably a mistake (see why below). Tick 'Save anyway' "
    "if you are sure."
)
SIGNED_OUT = (
    "You are signed out (an hour after signing in, or from elsewhere), so nothing was changed. "
    "Sign in again and repeat what you did."
)
MISSING = {
    "verify": "say how you checked it (phoned, website, document or news) and against what",
    "add": "say how you checked it (phoned, website, document or news) and against what",
    "retire": "say why it closed for good, and where you read it",
}
SAVED = "Saved. Every running bot uses it from its next look, within a few seconds."
# The chat's no-referrer makes browsers send "Origin: null" with a form; these pages send
# their origin to themselves only, so each form's Origin can be checked.
HEADERS = {"Referrer-Policy": "same-origin"}
FIGURE_DAYS = 30
LONGEST_PERIOD = 3660  # days: ten years of figures at most in one page


@dataclass
class PageOptions:
    """What the page needs besides the web chat's guard."""

    source: Any  # the directory: bot.directory_source.DatabaseSource (or a FileSource)
    store: CoordinatorStore
    secret: bytes
    css: str = ""  # the stylesheet's and icon's addresses: the web chat fills them in
    icon: str = ""
    flows_dir: Path | None = None
    limits: SignInLimits = field(default_factory=SignInLimits)
    today: Callable[[], date] = date.today
    passwords: Passwords = field(default_factory=Passwords)


Handler = Callable[[web.Request, str, str], Awaitable[web.StreamResponse]]


class CoordinatorPage:
    def __init__(self, options: PageOptions, chat_guard: Guard):
        self.options = options
        self.source = options.source
        self.store = options.store
        self.guard = chat_guard
        self.sessions = CoordinatorSessions(options.secret, options.store, chat_guard)
        self.gate = SignInGate(options.limits)
        self.passwords = options.passwords

    def register(self, router: web.UrlDispatcher) -> None:
        """Add the page's routes to the web chat's server (before it starts)."""
        router.add_get(BASE, self.to_list)
        router.add_get(f"{BASE}/", self.signed_in(self.directory))
        router.add_get(f"{BASE}/sign-in", self.sign_in_form)
        router.add_post(f"{BASE}/sign-in", self.sign_in)
        router.add_post(f"{BASE}/sign-out", self.sign_out)
        router.add_get(f"{BASE}/entry/{{key}}", self.signed_in(self.entry))
        router.add_get(f"{BASE}/add", self.signed_in(self.add))
        router.add_get(f"{BASE}/history", self.signed_in(self.history))
        router.add_get(f"{BASE}/figures", self.signed_in(self.figures))
        router.add_get(f"{BASE}/figures.png", self.signed_in(self.figures_png))
        router.add_post(f"{BASE}/change", self.signed_in(self.change, form=True))

    def chrome(self, name: str = "", token: str = "") -> html.Chrome:
        csrf = self.sessions.csrf(token) if token else ""
        return html.Chrome(self.options.css, self.options.icon, name, csrf)

    # ---- who may ---------------------------------------------------------------------------

    def signed_in(self, handler: Handler, form: bool = False):
        """Only for a signed-in coordinator; a form also needs this session's CSRF token."""

        async def guarded(request: web.Request) -> web.StreamResponse:
            found = await self.sessions.who(request)
            if found is None:
                if request.method == "GET":
                    return _see_other(f"{BASE}/sign-in")
                return self._refused(403, "Signed out", SIGNED_OUT)
            name, token = found
            if form:
                data = await request.post()
                given = data.get("csrf")
                if not self.guard.same_origin(request) or not self.sessions.csrf_matches(
                    self.sessions.csrf(token), given
                ):
                    return self._refused(403, "Not saved", CSRF_REFUSED, name, token)
            return await handler(request, name, token)

        return guarded

    def _refused(
        self, status: int, title: str, text: str, name: str = "", token: str = ""
    ) -> web.Response:
        return _html(html.message_page(self.chrome(name, token), title, text), status)

    async def to_list(self, request: web.Request) -> web.StreamResponse:
        return _see_other(f"{BASE}/")

    async def sign_in_form(self, request: web.Request) -> web.StreamResponse:
        if await self.sessions.who(request) is not None:
            return _see_other(f"{BASE}/")
        return self._sign_in_page(request)

    def _sign_in_page(
        self, request: web.Request, message: str = "", name: str = "", status: int = 200
    ) -> web.Response:
        response = web.Response(
            status=status, content_type="text/html", charset="utf-8", headers=HEADERS
        )
        csrf = self.sessions.give_sign_in_token(request, response)
        response.text = html.sign_in(self.chrome(), csrf, message, name)
        return response

    async def sign_in(self, request: web.Request) -> web.StreamResponse:
        data = await request.post()
        name = " ".join(str(data.get("name", ""))[:200].split())
        password = str(data.get("password", ""))
        pre = self.sessions.sign_in_token(request)
        if (
            pre is None
            or not self.guard.same_origin(request)
            or not self.sessions.csrf_matches(self.sessions.sign_in_csrf(pre), data.get("csrf"))
        ):
            return self._sign_in_page(request, CSRF_REFUSED, name, 403)
        if not self.gate.admit(name, self.guard.address(request)):
            response = self._sign_in_page(request, SLOW_DOWN, name, 429)
            response.headers["Retry-After"] = "60"
            return response
        stored = await self.store.password_hash(name) if name else None
        right, rehashed = await asyncio.to_thread(self.passwords.verify, stored, password)
        if not right:
            log.info("coordinator sign-in refused")
            return self._sign_in_page(request, WRONG, name, 403)
        if rehashed:
            await self.store.update_hash(name, rehashed)
        response = _see_other(f"{BASE}/")
        await self.sessions.start(request, response, name)
        log.info("coordinator signed in")
        return response

    async def sign_out(self, request: web.Request) -> web.StreamResponse:
        found = await self.sessions.who(request)
        data = await request.post()
        response = _see_other(f"{BASE}/sign-in")
        if found is not None:
            if not self.sessions.csrf_matches(self.sessions.csrf(found[1]), data.get("csrf")):
                return self._refused(403, "Not signed out", CSRF_REFUSED, *found)
            await self.sessions.end(request, response)
        return response

    # ---- reading ---------------------------------------------------------------------------

    async def _directory(self) -> tuple[Directory, Any]:
        def read() -> tuple[Directory, Any]:
            text, version = self.source.read()
            return parse_directory(text, self.source.name), version

        return await asyncio.to_thread(read)

    async def directory(self, request: web.Request, name: str, token: str) -> web.Response:
        chrome = self.chrome(name, token)
        try:
            directory, _ = await self._directory()
        except DataError as exc:
            lines = html.problem_lines(exc.problems)
            body = html.problems_box("The directory cannot be used by the bot:", lines)
            return _html(html.page(chrome, "Referral directory", body), 500)
        day = self.options.today()
        entries = stale_first(directory.entries, day)
        return _html(html.directory_list(chrome, directory, entries, day))

    async def entry(self, request: web.Request, name: str, token: str) -> web.Response:
        key = request.match_info["key"]
        message = SAVED if request.query.get("saved") else ""
        return await self._entry_page(name, token, key, message=message)

    async def _entry_page(
        self, name: str, token: str, key: str, *, message: str = "", error: str = "",
        form: dict[str, str] | None = None, status: int = 200,
    ) -> web.Response:  # fmt: skip
        chrome = self.chrome(name, token)
        directory, _ = await self._directory()
        entry = directory.get(key)
        if entry is None:
            return self._refused(404, "Not found", f"There is no entry '{key}'.", name, token)
        history = await asyncio.to_thread(self.source.history, key) or []
        text = html.entry_page(
            chrome, entry, self.options.today(), history, message=message, error=error,
            form=form, current=current_values(entry),
        )  # fmt: skip
        return _html(text, status)

    async def add(self, request: web.Request, name: str, token: str) -> web.Response:
        return _html(html.add_page(self.chrome(name, token), {}))

    async def history(self, request: web.Request, name: str, token: str) -> web.Response:
        rows = await asyncio.to_thread(self.source.history, None) or []
        return _html(html.history_page(self.chrome(name, token), rows))

    # ---- changing --------------------------------------------------------------------------

    async def change(self, request: web.Request, name: str, token: str) -> web.StreamResponse:
        form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        action = form.get("action", "")
        key = form.get("key", "").strip()
        if action not in ("set", "verify", "retire", "add") or (action != "add" and not key):
            return self._refused(400, "Not understood", "That form cannot be used.", name, token)
        directory, _ = await self._directory()
        entry = directory.get(key)
        if action != "add" and entry is None:
            return self._refused(404, "Not found", f"There is no entry '{key}'.", name, token)
        carried = carried_fields(form, current_values(entry) if entry else None)
        if not complete(carried):
            box = html.problems_box("Nothing was changed:", [f"{MISSING[action]}."])
            return await self._form_again(name, token, carried, form, box)
        planner, note = self._planner(carried, name)
        use = await self._flow_use()
        try:
            prepared = await asyncio.to_thread(prepare, self.source, planner, use)
        except EditRefused as exc:
            box = html.problems_box("Nothing was changed:", [f"{exc}."])
            return await self._form_again(name, token, carried, form, box)
        except DataError as exc:
            box = html.problems_box(
                "Nothing was changed: the bot would refuse the directory with this change:",
                html.problem_lines(exc.problems),
            )
            return await self._form_again(name, token, carried, form, box)
        chrome = self.chrome(name, token)
        if form.get("step") != "save":
            return _html(html.confirm_page(chrome, prepared, carried))
        if str(prepared.base) != form.get("base"):
            return _html(html.confirm_page(chrome, prepared, carried, CHANGED_MEANWHILE), 409)
        if prepared.plan.risks and form.get("force") != "yes":
            return _html(html.confirm_page(chrome, prepared, carried, NEEDS_FORCE), 422)
        if prepared.unchanged:
            return _html(html.confirm_page(chrome, prepared, carried))
        try:
            await asyncio.to_thread(
                lambda: save(self.source, prepared, by=name, action=action, note=note)
            )
        except SavedMeanwhileError:
            return _html(html.confirm_page(chrome, prepared, carried, CHANGED_MEANWHILE), 409)
        except SaveFailedError as exc:
            return _html(
                html.confirm_page(chrome, prepared, carried, f"Nothing was saved: {exc}."), 503
            )
        log.info("coordinator saved a directory change action=%s", action)
        return _see_other(f"{BASE}/entry/{quote(prepared.plan.key or key)}?saved=1")

    def _planner(self, carried: dict[str, str], by: str) -> tuple[Planner, str]:
        """The same planners as `referrals set | verify | retire | add`, and the history note."""
        today = self.options.today()
        key, action = carried["key"], carried["action"]
        values = {n[2:]: v for n, v in carried.items() if n.startswith("v_")}
        source = carried.get("source", "")
        if action == "set":
            verified = carried.get("verified_today") == "yes"
            return set_values(key, values, today, verified_today=verified, source=source), source
        if action == "verify":
            method, when = carried.get("method", ""), carried.get("source_date") or None
            return verify_entry(key, method, source, by, today, when), source
        if action == "retire":
            return retire_entry(key, today), carried.get("reason", "")
        method = carried.get("method", "")
        return add_entry(key, values, method, source, by, today), source

    async def _form_again(
        self, name: str, token: str, carried: dict[str, str], form: dict[str, str], box: str
    ) -> web.Response:
        """The form the change came from, with what was typed and why it was refused."""
        if carried["action"] == "add":
            return _html(html.add_page(self.chrome(name, token), form, box), 422)
        return await self._entry_page(name, token, carried["key"], error=box, form=form,
                                      status=422)  # fmt: skip

    async def _flow_use(self) -> FlowUse | None:
        from bot.definitions.bundle import DEFAULT_FLOWS_DIR

        flows_dir = self.options.flows_dir or DEFAULT_FLOWS_DIR
        use, _ = await asyncio.to_thread(FlowUse.load, flows_dir)
        if use is None:
            log.warning("the flows cannot be read; changes are checked without them")
        return use

    # ---- figures ---------------------------------------------------------------------------

    def _period(self, request: web.Request) -> tuple[date, date, str]:
        until = self.options.today()
        since = until - timedelta(days=FIGURE_DAYS)
        try:
            since = date.fromisoformat(request.query.get("since") or since.isoformat())
            until = date.fromisoformat(request.query.get("until") or until.isoformat())
        except ValueError:
            return since, until, "Write the days like 2026-11-01; the last 30 days are shown."
        if until < since or (until - since).days > LONGEST_PERIOD:
            since, until = until - timedelta(days=FIGURE_DAYS), until
            return since, until, "That period cannot be shown; the last 30 days are shown."
        return since, until, ""

    async def _totals(self, since: date, until: date) -> list[tuple[str, str, int]]:
        from bot.figures_report import totals
        from storage.figures import read_counts

        return totals(await read_counts(self.store.engine, since, until))

    async def figures(self, request: web.Request, name: str, token: str) -> web.Response:
        since, until, problem = self._period(request)
        found = await self._totals(since, until)
        error = html.notice(problem, "error") if problem else ""
        return _html(html.figures_page(self.chrome(name, token), since, until, found, error))

    async def figures_png(self, request: web.Request, name: str, token: str) -> web.Response:
        from bot.figures_png import chart

        since, until, _ = self._period(request)
        found = await self._totals(since, until)
        title = f"firstcontact {since.isoformat()} - {until.isoformat()}"
        picture, _ = await asyncio.to_thread(chart, title, found)
        return web.Response(body=picture, content_type="image/png")


def current_values(entry) -> dict[str, str]:
    """Each editable field as the form shows it: as a coordinator writes it, '' when unset."""
    present = {name for name, _ in entry.lines}
    return {n: field_text(entry, n) if n in present else "" for n in html.EDITABLE}


def carried_fields(form: dict[str, str], current: dict[str, str] | None) -> dict[str, str]:
    """What the confirm step carries: the action and key, the values that differ from the
    entry now (v_FIELD), and how it was checked; nothing else a form may have sent."""
    carried = {name: form.get(name, "").strip() for name in ("action", "key")}
    fields = html.EDITABLE if carried["action"] != "add" else html.ADD_FIELDS
    for name in fields:
        if f"v_{name}" in form:  # the confirm step: exactly what was previewed
            carried[f"v_{name}"] = form[f"v_{name}"].strip()
        elif f"f_{name}" in form:
            typed = form[f"f_{name}"].strip()
            if current is None:
                if typed:
                    carried[f"v_{name}"] = typed
            elif typed != current.get(name, ""):
                carried[f"v_{name}"] = typed
    for name in ("source", "verified_today", "method", "source_date", "reason"):
        if form.get(name, "").strip():
            carried[name] = form[name].strip()
    return carried


def complete(carried: dict[str, str]) -> bool:
    """What `referrals verify | add | retire` require, required here too."""
    action = carried["action"]
    if action in ("verify", "add"):
        return carried.get("method") in CHECK_METHODS and bool(carried.get("source"))
    if action == "retire":
        return bool(carried.get("reason"))
    return True


def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(
        text=text, status=status, content_type="text/html", charset="utf-8", headers=HEADERS
    )


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location, **HEADERS})
