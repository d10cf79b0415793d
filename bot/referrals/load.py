"""Read referrals.yaml into a Directory, collecting every problem with its file and line."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from bot.problems import ERROR, WARNING, DataError, Problem, Where
from bot.referrals import fields as f
from bot.referrals.checks import check_references, check_retired_numbers, is_retired
from bot.referrals.hours import OpeningHours, parse_hours
from bot.referrals.model import PHONED, STATUSES, WEBSITE, Directory, Entry, countries_of
from bot.regions import COUNTRY_TIMEZONE
from bot.shipped import REFERRALS_FILE
from bot.yamlsource import line_of, parse_round_trip, read_text

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
REQUIRED = (
    "name", "regions", "languages", "source", "last_verified", "checked_how", "checked_by",
    "status",
)  # fmt: skip
OPTIONAL = (
    "phone", "hours", "timezone", "holidays", "hours_source", "website", "chat_url", "free",
    "anonymous", "emergency", "serves", "source_date", "check_every_days", "alternative",
    "when_closed", "note",
)  # fmt: skip
# What to write when a required field is missing, where the field name alone does not say.
MISSING_HINT = {
    "languages": "; write the languages the line answers in, like languages: [nl] or [fr, nl]",
    "checked_how": f"; write how it was checked: {f.METHOD_WORDS}",
    "checked_by": "; write who checked it: a coordinator's name or a role, like coordinator",
}
FIELDS = (*REQUIRED, *OPTIONAL)
BOOL_FIELDS = ("free", "anonymous", "emergency")
TEXT_FIELDS = ("hours_source", "serves", "note")
LONGEST = {"name": 80, "serves": 200}
HTTP_WARNING = (
    "{field} starts with http://, so anyone on his network can see or change the page he opens; "
    "find its https:// address"
)


def default_path() -> Path:
    """This checkout's flows/referrals.yaml; a deployment's file is Settings.referrals_file
    (FIRSTCONTACT_REFERRALS, read by bot.config), passed in by the commands."""
    return REFERRALS_FILE


def read_directory(path: Path) -> str:
    """The directory file's text, or a DataError a coordinator understands."""
    return read_text(path, "the referral file", "check the path or FIRSTCONTACT_REFERRALS")


def load_directory(path: Path | str) -> Directory:
    """Read and check one file; raise DataError listing every error (and warning) found."""
    path = Path(path)
    return parse_directory(read_directory(path), str(path))


def parse_directory(text: str, file: str) -> Directory:
    """Build a Directory from YAML text; references between entries are checked too."""
    data = parse_round_trip(text, file)
    reader = _Reader(file)
    entries = reader.directory(data)
    directory = Directory(entries=tuple(entries), file=file)
    problems = reader.problems + check_references(directory, reader.rejected)
    problems += check_retired_numbers(text, file)
    problems.sort(key=lambda p: (p.where.line if p.where else 0, p.level != ERROR))
    if any(p.level == ERROR for p in problems):
        raise DataError(problems)
    return Directory(entries=directory.entries, file=file, notes=tuple(problems))


