"""A verdict in plain words: which words were read as which concept, which rules fired."""

from __future__ import annotations

from bot.recognition.rules import Recogniser, Verdict

HOW = {
    "word": "word",
    "stem": "word start",
    "ending": "word end",
    "typo": "with a typo",
    "phrase": "words in order",
    "piece": "piece inside a word",
    "prefix word": "word after a prefix",
    "prefix stem": "word start after a prefix",
    "prefix ending": "word end after a prefix",
}


def explain(recogniser: Recogniser, verdict: Verdict) -> str:
    """What `firstcontact intents explain` prints."""
    lines = [f"words: {' '.join(verdict.tokens) or '(none)'}"]
    if verdict.hits:
        lines.append("concepts found:")
        for hit in verdict.hits:
            how = HOW.get(hit.how, hit.how)
            lines.append(
                f"  {hit.concept:14} '{hit.typed}' = '{hit.entry.form}' ({how}) {hit.entry.source}"
            )
    else:
        lines.append("concepts found: none")
    for name, reasons in verdict.reasons.items():
        is_alarm = name in recogniser.intents
        needed = recogniser.threshold if is_alarm else recogniser.topic_threshold
        score = verdict.scores.get(name, 0.0)
        fired = name in verdict.alarms or (not is_alarm and name == verdict.topic)
        state = "FIRES" if fired else "does not fire"
        kind = "" if is_alarm else "topic "
        lines.append(f"{kind}{name}: score {score:g} (needs {needed:g}): {state}")
        for reason in reasons:
            words = ", ".join(f"'{h.typed}'" for h in reason.hits)
            what = f"rule [{', '.join(reason.concepts)}]" if reason.what == "rule" else "adjust"
            where = f" {reason.source}" if reason.source else ""
            lines.append(f"  {reason.score:+g} {what} by {words}{where}")
    if verdict.decided:
        lines += _decided(recogniser, verdict)
    for opinion in () if verdict.decided else verdict.opinions:
        state = "FIRES" if opinion.fires else "does not fire"
        lines.append(
            f"learned {opinion.label}: {opinion.probability:.2f} "
            f"(needs {opinion.threshold:.2f}): {state}"
        )
        if opinion.top:
            pieces = ", ".join(f"{_piece(f)} {w:+.2f}" for f, w in opinion.top)
            lines.append(f"  weighed most: {pieces}")
    answer = verdict.alarm or (f"topic {verdict.topic}" if verdict.topic else "nothing")
    lines.append(f"answered as: {answer}")
    return "\n".join(lines)


def _decided(recogniser: Recogniser, verdict: Verdict) -> list[str]:
    """The learned decider's part: per alarm what the rules said, its probability, the
    floor, what it decided and what weighed most either way."""
    floor = recogniser.model.decider.floor
    lines = [f"rules alone: {', '.join(verdict.by_rules) or 'no alarm'}"]
    for opinion in verdict.opinions:
        label = opinion.label
        score = verdict.scores.get(label, 0.0)
        if score >= floor:
            why = f"the rules' score {score:g} reaches the floor {floor:g}: stands"
        elif label in verdict.alarms:
            why = "FIRES"
        elif opinion.fires:
            why = "would fire, but no word of its rules is here or an exception overrules it"
        else:
            why = "does not fire"
        if label in verdict.by_rules and label not in verdict.alarms:
            why += " (takes the rules' alarm away)"
        elif label in verdict.alarms and label not in verdict.by_rules:
            why += " (adds an alarm the rules missed)"
        lines.append(
            f"learned decider {label}: {opinion.probability:.2f} "
            f"(needs {opinion.threshold:.2f}): {why}"
        )
        if opinion.top:
            pieces = ", ".join(f"{_piece(f)} {w:+.2f}" for f, w in opinion.top)
            lines.append(f"  weighed most: {pieces}")
    return lines


def _piece(feature: str) -> str:
    """'c:<wur' -> "'<wur'" (letters), 'w:mes' -> "'mes'", 'b:een_mes' -> "'een mes'";
    the decider's own: 'k:wapen' -> "concept wapen", 'p:keuken+wapen' -> "concepts keuken +
    wapen close", 's:emergency>=1' -> "rules' score >= 1", 'r:emergency:wapen+dreigen' ->
    "rule [wapen, dreigen]"."""
    kind, _, text = feature.partition(":")
    if kind == "k":
        return f"concept {text}"
    if kind == "p":
        return f"concepts {text.replace('+', ' + ')} close"
    if kind == "s":
        rest = text.split(">=", 1)[1] if ">=" in text else None
        return f"rules' score >= {rest}" if rest else "rules' score below 0"
    if kind == "r":
        return f"rule [{text.split(':', 1)[1].replace('+', ', ')}]"
    return f"'{text.replace('_', ' ')}'" if kind in ("w", "b") else f"'{text}' (letters)"
