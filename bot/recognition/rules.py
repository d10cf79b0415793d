"""Concepts -> what a message is about: danger, crisis, a topic; each verdict explained.

A rule names concepts that must all occur within a window of words, with a weight. An
intent's score is its strongest rule plus adjustments (`verleden` lowers danger, `nu` raises
it); it fires at the threshold. Topics add up their rules, and the best one wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.recognition.decider import concept_features
from bot.recognition.lexicon import Hit, Lexicon
from bot.recognition.ngrams import Model, Opinion, pieces
from bot.recognition.text import tokens

ALARM_INTENTS = ("emergency", "crisis")
SOFT_DOUBT = -0.6  # the most that mild doubts together take off a score
MAX_TOPIC_BOOST = 2.0  # a topic rule counts at most twice its weight, however often named


@dataclass(frozen=True, slots=True)
class Rule:
    """Concepts that together signal an intent or topic, how strongly, and where it is written."""

    concepts: tuple[str, ...]
    weight: float = 1.0
    window: int = 0  # 0: the recogniser's default
    max_words: int = 0  # >0: only in a message of at most this many words ("help", "HELP ME")
    source: str = ""
    needs: frozenset[str] = frozenset()  # the concepts as a set, to skip a rule at once

    def __post_init__(self) -> None:
        object.__setattr__(self, "needs", frozenset(self.concepts))


@dataclass(frozen=True, slots=True)
class Target:
    """An intent or topic with its rules and the concepts that adjust its score."""

    name: str
    rules: tuple[Rule, ...]
    adjust: tuple[tuple[str, float], ...] = ()
    overrule: frozenset[str] = frozenset()  # exceptions that also silence the learned opinion
    goto: str | None = None  # topics: the step a man is taken to

    def concepts(self) -> frozenset[str]:
        """Every concept its rules read."""
        return frozenset(c for rule in self.rules for c in rule.concepts)


@dataclass(frozen=True, slots=True)
class Reason:
    """One line of an explanation: a rule or an adjustment and the words that made it count."""

    what: str  # "rule", "adjust" or "model"
    score: float
    concepts: tuple[str, ...]
    hits: tuple[Hit, ...]
    source: str


@dataclass(slots=True)
class Verdict:
    """What a message was recognised as, with every reason, for `intents explain`."""

    tokens: tuple[str, ...]
    hits: list[Hit]
    scores: dict[str, float] = field(default_factory=dict)
    reasons: dict[str, list[Reason]] = field(default_factory=dict)
    alarms: tuple[str, ...] = ()  # emergency and/or crisis, strongest first
    topics: tuple[str, ...] = ()  # best first, only those that reached the topic threshold
    opinions: list[Opinion] = field(default_factory=list)  # the learned second opinion
    learned_topic: bool = False  # the topic came from learned weights: offer it, do not go
    by_rules: tuple[str, ...] = ()  # the alarms the rules alone raised (when the decider decides)
    decided: bool = False  # the learned decider decided the alarms
    _pieces: set[str] | None = None  # the message's pieces, worked out once when asked

    def pieces(self, normal: tuple[str, ...], lexicon: Lexicon) -> set[str]:
        if self._pieces is None:
            self._pieces = pieces(normal, lexicon.common, lexicon.letters)
        return self._pieces

    @property
    def alarm(self) -> str | None:
        return self.alarms[0] if self.alarms else None

    @property
    def topic(self) -> str | None:
        return self.topics[0] if self.topics else None


class Recogniser:
    """The compiled words and rules; `read(text)` runs on every typed message."""

    def __init__(
        self,
        lexicon: Lexicon,
        intents: dict[str, Target],
        topics: dict[str, Target],
        *,
        learned: str = "second_opinion",
        threshold: float = 1.0,
        topic_threshold: float = 1.0,
        window: int = 12,
        model: Model | None = None,
    ):
        self.lexicon = lexicon
        self.intents = intents
        self.topics = topics
        self.threshold = threshold
        self.topic_threshold = topic_threshold
        self.window = window
        self.model = model
        self.learned = learned  # "decider" or "second_opinion" (regels.yaml: learned)
        self._read_by_rules = {
            name: target.concepts() for name, target in (*intents.items(), *topics.items())
        }

    def read(self, text: str, explain: bool = False) -> Verdict:
        """Recognise one message: alarms over every language at once, then topics."""
        toks = tokens(text)
        hits = self.lexicon.find(toks) if toks else []
        verdict = Verdict(toks, hits)
        if hits:
            self._apply_rules(verdict, explain)
        if self.model is not None and self.model.decider is not None:
            self._decide(verdict, explain)
        else:
            self._second_opinion(verdict, explain)
        if toks and not verdict.topics and not verdict.alarms:
            self._learned_topic(verdict, explain)
        return verdict

    def _apply_rules(self, verdict: Verdict, explain: bool) -> None:
        """Score the alarms, then (unless one fired: it is answered first) the topics."""
        words = sum(1 for t in verdict.tokens if t.isalnum())
        by_concept: dict[str, list[Hit]] = {}
        for hit in verdict.hits:
            by_concept.setdefault(hit.concept, []).append(hit)
        alarms = []
        for name, target in self.intents.items():
            score, reasons = self._score(target, by_concept, words, best_only=True)
            if reasons:
                verdict.scores[name], verdict.reasons[name] = score, reasons
            if score >= self.threshold:
                alarms.append((score, name))
        verdict.alarms = tuple(name for _, name in sorted(alarms, key=lambda s: -s[0]))
        verdict.by_rules = verdict.alarms
        if verdict.alarms and not explain:
            return
        self._score_topics(verdict, by_concept, words)

    def _score_topics(self, verdict: Verdict, by_concept: dict[str, list[Hit]], words: int) -> None:
        ranked = []
        for name, target in self.topics.items():
            score, reasons = self._score(target, by_concept, words, best_only=False)
            if reasons:
                verdict.scores[name], verdict.reasons[name] = score, reasons
            if score >= self.topic_threshold:
                ranked.append((score, name))
        verdict.topics = tuple(name for _, name in sorted(ranked, key=lambda s: -s[0]))

    def read_by_rules(self, text: str) -> Verdict:
        """The rules' verdict alone, without the learned opinion (for training it)."""
        toks = tokens(text)
        verdict = Verdict(toks, self.lexicon.find(toks) if toks else [])
        if verdict.hits:
            self._apply_rules(verdict, explain=False)
        return verdict

    def _learned_topic(self, verdict: Verdict, explain: bool) -> None:
        """No topic in the rules' words: the learned weights may still name one, which the
        bot offers first rather than going there."""
        if self.model is None:
            return
        feats = verdict.pieces(self.lexicon.normal(verdict.tokens), self.lexicon)
        opinion = self.model.topic_opinion(feats, explain)
        if opinion is not None and opinion.fires and opinion.label in self.topics:
            verdict.topics = (opinion.label,)
            verdict.learned_topic = True
            verdict.opinions.append(opinion)

    def has_a_sign(self, label: str, present: set[str]) -> bool:
        """The learned guess speaks only when some word of the intent's own rules is there
        ("naar het menu" has none): it weighs signs the rules half saw, not any text."""
        return not self._read_by_rules.get(label, frozenset()).isdisjoint(present)

    def ruled_out(self, label: str, present: set[str]) -> bool:
        """A strong exception volunteers wrote ("niet aan zelfmoord", "vorig jaar", a film)
        outweighs the learned guess."""
        target = self.intents.get(label)
        return bool(target) and not target.overrule.isdisjoint(present)

    def decider_features(self, verdict: Verdict) -> set[str]:
        """What the learned decider reads: the rules' concepts, pairs, score and strongest
        rule per alarm, and the message's word pieces."""
        best = {}
        for name in ALARM_INTENTS:
            rule = next((r for r in verdict.reasons.get(name, ()) if r.what == "rule"), None)
            if rule is not None:
                best[name] = "+".join(rule.concepts)
        scores = {name: verdict.scores.get(name, 0.0) for name in ALARM_INTENTS}
        feats = concept_features(verdict.hits, scores, best)
        feats |= verdict.pieces(self.lexicon.normal(verdict.tokens), self.lexicon)
        return feats

    def may_decide(self, label: str, present: set[str], by_rules: bool) -> bool:
        """The decider may raise an alarm only where some word of its rules is there, and not
        against a strong exception the rules did not already weigh and overcome."""
        return self.has_a_sign(label, present) and (by_rules or not self.ruled_out(label, present))

    def _decide(self, verdict: Verdict, explain: bool) -> None:
        """The learned decider decides each alarm; a rules' score at the floor always stands."""
        decider = self.model.decider
        present = {h.concept for h in verdict.hits}
        if not explain and not any(self.has_a_sign(lb, present) for lb in ALARM_INTENTS):
            return  # nothing of danger or crisis in the words: no alarm, nothing to weigh
        verdict.decided = True
        verdict.opinions = decider.opinions(self.decider_features(verdict), explain)
        kept = []
        for opinion in verdict.opinions:
            label = opinion.label
            score = verdict.scores.get(label, 0.0)
            by_rules = label in verdict.by_rules
            if score >= decider.floor or (
                opinion.fires and self.may_decide(label, present, by_rules)
            ):
                kept.append((-score, ALARM_INTENTS.index(label), label))
        verdict.alarms = tuple(label for *_, label in sorted(kept))
        if verdict.by_rules and not verdict.alarms and not verdict.topics and verdict.hits:
            # the rules' alarm was taken away: the topics were not scored yet
            by_concept: dict[str, list[Hit]] = {}
            for hit in verdict.hits:
                by_concept.setdefault(hit.concept, []).append(hit)
            words = sum(1 for t in verdict.tokens if t.isalnum())
            self._score_topics(verdict, by_concept, words)

    def _second_opinion(self, verdict: Verdict, explain: bool) -> None:
        """The learned model may add an alarm the rules missed, unless a strong exception
        applies; it never takes one away."""
        if self.model is None or not verdict.tokens:
            return
        present = {h.concept for h in verdict.hits}
        if not explain and not any(self.has_a_sign(label, present) for label in ALARM_INTENTS):
            return  # the learned guess could add nothing here: no need to ask it
        feats = verdict.pieces(self.lexicon.normal(verdict.tokens), self.lexicon)
        verdict.opinions = self.model.opinions(feats, explain)
        added = [
            o.label
            for o in verdict.opinions
            if o.fires
            and o.label not in verdict.alarms
            and self.has_a_sign(o.label, present)
            and not self.ruled_out(o.label, present)
        ]
        if added:
            verdict.alarms = (*verdict.alarms, *(a for a in ALARM_INTENTS if a in added))

    def _score(
        self, target: Target, by_concept: dict[str, list[Hit]], words: int, best_only: bool
    ) -> tuple[float, list[Reason]]:
        matched: list[Reason] = []
        for rule in target.rules:
            if rule.max_words and words > rule.max_words:
                continue
            if not rule.needs <= by_concept.keys():  # a concept of the rule is missing
                continue
            found = _together(rule, by_concept, rule.window or self.window)
            if found is None:
                continue
            weight = rule.weight
            if not best_only and len(rule.concepts) == 1:
                # a topic named in more words is more likely the topic: +half per other spot
                found = _distinct_spots(by_concept[rule.concepts[0]])
                weight *= min(MAX_TOPIC_BOOST, 1 + 0.5 * (len(found) - 1))
            matched.append(Reason("rule", weight, rule.concepts, found, rule.source))
        if not matched:
            return 0.0, []
        if best_only:
            matched = [max(matched, key=lambda r: r.score)]
        reasons = list(matched)
        present = [(c, d) for c, d in target.adjust if c in by_concept]
        if not present:
            return sum(r.score for r in reasons), reasons
        read_by: dict[int, set[str]] = {}  # word position -> the rule concepts that read it
        for c in self._read_by_rules[target.name]:
            for h in by_concept.get(c, ()):
                for i in range(h.start, h.end):
                    read_by.setdefault(i, set()).add(c)
        for concept, delta in present:
            # A mild adjustment needs a word of its own, not only words a rule already read
            # ("is 't gedaan met mij" is a threat, not a question); a strong one ("vorig jaar",
            # "zelfmoordlijn") always counts.
            used = {i for i, concepts in read_by.items() if concepts - {concept}}
            hits = by_concept.get(concept, ())
            free = [h for h in hits if delta <= -1.0 or not used.issuperset(range(h.start, h.end))]
            if free:
                reasons.append(Reason("adjust", delta, (concept,), (free[0],), ""))
        total = sum(r.score for r in reasons)
        # Mild doubts (above -1 each: a question, work, a third person) together lower a
        # score by at most SOFT_DOUBT; a strong one (last year, a film, "not in danger") fully.
        soft = sum(r.score for r in reasons if r.what == "adjust" and -1.0 < r.score < 0)
        if soft < SOFT_DOUBT:
            total += SOFT_DOUBT - soft
        return total, reasons


