"""Word forms -> concepts, found in a message despite inflection, typos and words in between.

An entry is a word (`mes`), a stem (`wurg*`: wurgt, wurgde, wurgen), an ending (`*mes`:
keukenmes), a piece inside a word (`*9tl*`: y9tlni, n9tlk, for Latin-script Arabic, where
person and tense letters come before and after the root) or several of those in order with a
few other words allowed between them (`sluit* op`: "sluit me op", "ze sluit mij gewoon op").
A language may list prefixes written onto a word (Arabic "و" and, "ب" with, "ال" the, "س"
will, "ي" he): a typed word is also read without them, so the stem `قتل*` finds "سيقتلني" and
"وبيقتلني". Words and stems of six letters or more also match with one typo (a letter
missing, extra, wrong or two swapped; a word's first and a stem's last letter must be right),
unless the typed word is a common word of some language (`common`).
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_FUZZY = 6  # shorter words are too easily another word with one letter changed
MIN_FUZZY_STEM = 6  # a stem's last letter must be typed right, which guards short stems
GAP = 3  # other words allowed between the parts of a multi-word entry


@dataclass(frozen=True, slots=True)
class Entry:
    """One way of writing a concept, as a volunteer typed it, with where he typed it."""

    concept: str
    form: str
    source: str = ""  # "flows/herkenning/nl.yaml:40"


@dataclass(frozen=True, slots=True)
class Hit:
    """A concept found at tokens[start:end], how, and by which entry."""

    concept: str
    start: int
    end: int
    typed: str
    entry: Entry
    how: str  # word, stem, ending, typo, phrase


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def within_one_typo(a: str, b: str) -> bool:
    """Optimal string alignment distance <= 1: one letter missing, extra, wrong or swapped."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    if la > lb:
        a, b = b, a
    return any(b[:i] + b[i + 1 :] == a for i in range(len(b)))


class _Part:
    """One word of an entry: exact, stem (prefix*), ending (*suffix) or piece (*inside*)."""

    __slots__ = ("kind", "text")

    def __init__(self, raw: str):
        if len(raw) > 2 and raw.startswith("*") and raw.endswith("*"):
            self.kind, self.text = "piece", raw[1:-1]
        elif len(raw) > 1 and raw.endswith("*"):
            self.kind, self.text = "stem", raw[:-1]
        elif len(raw) > 1 and raw.startswith("*"):
            self.kind, self.text = "ending", raw[1:]
        else:
            self.kind, self.text = "word", raw

    def matches(self, token: str) -> bool:
        if self.kind == "stem":
            return token.startswith(self.text)
        if self.kind == "ending":
            return token.endswith(self.text) and len(token) > len(self.text)
        if self.kind == "piece":
            return self.text in token
        return token == self.text


_Phrase = tuple[Entry, tuple[_Part, ...], frozenset[str]]


