"""Golden transcripts: what a man sends and what the bot must answer, in YAML volunteers can write.

    now: "2026-11-23T10:00:00+01:00"   # fixes "open now" on referral cards
    turns:
      - begin: main                     # or: send: /start
        region: NL                      # optional presets for begin
        replies:
          - text: |
              Hoi. ...
            buttons: [Nederland, Vlaanderen]
      - press: Nederland                # a button of the last message (label or number)
      - send: ik weet het niet          # typed text
      - attach: sticker                 # anything that is not text
      - data: "p|x|main:menu|9"         # raw (forged or old) button data
Replies left out of a turn are filled in by `pytest --update-goldens`; comments are kept.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from bot.channels.conversation import Conversation, Forgotten, Output
from bot.i18n import SOURCE_LOCALE, referral_context
from bot.problems import ERROR, DataError, Problem, Where
from bot.runtime import Runtime
from bot.yamlsource import line_of, parse_round_trip, read_text

INPUTS = ("begin", "send", "press", "attach", "data")
FORGOTTEN = "(gesprek gewist)"
DEFAULT_NOW = "2026-11-23T10:00:00+01:00"


def reply_data(output: Output) -> Any:
    """One bot reply as transcript data: {text, buttons} or the 'forgotten' marker."""
    if isinstance(output, Forgotten):
        return FORGOTTEN
    item: dict[str, Any] = {"text": output.plain()}
    if output.buttons:
        item["buttons"] = [b.label for b in output.buttons]
    return item


@dataclass
class TurnResult:
    index: int
    where: Where
    expected: Any
    actual: list[Any]
    locale: str | None = None  # the conversation's language after this turn

    @property
    def ok(self) -> bool:
        return self.expected is not None and _plain(self.expected) == self.actual


@dataclass
class Played:
    path: Path
    results: list[TurnResult] = field(default_factory=list)

    @property
    def failures(self) -> list[TurnResult]:
        return [r for r in self.results if not r.ok]


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return str(value) if isinstance(value, str) else value


def play(path: Path, runtime: Runtime) -> tuple[Played, Any]:
    """Run every turn of a transcript; returns the results and the (round-trip) document."""
    doc = parse_round_trip(read_text(path), str(path))
    file = str(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("turns"), list):
        raise DataError([Problem(ERROR, Where(file, 1), "a transcript needs 'turns:' with a list")])
    now = datetime.fromisoformat(str(doc.get("now") or DEFAULT_NOW))
    conversation: Conversation | None = None
    played = Played(path)
    for index, turn in enumerate(doc["turns"]):
        where = Where(file, line_of(doc["turns"], index))
        kinds = [k for k in INPUTS if isinstance(turn, dict) and k in turn]
        if len(kinds) != 1:
            raise DataError(
                [Problem(ERROR, where, f"each turn needs exactly one of {', '.join(INPUTS)}")]
            )
        kind, value = kinds[0], turn[kinds[0]]
        if kind == "begin":
            if conversation is not None:
                conversation.close()
            conversation = Conversation(
                runtime,
                flow=str(value),
                locale=turn.get("locale"),
                region=turn.get("region"),
                clock=lambda: now,
            )
            outputs = conversation.start()
        else:
            if conversation is None:
                conversation = Conversation(runtime, clock=lambda: now)
            try:
                outputs = _act(conversation, kind, value)
            except LookupError as exc:
                conversation.close()
                raise DataError([Problem(ERROR, where, str(exc))]) from None
        session = conversation.session if conversation is not None else None
        played.results.append(
            TurnResult(
                index,
                where,
                turn.get("replies"),
                [reply_data(o) for o in outputs],
                session.locale if session is not None else None,
            )
        )
    if conversation is not None:
        conversation.close()
    return played, doc


def _act(conversation: Conversation, kind: str, value: Any) -> list[Output]:
    if kind == "send":
        return conversation.send(str(value))
    if kind == "press":
        return conversation.press(value if isinstance(value, int) else str(value))
    if kind == "attach":
        return conversation.attach(str(value))
    return conversation.press_data(str(value))


def to_yaml_value(actual: list[Any]) -> CommentedSeq:
    seq = CommentedSeq()
    for item in actual:
        if isinstance(item, dict):
            node = CommentedMap()
            text = item["text"]
            node["text"] = LiteralScalarString(text) if "\n" in text else text
            if "buttons" in item:
                buttons = CommentedSeq(item["buttons"])
                buttons.fa.set_flow_style()
                node["buttons"] = buttons
            seq.append(node)
        else:
            seq.append(item)
    return seq


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def dutch_in_other_languages(played: Played, runtime: Runtime) -> list[Problem]:
    """Turns of a non-Dutch conversation that show Dutch for want of a translation: a golden
    transcript must never learn that as what the bot says."""
    problems = []
    for result in played.results:
        if not result.locale or result.locale == SOURCE_LOCALE:
            continue
        shown = "\n".join(
            "\n".join([item["text"], *item.get("buttons", ())])
            for item in result.actual
            if isinstance(item, dict)
        )
        missing = [t for t in untranslated(runtime, result.locale) if t in shown]
        if missing:
            text = missing[0].splitlines()[0][:60]
            problems.append(
                Problem(
                    ERROR,
                    result.where,
                    f"this {result.locale} turn would show Dutch for want of a translation "
                    f"('{text}'): not written. Run `firstcontact i18n update`, translate the new "
                    "and fuzzy entries, then update the goldens again",
                )
            )
    return problems


def untranslated(runtime: Runtime, locale: str) -> list[str]:
    """The Dutch texts of the flows and the directory that have no translation in `locale`."""
    catalogs = runtime.catalogs
    found = []
    for flow_id, compiled in runtime.engine.flows.items():
        for step in compiled.flow.steps.values():
            context = f"{flow_id}:{step.id}"
            for text in (step.text, *(c.label for c in step.choices)):
                if text and not catalogs.translated(locale, context, text):
                    found.append(text)
    for entry in runtime.directory().entries:
        for text in (entry.name, entry.serves):
            if (
                text
                and entry.active
                and not catalogs.translated(locale, referral_context(entry.key), text)
            ):
                found.append(text)
    return [t for t in found if len(t) >= 4]


def update(path: Path, runtime: Runtime) -> bool:
    """Rewrite a transcript's replies with what the bot says now; True if the file changed."""
    played, doc = play(path, runtime)
    leaks = dutch_in_other_languages(played, runtime)
    if leaks:
        raise DataError(leaks)
    for result, turn in zip(played.results, doc["turns"], strict=True):
        turn["replies"] = to_yaml_value(result.actual)
    buffer = io.StringIO()
    _yaml().dump(doc, buffer)
    new = buffer.getvalue()
    if new == path.read_text(encoding="utf-8"):
        return False
    path.write_text(new, encoding="utf-8")
    return True


class Recorder:
    """Writes a terminal walk as a transcript file, turn by turn."""

    def __init__(self, path: Path, now: datetime):
        self.path = path
        self.doc = CommentedMap()
        self.doc["now"] = now.isoformat(timespec="seconds")
        self.doc["turns"] = CommentedSeq()

    def add(self, kind: str, value: Any, outputs: list[Output], **presets: Any) -> None:
        turn = CommentedMap()
        turn[kind] = value
        for key, preset in presets.items():
            if preset:
                turn[key] = preset
        turn["replies"] = to_yaml_value([reply_data(o) for o in outputs])
        self.doc["turns"].append(turn)
        self.save()

    def save(self) -> None:
        buffer = io.StringIO()
        _yaml().dump(self.doc, buffer)
        self.path.write_text(
            "# Recorded with firstcontact chat --record\n" + buffer.getvalue(), encoding="utf-8"
        )