class _Reader:
    """Turns the parsed YAML into entries while collecting problems for one file."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []
        self.rejected: set[str] = set()  # keys whose entry has errors of its own

    def add(self, level: str, node: Any, key: Any, message: str) -> None:
        self.problems.append(Problem(level, Where(self.file, line_of(node, key)), message))

    def directory(self, data: Any) -> list[Entry]:
        if data is None:
            self.add(ERROR, None, None, "the file is empty; it needs at least one entry")
            return []
        if not isinstance(data, CommentedMap):
            message = "the file must hold entries, each starting at the left with its key and ':'"
            self.add(ERROR, data, None, message)
            return []
        entries = []
        for key, node in data.items():
            entry = self.entry(data, key, node)
            if entry is not None:
                entries.append(entry)
        return entries

    def entry(self, parent: CommentedMap, key: Any, node: Any) -> Entry | None:
        if not isinstance(key, str) or not KEY_RE.match(key):
            message = (
                f"'{key}' cannot be used as a key; use lower-case letters, digits and _, "
                "starting with a letter (e.g. veilig_thuis)"
            )
            self.add(ERROR, parent, key, message)
            return None
        if not isinstance(node, CommentedMap):
            message = f"{key}: the fields of this entry must be indented below it"
            self.add(ERROR, parent, key, message)
            return None
        before = len(self.problems)
        for name in node:
            if name not in FIELDS:
                hint = f.suggest(name, FIELDS)
                message = f"{key}: the bot does not know the field '{name}'{hint}"
                self.add(ERROR, node, name, message)
        for name in REQUIRED:
            if node.get(name) in (None, ""):
                at, at_key = (node, name) if name in node else (parent, key)
                hint = MISSING_HINT.get(name, "")
                self.add(ERROR, at, at_key, f"{key}: '{name}' is missing{hint}")
        values = self.values(key, node)
        if any(p.level == ERROR for p in self.problems[before:]):
            self.rejected.add(key)
            return None
        lines = tuple((name, line_of(node, name)) for name in node)
        where = Where(self.file, line_of(parent, key))
        return Entry(key=key, where=where, lines=lines, **values)

    def values(self, key: str, node: CommentedMap) -> dict[str, Any]:
        """Check each present field; return the Entry keyword arguments."""
        out: dict[str, Any] = {}
        for name in ("name", "source", "alternative", "when_closed", *TEXT_FIELDS):
            if name in node and node[name] is not None:
                text = f.text_value(node[name])
                if text is None:
                    self.add(ERROR, node, name, f"{key}: '{name}' must be a piece of text")
                elif len(text) > LONGEST.get(name, 10_000):
                    limit = LONGEST[name]
                    message = f"{key}: '{name}' is {len(text)} characters; keep it under {limit}"
                    self.add(WARNING, node, name, message)
                out[name] = text
        out.pop("note", None)
        if "source" in out and f.looks_like_url(out["source"]):
            self.problem(node, "source", key, f.url_problem(out["source"], "source"))
        for name in ("website", "chat_url"):
            if node.get(name) is not None:
                self.problem(node, name, key, f.url_problem(node[name], name))
                out[name] = str(node[name]).strip()
                if f.plain_http(node[name]):
                    self.add(WARNING, node, name, f"{key}: {HTTP_WARNING.format(field=name)}")
        for name in BOOL_FIELDS:
            if name in node:
                self.problem(node, name, key, f.bool_problem(node[name], name))
                out[name] = node[name] is True
        out["regions"] = self.regions(key, node)
        countries = countries_of(out["regions"])
        if node.get("phone") is not None:
            problem = f.phone_problem(node["phone"], countries)
            self.problem(node, "phone", key, problem)
            out["phone"] = str(node["phone"]).strip()
            if not problem:
                self.phone_flags(key, node, out, countries)
                canonical = f.canonical_phone(out["phone"], countries)
                if canonical != out["phone"] and not is_retired(out["phone"]):
                    message = (
                        f"{key}: write the phone number as {canonical} (one spelling for every "
                        "number; 'firstcontact referrals set' writes it so)"
                    )
                    self.add(WARNING, node, "phone", message)
        out["languages"] = self.languages(key, node)
        status = node.get("status")
        if status is not None and status not in STATUSES:
            hint = f.suggest(status, STATUSES) or f" (use {', '.join(STATUSES)})"
            self.add(ERROR, node, "status", f"{key}: status '{status}' is not known{hint}")
        out["status"] = status
        out["last_verified"] = None
        if node.get("last_verified") is not None:
            out["last_verified"] = f.date_value(node["last_verified"])
            if out["last_verified"] is None:
                message = f"{key}: last_verified must be a date like 2026-11-23 (YYYY-MM-DD)"
                self.add(ERROR, node, "last_verified", message)
        out["hours"] = self.hours(key, node, countries)
        self.checked(key, node, out)
        return out

    def checked(self, key: str, node: CommentedMap, out: dict[str, Any]) -> None:
        """How, by whom and against what an entry was checked: the card says it in words."""
        how = node.get("checked_how")
        if how is not None:
            self.problem(node, "checked_how", key, f.method_problem(how))
            out["checked_how"] = str(how)
        if how == WEBSITE and "source" in out and not f.looks_like_url(out["source"]):
            message = (
                f"{key}: checked_how is website, but source is not a web address; write the "
                "page you read, like https://www.example.nl/contact"
            )
            self.add(ERROR, node, "source", message)
        if node.get("checked_by") is not None:
            self.problem(node, "checked_by", key, f.checked_by_problem(node["checked_by"]))
            out["checked_by"] = str(node["checked_by"]).strip()
        if node.get("source_date") is not None:
            out["source_date"] = self.source_date(key, node, how, out.get("last_verified"))
        if node.get("check_every_days") is not None:
            every = node["check_every_days"]
            self.problem(node, "check_every_days", key, f.check_every_problem(every))
            out["check_every_days"] = every

    def source_date(self, key: str, node: CommentedMap, how: Any, read_on: Any) -> Any:
        """The source's own date: a year, a day or "before <year>", never after it was read."""
        value = f.source_date_value(node["source_date"])
        if value is None:
            message = (
                f"{key}: source_date must be a year like 2017, a date like 2017-03-08, "
                "or 'before 2020'"
            )
            self.add(ERROR, node, "source_date", message)
        elif read_on and value.earliest and value.earliest > read_on:
            message = (
                f"{key}: source_date {value} is after last_verified {read_on.isoformat()}; "
                "a source cannot be read before it was written"
            )
            self.add(ERROR, node, "source_date", message)
        elif how == PHONED:
            message = f"{key}: source_date is not shown when checked_how is phoned; remove it"
            self.add(WARNING, node, "source_date", message)
        return value

    def problem(self, node: CommentedMap, name: str, key: str, message: str | None) -> None:
        if message:
            self.add(ERROR, node, name, f"{key}: {message}")

    def phone_flags(self, key: str, node: CommentedMap, out: dict, countries: tuple) -> None:
        """Warn when free/emergency contradict what the numbering plan says about the number."""
        phone = out["phone"]
        if node.get("free") is True and f.phone_costs_money(phone, countries):
            message = f"{key}: free is true, but calls to {phone} usually cost money; check it"
            self.add(WARNING, node, "free", message)
        emergency = f.is_emergency_number(phone, countries)
        if node.get("emergency") is True and not emergency:
            message = f"{key}: emergency is true, but {phone} is not an emergency number"
            self.add(WARNING, node, "emergency", message)
        if emergency and node.get("emergency") is not True:
            message = (
                f"{key}: {phone} is an emergency number, not this line's own number; write the "
                "line's number (the bot shows 112 on a card of its own), or add emergency: true "
                "if this entry is the emergency service"
            )
            self.add(ERROR, node, "phone", message)

    def regions(self, key: str, node: CommentedMap) -> tuple[str, ...]:
        value = node.get("regions")
        if value is None:
            return ()
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            message = f"{key}: regions must be a list of region codes, like [NL] or [BE-VLG]"
            self.add(ERROR, node, "regions", message)
            return ()
        found: list[str] = []
        for index, code in enumerate(items):
            where_node, where_key = (items, index) if items is value else (node, "regions")
            problem = f.region_problem(code)
            if problem:
                self.add(ERROR, where_node, where_key, f"{key}: {problem}")
            elif code in found:
                self.add(WARNING, where_node, where_key, f"{key}: region {code} is listed twice")
            else:
                found.append(code)
        return tuple(found)

    def languages(self, key: str, node: CommentedMap) -> tuple[str, ...]:
        value = node.get("languages")
        if value is None:
            return ()
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            message = f"{key}: languages must be a list of at least one language, like [nl, fr]"
            self.add(ERROR, node, "languages", message)
            return ()
        for index, code in enumerate(items):
            problem = f.language_problem(code)
            if problem:
                self.add(ERROR, items if items is value else node, index, f"{key}: {problem}")
        return tuple(str(code) for code in items)

    def hours(self, key: str, node: CommentedMap, countries: tuple) -> OpeningHours | None:
        zone = node.get("timezone")
        if zone is not None:
            self.problem(node, "timezone", key, f.timezone_problem(zone))
        holidays = self.holidays(key, node)
        value = node.get("hours")
        if value is None:
            for name in ("timezone", "holidays", "hours_source"):
                if name in node:
                    self.add(WARNING, node, name, f"{key}: '{name}' has no effect without 'hours'")
            return None
        if zone is None:
            zone = COUNTRY_TIMEZONE.get(countries[0]) if countries else None
            if zone is None and not (isinstance(value, str) and value.strip() == "24/7"):
                message = f"{key}: add a timezone (Europe/Amsterdam or Europe/Brussels)"
                self.add(ERROR, node, "hours", message)
                return None
        hours, problems = parse_hours(value, str(zone or "UTC"), holidays)
        for problem in problems:
            if isinstance(value, CommentedMap) and problem.part in value:
                self.add(ERROR, value, problem.part, f"{key}: {problem.message}")
            else:
                self.add(ERROR, node, "hours", f"{key}: {problem.message}")
        return hours

    def holidays(self, key: str, node: CommentedMap) -> frozenset[date]:
        value = node.get("holidays")
        if value is None:
            return frozenset()
        if not isinstance(value, list):
            message = f"{key}: holidays must be a list of dates, like [2026-12-25, 2027-01-01]"
            self.add(ERROR, node, "holidays", message)
            return frozenset()
        days: set[date] = set()
        for index, item in enumerate(value):
            day = f.date_value(item)
            if day is None:
                message = f"{key}: holiday '{item}' must be a date written as YYYY-MM-DD"
                self.add(ERROR, value, index, message)
            else:
                days.add(day)
        return frozenset(days)