class Lexicon:
    """Every entry of every language, indexed so a message is read in one pass."""

    def __init__(
        self,
        entries: list[Entry],
        common: set[str] = frozenset(),
        spelling: dict[str, str] | None = None,
        prefixes: set[str] = frozenset(),
    ):
        self.entries = entries
        # longest first; a word keeps at least two letters of its own
        self.prefixes = tuple(sorted(set(prefixes), key=lambda p: (-len(p), p)))
        self._prefix_starts = frozenset(p[0] for p in self.prefixes)
        self.common = frozenset(common)
        # informal spellings read as the standard word, in entries and messages alike
        self.spelling = dict(spelling or {})
        self._known: dict[str, list[tuple[Entry, str]]] = {}  # common word -> its entries
        self.letters: dict[str, tuple[str, ...]] = {}  # common word -> its letter pieces
        self._words: dict[str, list[Entry]] = {}
        self._stems: dict[str, list[Entry]] = {}
        self._endings: dict[str, list[Entry]] = {}
        self._pieces: dict[str, list[Entry]] = {}
        # first word -> a plain word it also needs (or "") -> (entry, parts, every plain word
        # it needs somewhere in the text): a common first word ("me") is only followed up
        # for the phrases whose other words the message has
        self._phrases: dict[str, dict[str, list[_Phrase]]] = {}
        # phrases whose first word is a stem, by the stem's first three letters; then the rest
        self._phrase_stems: dict[str, list[_Phrase]] = {}
        # phrases whose first word is an ending, by its last three letters; the few whose first
        # word is a piece (or a short stem) are tried at every word
        self._phrase_endings: dict[str, list[_Phrase]] = {}
        self._phrase_others: list[_Phrase] = []
        self._fuzzy_words: dict[str, set[str]] = {}  # deletion variant -> words
        self._fuzzy_stems: dict[str, set[str]] = {}  # deletion variant -> stems
        for entry in entries:
            self._add(entry)
        self._piece_heads: dict[str, list[str]] = {}
        for piece in self._pieces:
            self._piece_heads.setdefault(piece[:3], []).append(piece)
        self._stem_lengths = sorted({len(s) for s in self._stems})
        self._ending_lengths = sorted({len(s) for s in self._endings})

    def _add(self, entry: Entry) -> None:
        parts = tuple(_Part(self.spelling.get(p, p)) for p in entry.form.split())
        if len(parts) > 1:
            phrase = (entry, parts, frozenset(p.text for p in parts if p.kind == "word"))
            if parts[0].kind == "word":
                key = next((p.text for p in parts[1:] if p.kind == "word"), "")
                by_next = self._phrases.setdefault(parts[0].text, {})
                by_next.setdefault(key, []).append(phrase)
            elif parts[0].kind == "stem" and len(parts[0].text) >= 3:
                self._phrase_stems.setdefault(parts[0].text[:3], []).append(phrase)
            elif parts[0].kind == "ending" and len(parts[0].text) >= 3:
                self._phrase_endings.setdefault(parts[0].text[-3:], []).append(phrase)
            else:
                self._phrase_others.append(phrase)
            return
        part = parts[0]
        index = {
            "word": self._words,
            "stem": self._stems,
            "ending": self._endings,
            "piece": self._pieces,
        }[part.kind]
        index.setdefault(part.text, []).append(entry)
        shortest = MIN_FUZZY if part.kind == "word" else MIN_FUZZY_STEM
        if part.kind in ("word", "stem") and len(part.text) >= shortest and part.text.isalpha():
            fuzzy = self._fuzzy_words if part.kind == "word" else self._fuzzy_stems
            for variant in {part.text} | _deletions(part.text):
                fuzzy.setdefault(variant, set()).add(part.text)

    def normal(self, toks: tuple[str, ...]) -> tuple[str, ...]:
        """The tokens with informal spellings read as the standard word."""
        return tuple(self.spelling.get(t, t) for t in toks) if self.spelling else toks

    def find(self, toks: tuple[str, ...]) -> list[Hit]:
        """Every concept in the message, each entry at most once per position."""
        hits: list[Hit] = []
        toks = self.normal(toks)
        present = set(toks)
        known = self._known
        for i, tok in enumerate(toks):
            found = known.get(tok)
            if found is None:
                found = self._single(tok)
                if tok in self.common:
                    # a real word's entries never change: look them up once (only words of
                    # the languages' own lists are kept, never what someone typed otherwise)
                    known[tok] = found
                elif not found and len(tok) >= MIN_FUZZY_STEM and tok.isalpha():
                    found = self._typo(tok)
            for entry, how in found:
                hits.append(Hit(entry.concept, i, i + 1, tok, entry, how))
            by_next = self._phrases.get(tok)
            if by_next:
                for key in (present & by_next.keys()) | ({""} & by_next.keys()):
                    for entry, parts, needed in by_next[key]:
                        if not needed <= present:  # a cheap first test
                            continue
                        end = _follow(toks, i, parts)
                        if end:
                            typed = " ".join(toks[i:end])
                            hits.append(Hit(entry.concept, i, end, typed, entry, "phrase"))
            stem_phrases = self._phrase_stems.get(tok[:3], ())
            ending_phrases = self._phrase_endings.get(tok[-3:])
            if ending_phrases or self._phrase_others:
                stem_phrases = (*stem_phrases, *(ending_phrases or ()), *self._phrase_others)
            for entry, parts, needed in stem_phrases:
                if needed <= present and parts[0].matches(tok):
                    end = _follow(toks, i, parts)
                    if end:
                        typed = " ".join(toks[i:end])
                        hits.append(Hit(entry.concept, i, end, typed, entry, "phrase"))
        return hits

    def _single(self, tok: str) -> list[tuple[Entry, str]]:
        found = self._plain(tok)
        if tok[0] in self._prefix_starts:
            seen = {id(e) for e, _ in found}
            for rest in self._without_prefixes(tok):
                for entry, how in self._plain(rest):
                    if id(entry) not in seen:
                        seen.add(id(entry))
                        found.append((entry, "prefix " + how))
        return found

    def _without_prefixes(self, tok: str, depth: int = 3) -> set[str]:
        """The word with one, two or three prefixes taken off: "وبيقتلني" -> "بيقتلني",
        "يقتلني", "قتلني" (each keeps at least two letters)."""
        out: set[str] = set()
        for prefix in self.prefixes:
            if tok.startswith(prefix) and len(tok) - len(prefix) >= 2:
                rest = tok[len(prefix) :]
                out.add(rest)
                if depth > 1 and rest[0] in self._prefix_starts:
                    out |= self._without_prefixes(rest, depth - 1)
        return out

    def _plain(self, tok: str) -> list[tuple[Entry, str]]:
        found = [(e, "word") for e in self._words.get(tok, ())]
        for length in self._stem_lengths:
            if length > len(tok):
                break
            found += [(e, "stem") for e in self._stems.get(tok[:length], ())]
        for length in self._ending_lengths:
            if length >= len(tok):
                break
            found += [(e, "ending") for e in self._endings.get(tok[-length:], ())]
        if self._pieces:
            # a piece is looked up by its first three letters at each place in the word
            seen: set[str] = set()
            for i in range(len(tok) - 2):
                for piece in self._piece_heads.get(tok[i : i + 3], ()):
                    if piece not in seen and tok.startswith(piece, i):
                        seen.add(piece)
                        found += [(e, "piece") for e in self._pieces[piece]]
        return found

    def _typo(self, tok: str) -> list[tuple[Entry, str]]:
        found: list[tuple[Entry, str]] = []
        variants = {tok} | _deletions(tok) if len(tok) >= MIN_FUZZY else set()
        words = {w for v in variants for w in self._fuzzy_words.get(v, ())}
        for word in words:
            if word[0] == tok[0] and within_one_typo(tok, word):
                found += [(e, "typo") for e in self._words[word]]
        if self._fuzzy_stems:
            stems: set[str] = set()
            for cut in range(MIN_FUZZY_STEM, len(tok) + 1):
                head = tok[:cut]
                for v in {head} | _deletions(head):
                    stems.update(self._fuzzy_stems.get(v, ()))
            for stem in stems:
                # The stem's last letter must be typed right: 'schoo...' is not 'schop*'.
                heads = (tok[: len(stem)], tok[: len(stem) + 1])
                if any(h[-1] == stem[-1] and within_one_typo(h, stem) for h in heads):
                    found += [(e, "typo") for e in self._stems[stem]]
        return found


def _follow(toks: tuple[str, ...], i: int, parts: tuple[_Part, ...]) -> int:
    """End index if parts[1:] follow toks[i] in order with at most GAP words between each."""
    pos = i
    for part in parts[1:]:
        for j in range(pos + 1, min(pos + 2 + GAP, len(toks))):
            if part.matches(toks[j]):
                pos = j
                break
        else:
            return 0
    return pos + 1