def _together(rule: Rule, by_concept: dict[str, list[Hit]], window: int) -> tuple[Hit, ...] | None:
    """One hit per concept of the rule, all within `window` words of each other, or None."""
    lists = []
    for concept in rule.concepts:
        found = by_concept.get(concept)
        if not found:
            return None
        lists.append(found)
    if len(lists) == 1:
        return (lists[0][0],)
    # Few hits per concept: try each hit of the rarest concept as an anchor.
    anchor_index = min(range(len(lists)), key=lambda k: len(lists[k]))
    for anchor in lists[anchor_index]:
        chosen = []
        for k, found in enumerate(lists):
            if k == anchor_index:
                chosen.append(anchor)
                continue
            near = min(found, key=lambda h: abs(h.start - anchor.start))
            chosen.append(near)
        span = max(h.end for h in chosen) - min(h.start for h in chosen)
        if span <= window and _distinct(chosen):
            return tuple(chosen)
    return None


def _distinct_spots(hits: list[Hit]) -> tuple[Hit, ...]:
    """One hit per stretch of words: overlapping hits (a stem and its phrase) count once."""
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start, -h.end)):
        if not kept or hit.start >= kept[-1].end:
            kept.append(hit)
    return tuple(kept)


def _distinct(chosen: list[Hit]) -> bool:
    """Two concepts of one rule may not be read off the very same words."""
    spots = [(h.start, h.end) for h in chosen]
    return len(set(spots)) == len(spots)
