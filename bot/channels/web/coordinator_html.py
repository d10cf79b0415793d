"""The coordinator page's HTML: plain server-rendered forms, every value escaped, no script and
no inline style (the chat's Content-Security-Policy holds here too), one stylesheet."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html import escape
from urllib.parse import quote

from bot.directory_changes import Prepared
from bot.directory_impact import describe_preview
from bot.directory_listing import age, field_text, next_check, overdue
from bot.figures_report import SMALL, shown
from bot.problems import Problem
from bot.referrals.model import CHECK_METHODS, STATUSES, Directory, Entry

BASE = "/coordinators"
# The fields a coordinator changes on the page, in the order of the form; how an entry was
# checked (source, date, method, by) is written by "Verify", never typed here.
EDITABLE = (
    "name", "phone", "hours", "timezone", "holidays", "hours_source", "website", "chat_url",
    "regions", "languages", "free", "anonymous", "serves", "status", "alternative",
    "when_closed", "check_every_days", "note",
)  # fmt: skip
ADD_FIELDS = (
    "name", "phone", "hours", "website", "chat_url", "regions", "languages", "free",
    "anonymous", "serves", "alternative", "when_closed",
)  # fmt: skip
HINTS = {
    "phone": "as dialled in its country, e.g. 0800-2000 or 1712",
    "hours": "e.g. mon-fri 09:00-17:00; sat 10:00-14:00, or 24/7; empty removes them",
    "regions": "NL, BE-VLG, BE-LEUVEN, BE-WAL-BRU, ELDERS; commas between",
    "languages": "e.g. nl, fr",
    "website": "https://... only",
    "chat_url": "https://... only",
    "status": ", ".join(STATUSES),
    "free": "true or false",
    "anonymous": "true or false",
    "check_every_days": "7 to 365 days between checks; empty: 180",
}


@dataclass(frozen=True, slots=True)
class Chrome:
    """What every page has: the stylesheet, the icon, who is signed in and their form token."""

    css: str
    icon: str
    name: str = ""
    csrf: str = ""


def h(value: object) -> str:
    return escape(str(value), quote=True)


def page(chrome: Chrome, title: str, body: str) -> str:
    nav = ""
    if chrome.name:
        nav = (
            '<header class="top"><nav aria-label="Coordinator pages">'
            f'<a href="{BASE}/">Directory</a> <a href="{BASE}/add">Add an entry</a> '
            f'<a href="{BASE}/history">History</a> <a href="{BASE}/figures">Figures</a></nav>'
            f'<form method="post" action="{BASE}/sign-out" class="signout">'
            f"{hidden('csrf', chrome.csrf)}"
            f"<span>Signed in as {h(chrome.name)}</span> <button>Sign out</button></form></header>"
        )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow">'
        f"<title>{h(title)} · firstcontact coordinators</title>"
        f'<link rel="stylesheet" href="{h(chrome.css)}"><link rel="icon" href="{h(chrome.icon)}">'
        f"</head><body>{nav}<main><h1>{h(title)}</h1>{body}</main></body></html>\n"
    )


def hidden(name: str, value: object) -> str:
    return f'<input type="hidden" name="{h(name)}" value="{h(value)}">'


def notice(text: str, kind: str = "info") -> str:
    role = ' role="alert"' if kind == "error" else ' role="status"'
    return f'<div class="notice {kind}"{role}>{h(text)}</div>'


def problems_box(title: str, lines: Iterable[str]) -> str:
    items = "".join(f"<li>{h(line)}</li>" for line in lines)
    return f'<div class="notice error" role="alert"><p>{h(title)}</p><ul>{items}</ul></div>'


def problem_lines(problems: Sequence[Problem]) -> list[str]:
    return [str(problem) for problem in problems]


# ---- signing in ----------------------------------------------------------------------------


def sign_in(chrome: Chrome, csrf: str, message: str = "", name: str = "") -> str:
    body = notice(message, "error") if message else ""
    body += (
        f'<form method="post" action="{BASE}/sign-in" class="card">{hidden("csrf", csrf)}'
        '<label for="name">Name</label>'
        f'<input id="name" name="name" autocomplete="username" required maxlength="60" '
        f'value="{h(name)}">'
        '<label for="password">Password</label>'
        '<input id="password" name="password" type="password" autocomplete="current-password" '
        'required maxlength="1024">'
        "<button>Sign in</button></form>"
        "<p class=hint>For coordinators who keep the referral directory. Ask whoever runs the "
        "bot for an account (<code>firstcontact coordinators add NAME</code>).</p>"
    )
    return page(chrome, "Sign in", body)


# ---- the directory ---------------------------------------------------------------------------


def directory_list(chrome: Chrome, directory: Directory, entries: list[Entry], day: date) -> str:
    rows = []
    for e in entries:
        days = age(e, day)
        since = "never" if e.last_verified is None else str(days)
        late = overdue(e, day)
        rows.append(
            f'<tr class="{"overdue" if late else ""}">'
            f'<td><a href="{BASE}/entry/{quote(e.key)}">{h(e.key)}</a></td><td>{h(e.name)}</td>'
            f"<td>{h(e.status)}</td><td>{h(e.phone or '-')}</td>"
            f'<td class="num">{h(since)}</td><td>{h(next_check(e, day))}</td>'
            f"<td>{h(', '.join(e.regions))}</td></tr>"
        )
    late = sum(overdue(e, day) for e in entries)
    summary = (
        f"{len(entries)} entries, the most overdue first; {late} overdue for a check (each "
        "entry is due its own number of days after its last check: 180 unless it says)."
    )
    body = (
        f'<p class="summary">{h(summary)}</p><table class="directory"><thead><tr>'
        "<th>Key</th><th>Name</th><th>Status</th><th>Phone</th><th>Days since check</th>"
        "<th>Next check due</th><th>Regions</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )
    return page(chrome, "Referral directory", body)


def entry_page(
    chrome: Chrome,
    entry: Entry,
    day: date,
    history: list,
    *,
    message: str = "",
    error: str = "",
    form: Mapping[str, str] | None = None,
    current: Mapping[str, str],
) -> str:
    given = form or {}
    facts = "".join(
        f"<dt>{h(name)}</dt><dd>{h(field_text(entry, name))}</dd>" for name, _ in entry.lines
    )
    due = next_check(entry, day)
    body = notice(message) if message else ""
    body += error
    body += (
        f'<section><h2>Now</h2><dl class="facts">{facts}<dt>next check due</dt>'
        f"<dd>{h(due)}</dd></dl></section>"
    )
    body += _edit_form(chrome, entry.key, current, given)
    body += _verify_form(chrome, entry.key, given)
    body += _retire_form(chrome, entry.key, given)
    body += "<section><h2>History</h2>" + history_table(history, one_entry=True) + "</section>"
    return page(chrome, f"{entry.key}: {entry.name}", body)


def _field_input(prefix: str, name: str, value: str) -> str:
    hint = HINTS.get(name, "")
    described = f' aria-describedby="{prefix}{name}-hint"' if hint else ""
    out = (
        f'<label for="{prefix}{name}">{h(name)}</label>'
        f'<input id="{prefix}{name}" name="{prefix}{name}" value="{h(value)}"{described}>'
    )
    if hint:
        out += f'<small id="{prefix}{name}-hint">{h(hint)}</small>'
    return out


def _edit_form(
    chrome: Chrome, key: str, current: Mapping[str, str], given: Mapping[str, str]
) -> str:
    fields = "".join(
        _field_input("f_", name, given.get(f"f_{name}", current.get(name, ""))) for name in EDITABLE
    )
    checked = " checked" if given.get("verified_today") == "yes" else ""
    return (
        '<section><h2>Change</h2><form method="post" action="'
        f'{BASE}/change" class="card grid" id="change-form">'
        f"{hidden('csrf', chrome.csrf)}{hidden('action', 'set')}{hidden('key', key)}{fields}"
        '<label for="set-source">Where you checked it</label>'
        f'<input id="set-source" name="source" value="{h(given.get("source", ""))}">'
        f'<label class="check"><input type="checkbox" name="verified_today" value="yes"{checked}>'
        " I checked this today</label>"
        "<p class=hint>An empty field is removed. Nothing is saved before you have seen what "
        "the man will see differently.</p>"
        '<button name="step" value="preview">Preview the change</button></form></section>'
    )


def _method_options(chosen: str) -> str:
    return "".join(
        f'<option value="{m}"{" selected" if m == chosen else ""}>{m}</option>'
        for m in CHECK_METHODS
    )


def _verify_form(chrome: Chrome, key: str, given: Mapping[str, str]) -> str:
    method = given.get("method", "")
    return (
        f'<section><h2>Verify</h2><form method="post" action="{BASE}/change" class="card grid" '
        f'id="verify-form">{hidden("csrf", chrome.csrf)}{hidden("action", "verify")}'
        f"{hidden('key', key)}"
        '<label for="verify-method">How you checked it</label>'
        f'<select id="verify-method" name="method" required><option value="">choose</option>'
        f"{_method_options(method)}</select>"
        '<label for="verify-source">What you checked it against</label>'
        f'<input id="verify-source" name="source" required '
        f'value="{h(given.get("source", "") if given.get("action") == "verify" else "")}">'
        '<label for="verify-source-date">When the source was written, if before 2020</label>'
        f'<input id="verify-source-date" name="source_date" '
        f'value="{h(given.get("source_date", ""))}">'
        '<button name="step" value="preview">Preview</button></form></section>'
    )


def _retire_form(chrome: Chrome, key: str, given: Mapping[str, str]) -> str:
    return (
        f'<section><h2>Retire</h2><form method="post" action="{BASE}/change" class="card grid" '
        f'id="retire-form">{hidden("csrf", chrome.csrf)}{hidden("action", "retire")}'
        f"{hidden('key', key)}"
        '<label for="retire-reason">Why it closed for good, and where you read it</label>'
        f'<input id="retire-reason" name="reason" required value="{h(given.get("reason", ""))}">'
        '<button name="step" value="preview">Preview</button></form></section>'
    )


def add_page(chrome: Chrome, given: Mapping[str, str], error: str = "") -> str:
    fields = "".join(_field_input("f_", n, given.get(f"f_{n}", "")) for n in ADD_FIELDS)
    body = error + (
        f'<form method="post" action="{BASE}/change" class="card grid" id="add-form">'
        f"{hidden('csrf', chrome.csrf)}{hidden('action', 'add')}"
        '<label for="add-key">Key</label>'
        f'<input id="add-key" name="key" required value="{h(given.get("key", ""))}" '
        'aria-describedby="add-key-hint"><small id="add-key-hint">lower-case letters, digits '
        "and _, e.g. lijn_x; flows name the entry by it</small>"
        f"{fields}"
        '<label for="add-method">How you checked it</label>'
        f'<select id="add-method" name="method" required><option value="">choose</option>'
        f"{_method_options(given.get('method', ''))}</select>"
        '<label for="add-source">What you checked it against</label>'
        f'<input id="add-source" name="source" required value="{h(given.get("source", ""))}">'
        '<button name="step" value="preview">Preview</button></form>'
    )
    return page(chrome, "Add an entry", body)


# ---- the confirm step ------------------------------------------------------------------------


def confirm_page(
    chrome: Chrome, prepared: Prepared, carried: Mapping[str, str], message: str = ""
) -> str:
    """What the change does, and one button to save exactly this (on the version seen)."""
    plan = prepared.plan
    body = notice(message, "error") if message else ""
    if prepared.unchanged:
        body += notice("Nothing to change: it was already like that.")
        return page(chrome, "Nothing to change", body + _back(carried))
    rows = "".join(
        f"<tr><td>{h(key)}</td><td>{h(name)}</td><td><del>{h(before)}</del></td>"
        f"<td><ins>{h(after)}</ins></td></tr>"
        for key, name, before, after in prepared.rows()
    )
    body += (
        '<section><h2>The change</h2><table class="changes"><thead><tr><th>Entry</th>'
        "<th>Field</th><th>Before</th><th>After</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></section>"
    )
    body += "<section><h2>What the man will see differently</h2>"
    if not prepared.flows_checked:
        body += notice("The flows cannot be read now, so only the directory's checks ran.")
    elif prepared.preview:
        lines = "\n".join(describe_preview(prepared.preview))
        body += f'<p>Cards in Dutch, per step and region:</p><pre class="preview">{h(lines)}</pre>'
    else:
        body += "<p>No step shows a different card: no flow shows this entry now.</p>"
    body += "</section>"
    if plan.warnings:
        body += problems_box("Still worth a look:", problem_lines(plan.warnings))
    fields = "".join(hidden(name, value) for name, value in carried.items())
    force = ""
    if plan.risks:
        body += problems_box(
            "This is probably a mistake (where it says --force: the 'Save anyway' box below):",
            plan.risks,
        )
        force = (
            '<label class="check"><input type="checkbox" name="force" value="yes"> Save anyway: '
            "I have read why this is probably a mistake</label>"
        )
    body += (
        f'<form method="post" action="{BASE}/change" class="card" id="confirm-form">'
        f"{hidden('csrf', chrome.csrf)}{fields}{hidden('base', prepared.base)}{force}"
        '<button name="step" value="save">Save this change</button></form>'
    )
    return page(chrome, "Check before saving", body + _back(carried))


def _back(carried: Mapping[str, str]) -> str:
    key = carried.get("key", "")
    if carried.get("action") == "add" or not key:
        return f'<p><a href="{BASE}/">Back to the directory, saving nothing</a></p>'
    return f'<p><a href="{BASE}/entry/{quote(key)}">Back to {h(key)}, saving nothing</a></p>'


# ---- history and figures ---------------------------------------------------------------------


def history_table(rows: list, one_entry: bool = False) -> str:
    if not rows:
        return "<p>No changes recorded yet.</p>"
    head = "<th>When (UTC)</th><th>By</th>" + ("" if one_entry else "<th>Entry</th>")
    head += "<th>Field</th><th>Before</th><th>After</th><th>Action</th><th>Source</th>"
    body = []
    for r in rows:
        when = datetime.fromtimestamp(r.last_action_date, UTC).strftime("%Y-%m-%d %H:%M")
        entry = "" if one_entry else f"<td>{h(r.resource_id)}</td>"
        body.append(
            f"<tr><td>{h(when)}</td><td>{h(r.updated_by)}</td>{entry}<td>{h(r.field_name)}</td>"
            f"<td>{h(r.previous_value)}</td><td>{h(r.replacement_value)}</td>"
            f"<td>{h(r.last_action_type)}</td><td>{h(r.source)}</td></tr>"
        )
    return (
        f'<table class="history"><thead><tr>{head}</tr></thead><tbody>'
        + "".join(body)
        + "</tbody></table>"
    )


def history_page(chrome: Chrome, rows: list) -> str:
    return page(chrome, "History of the directory", history_table(rows))


def figures_page(
    chrome: Chrome, since: date, until: date, found: list[tuple[str, str, int]], error: str = ""
) -> str:
    query = f"since={since.isoformat()}&amp;until={until.isoformat()}"
    body = error + (
        f'<form method="get" action="{BASE}/figures" class="card inline">'
        f'<label for="since">From</label><input id="since" name="since" type="date" '
        f'value="{since.isoformat()}" required>'
        f'<label for="until">to</label><input id="until" name="until" type="date" '
        f'value="{until.isoformat()}" required><button>Show</button></form>'
        f"<p>Counts over the period, never linked to a session or chat; every figure below "
        f"{SMALL} is shown as &lt;{SMALL} (and has no bar), as in "
        "<code>firstcontact stats</code>.</p>"
    )
    if not found:
        return page(chrome, "Figures", body + "<p>Nothing was counted in this period.</p>")
    body += (
        f'<img class="chart" src="{BASE}/figures.png?{query}" '
        'alt="Bar chart of the figures in the table below">'
    )
    rows, metric = [], None
    for name, value, count in found:
        if name != metric:
            rows.append(f'<tr><th colspan="2" scope="rowgroup">{h(name)}</th></tr>')
            metric = name
        rows.append(f'<tr><td>{h(value)}</td><td class="num">{h(shown(count))}</td></tr>')
    body += f'<table class="figures"><tbody>{"".join(rows)}</tbody></table>'
    return page(chrome, "Figures", body)


def message_page(chrome: Chrome, title: str, text: str) -> str:
    link = f'<p><a href="{BASE}/">Back to the directory</a></p>' if chrome.name else ""
    return page(chrome, title, notice(text, "error") + link)
