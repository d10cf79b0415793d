"""The recogniser on its own: tokens, word forms, rules, explanations and broken data files."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.definitions.bundle import DEFAULT_FLOWS_DIR
from bot.problems import DataError
from bot.recognition.explain import explain
from bot.recognition.lexicon import Entry, Lexicon, within_one_typo
from bot.recognition.load import load_recogniser
from bot.recognition.rules import Recogniser, Rule, Target
from bot.recognition.text import tokens

SHIPPED = load_recogniser(DEFAULT_FLOWS_DIR / "herkenning")


def small(rules: list[Rule], entries: list[tuple[str, str]], adjust=()) -> Recogniser:
    lexicon = Lexicon([Entry(c, f) for c, f in entries], {"morgen"})
    return Recogniser(lexicon, {"emergency": Target("emergency", tuple(rules), adjust)}, {})


def test_tokens_fold_case_accents_repeats_and_keep_emoji_and_questions() -> None:
    assert tokens("HELPPP!!! Ze ÉTRANGLE me 🔪 ok?") == (
        "help",
        "ze",
        "etrangle",
        "me",
        "🔪",
        "ok",
        "?",
    )
    assert tokens("'k zit in 't kot") == ("k", "zit", "in", "t", "kot")
    assert tokens("x" * 10_000) == ("x",)
    assert tokens("m'n vrouw, z’n kat, d'r auto, d'n l'arme") == (
        "mijn",
        "vrouw",
        "zijn",
        "kat",
        "haar",
        "auto",
        "d",
        "n",
        "l",
        "arme",
    )


@pytest.mark.parametrize(
    ("typed", "word", "ok"),
    [
        ("wurgen", "wurgen", True),
        ("wrugen", "wurgen", True),  # two letters swapped
        ("wurgn", "wurgen", True),  # one missing
        ("wurrgen", "wurgen", True),  # one extra
        ("wurken", "wurgen", True),  # one wrong
        ("wrukgen", "wurgen", False),
        ("abc", "abcdef", False),
    ],
)
def test_one_typo(typed: str, word: str, ok: bool) -> None:
    assert within_one_typo(typed, word) is ok


def test_stems_endings_phrases_with_words_between_and_typos() -> None:
    lexicon = Lexicon(
        [
            Entry("wurgen", "wurg*"),
            Entry("wurgen", "verwurg*"),
            Entry("wapen", "*mes"),
            Entry("opgesloten", "sluit* op"),
            Entry("doden", "vermoorden"),
        ],
        {"morgen"},
    )

    def found(text: str) -> list[tuple[str, str]]:
        return [(h.concept, h.how) for h in lexicon.find(tokens(text))]

    assert found("ze wurgde me") == [("wurgen", "stem")]
    assert found("een keukenmes") == [("wapen", "ending")]
    assert found("ze sluit mij gewoon op") == [("opgesloten", "phrase")]
    assert found("ze sluit mij al de hele dag niet op") == []  # more than 3 words between
    assert found("ze wil me vermoordn") == [("doden", "typo")]
    assert found("verwrugde") == [("wurgen", "typo")]
    assert found("wrugde") == []  # a stem's typo needs a stem of five letters
    assert found("verwurk") == []  # ... and its last letter typed right
    assert found("mes") == []  # an ending needs something before it


def test_rules_need_their_concepts_close_together_and_adjustments_count() -> None:
    recogniser = small(
        [Rule(("wapen", "dreigen"), 1.5, window=4), Rule(("wapen",), 0.6)],
        [("wapen", "mes"), ("dreigen", "dreigt"), ("verleden", "vorig jaar"), ("nu", "nu")],
        adjust=(("verleden", -1.0), ("nu", 0.5)),
    )
    assert recogniser.read("ze dreigt met een mes").alarms == ("emergency",)
    far = "ze dreigt en dan een heel lang verhaal over een mes"
    assert recogniser.read(far).alarms == ()  # too far apart: only [wapen] 0.6
    assert recogniser.read("een mes nu").alarms == ("emergency",)  # 0.6 + 0.5
    assert recogniser.read("vorig jaar dreigde ze met een mes").alarms == ()
    assert recogniser.read("ze dreigt met een mes").scores["emergency"] == 1.5


def test_max_words_keeps_a_cry_for_help_short() -> None:
    recogniser = small([Rule(("hulp",), 1.0, max_words=4)], [("hulp", "help")])
    assert recogniser.read("HELP!!!").alarms == ("emergency",)
    assert recogniser.read("help me nu 🙏").alarms == ("emergency",)
    assert recogniser.read("ik zoek help voor mijn administratie").alarms == ()


def test_explain_names_the_words_the_entries_and_the_rules() -> None:
    text = explain(SHIPPED, SHIPPED.read("ze heeft me net gewurgd"))
    assert "wurgen" in text and "'gewurgd'" in text and "FIRES" in text
    assert "regels.yaml:" in text and "nl.yaml:" in text
    assert text.splitlines()[-1] == "answered as: emergency"
    quiet = explain(SHIPPED, SHIPPED.read("ik snijd groenten met een mes"))
    assert quiet.splitlines()[-1] == "answered as: nothing"


@pytest.mark.parametrize(
    ("text", "alarm"),
    [
        ("ze staat nu voor de deur met een mes, ik ben bang", "emergency"),
        ("ze heeft me net gewurgd", "emergency"),
        ("ik zit in de wc en ze trapt de deur in", "emergency"),
        ("help ze komt binnen", "emergency"),
        ("HELP!!!", "emergency"),
        ("ze wurgt mij", "emergency"),
        ("hij wurgde me gisteravond weer", "emergency"),
        ("ZE HEEFT NEN MES", "emergency"),
        ("ik zie het niet meer zitten, ik wil er niet meer zijn", "crisis"),
        ("ik kan niet meer", "crisis"),
        ("wil dood", "crisis"),
        ("zelfmoord", "crisis"),
    ],
)
def test_the_wording_from_the_issue_is_recognised(text: str, alarm: str) -> None:
    assert alarm in SHIPPED.read(text).alarms, explain(SHIPPED, SHIPPED.read(text))


@pytest.mark.parametrize(
    "text",
    [
        "ik snijd groenten met een mes",
        "ze dreigt met scheiden",
        "de deur staat open",
        "ik ben bang dat niemand me gelooft",
        "vorig jaar heeft ze me geslagen",
        "ik kan niet meer slapen",
        "mijn baas vermoordt me als ik te laat ben",
    ],
)
def test_near_misses_from_the_issue_stay_quiet(text: str) -> None:
    assert SHIPPED.read(text).alarms == (), explain(SHIPPED, SHIPPED.read(text))


# ---- broken data: whole messages pinned, as a volunteer reads them ----------------------------


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


GOOD_RULES = "emergency:\n  rules:\n    - [wapen]\ncrisis:\n  rules:\n    - [dood]\n"
GOOD_WORDS = "language: nl\nwords:\n  wapen: [mes]\n  dood: [wil dood]\n"


def problems(folder: Path) -> list[str]:
    with pytest.raises(DataError) as info:
        load_recogniser(folder)
    return [str(p) for p in info.value.problems]


def test_a_rule_with_an_unknown_concept_names_file_line_and_a_guess(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "h", {"regels.yaml": GOOD_RULES + "    - [wapne]\n", "nl.yaml": GOOD_WORDS}
    )
    assert problems(folder) == [
        f"{folder}/regels.yaml:7: error: a rule of 'crisis' uses 'wapne', which no words file "
        "has (did you mean 'wapen'?)"
    ]


def test_bad_fields_weights_and_words_are_each_named(tmp_path: Path) -> None:
    rules = (
        "threshold: nul\nemergency:\n  rules:\n    - {all: [wapen], weight: hoog}\n"
        "  adjsut: {}\ncrisis:\n  rules:\n    - [dood]\n"
    )
    words = 'language: nl\nwords:\n  wapen: mes\n  dood: [wil dood, "*a"]\n'
    folder = write(tmp_path / "h", {"regels.yaml": rules, "nl.yaml": words})
    assert problems(folder) == [
        f"{folder}/nl.yaml:3: error: 'wapen' must be a list of words, like [mes, messen]",
        f"{folder}/nl.yaml:4: error: '*a' in 'dood': a word with * needs at least three letters",
        f"{folder}/regels.yaml:5: error: 'emergency' has a field 'adjsut' the bot does not know "
        "(did you mean 'adjust'?)",
        f"{folder}/regels.yaml:4: error: a rule of 'emergency' uses 'wapen', which no words "
        "file has",
        f"{folder}/regels.yaml:4: error: the weight of a rule of 'emergency' must be a number",
        f"{folder}/regels.yaml:1: error: 'threshold' must be a number above 0",
    ]


def test_missing_rules_file_and_broken_yaml(tmp_path: Path) -> None:
    folder = write(tmp_path / "h", {"nl.yaml": GOOD_WORDS})
    assert problems(folder) == [f"{folder}/regels.yaml:1: error: the rules file is missing"]
    write(folder, {"regels.yaml": GOOD_RULES, "fr.yaml": "words: [unclosed\n"})
    [message] = problems(folder)
    assert message == (
        f"{folder}/fr.yaml:1: error: a list that opens with [ here is not closed with ] (or a "
        "comma is missing between its items)"
    )


def test_any_text_is_read_without_an_error() -> None:
    """Odd input never crashes the reader: apostrophes, controls, emoji, other scripts."""
    import random

    alphabet = "ab dn'’`mzr?!.,\u0000\u202e\u200b🔪😭🆘éßÆ中ع\n\t" + "x" * 5
    rng = random.Random(8)
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        verdict = SHIPPED.read(text)
        assert set(verdict.alarms) <= {"emergency", "crisis"}


def test_a_topic_must_lead_to_a_step_that_its_button_offers(tmp_path: Path) -> None:
    import shutil

    from bot.definitions.bundle import check_all

    flows = tmp_path / "flows"
    shutil.copytree(DEFAULT_FLOWS_DIR, flows)
    rules = flows / "herkenning" / "regels.yaml"
    text = rules.read_text("utf-8")
    text = text.replace("goto: opties:geld", "goto: opties:gelt")
    text = text.replace("goto: opties:werk", "goto: opties:werk_nl")
    rules.write_text(text, "utf-8")
    _, _, found = check_all(flows)
    geld = next(i for i, line in enumerate(text.splitlines(), 1) if "goto: opties:gelt" in line)
    werk = next(i for i, line in enumerate(text.splitlines(), 1) if "opties:werk_nl" in line)
    assert [str(p) for p in found if "topic" in p.message] == [
        f"{rules}:{geld + 2}: error: topic 'geld' leads to 'opties:gelt', a step no flow has",
        f"{rules}:{werk + 2}: error: topic 'werk' leads to 'opties:werk_nl', but no button "
        "in system.yaml 'onderwerpen' offers it",
    ]


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        # Turkish: dotted capital İ, dotless ı and the other letters, with or without them
        ("İMDAT! BOĞAZIMI sıkıyor", ("imdat", "bogazimi", "sikiyor")),
        ("bogazimi sikiyo", ("bogazimi", "sikiyo")),
        ("KIZIM ÇOCUK ŞİŞE ÖLDÜRECEK", ("kizim", "cocuk", "sise", "oldurecek")),
        # Polish: ą ę ó ś ź ż ć ń and ł, typed or left off
        ("Żona ŁYKNĘŁA nóż, dźgnęła", ("zona", "lyknela", "noz", "dzgnela")),
        ("zona ma noz", ("zona", "ma", "noz")),
        # Arabic: vowel marks, tatweel, hamza on alef, ta marbuta, alef maksura, digits, "؟"
        ("زَوْجَتِي ماسكة سكّينة؟", ("زوجتي", "ماسكه", "سكينه", "?")),
        ("قـــتل أُمّي إلى ٣ مرات", ("قتل", "امي", "الي", "3", "مرات")),
        ("ساعدوووني ههههه", ("ساعدوني", "ه")),
        ("ﻻ", ("لا",)),  # a presentation form is its letters
        # Latin-script Arabic keeps its digits inside the word (3 = ع, 7 = ح, 9 = ق)
        ("mrati ghadi t9tlni 3afak", ("mrati", "ghadi", "t9tlni", "3afak")),
    ],
)
def test_tokens_fold_turkish_polish_and_arabic_script(typed: str, words: tuple[str, ...]) -> None:
    assert tokens(typed) == words


def test_prefixes_are_read_off_a_word_and_pieces_are_found_inside_one() -> None:
    lexicon = Lexicon(
        [
            Entry("doden", "قتل*"),
            Entry("wapen", "سكين*"),
            Entry("gewond", "دم"),
            Entry("doden", "*9tl*"),
        ],
        prefixes={"و", "ب", "ي", "ال", "س", "ه"},
    )

    def found(text: str) -> list[tuple[str, str]]:
        return [(h.concept, h.how) for h in lexicon.find(tokens(text))]

    assert found("قتلني") == [("doden", "stem")]
    assert found("سيقتلني") == [("doden", "prefix stem")]  # will + he + kill + me
    assert found("وبيقتلني") == [("doden", "prefix stem")]  # and + is + he + kill + me
    assert found("هيقتلني") == [("doden", "prefix stem")]
    assert found("بالسكين") == [("wapen", "prefix stem")]  # with + the + knife
    assert found("بالدم") == [("gewond", "prefix word")]
    assert found("باب") == []  # a prefix leaves at least two letters, and a word is no stem
    assert found("ghadi y9tlni") == [("doden", "piece")]
    assert found("atlas 9 tl") == []


def test_prefixes_in_latin_letters_are_refused(tmp_path: Path) -> None:
    words = "language: ar\nprefixes: [و, b, ال]\nwords:\n  wapen: [سكين]\n  dood: [wil dood]\n"
    folder = write(tmp_path / "h", {"regels.yaml": GOOD_RULES, "ar.yaml": words})
    assert problems(folder) == [
        f"{folder}/ar.yaml:2: error: prefix 'b' is in Latin letters, which every other "
        "language shares; write the whole words (or stems) instead"
    ]
    write(folder, {"ar.yaml": "language: ar\nprefixes: و\nwords:\n  wapen: [سكين]\n"})
    assert f"{folder}/ar.yaml:2: error: 'prefixes' must be a list, like [و, ب]" in problems(folder)


@pytest.mark.parametrize(
    ("text", "alarm"),
    [
        ("karım elinde bıçakla kapıda", "emergency"),
        ("beni boğmaya çalıştı", "emergency"),
        ("seni öldürücem diye bağırıyor", "emergency"),
        ("intihar etmek istiyorum", "crisis"),
        ("مراتي معاها سكينة", "emergency"),
        ("خنقتني", "emergency"),
        ("wallah ghadi t9tlni", "emergency"),
        ("بدي انتحر", "crisis"),
        ("żona ma nóż i grozi", "emergency"),
        ("dusi mnie", "emergency"),
        ("chcę się zabić", "crisis"),
        ("elle m a enfermé dans le kot", "emergency"),
        ("j ai ramassé des coups elle recommence", "emergency"),
    ],
)
def test_danger_and_crisis_in_the_added_languages(text: str, alarm: str) -> None:
    assert alarm in SHIPPED.read(text).alarms, explain(SHIPPED, SHIPPED.read(text, explain=True))


@pytest.mark.parametrize(
    "text",
    [
        "gülmekten ölüyorum",
        "patron beni öldürecek",
        "ekmek bıçağı nerede",
        "متت من الضحك",
        "بقص اللحمة بالسكينة",
        "انا مخنوق من الشغل",
        "szef mnie zabije",
        "kroję mięso nożem",
        "duszę mięso z cebulą",
        "mon patron va me tuer",
    ],
)
def test_idioms_and_kitchen_knives_in_the_added_languages_stay_quiet(text: str) -> None:
    assert SHIPPED.read(text).alarms == (), explain(SHIPPED, SHIPPED.read(text, explain=True))


def test_no_added_word_reads_as_an_ordinary_dutch_english_or_french_word() -> None:
    """Every language is read at once: a Turkish, Arabic or Polish entry must not match an
    everyday word of the first languages ("kan" is Dutch, "is" English, "et" French)."""
    import wordfreq

    added = {"tr.yaml", "ar.yaml", "pl.yaml"}
    clashes = []
    for language in ("nl", "en", "fr"):
        for word in wordfreq.top_n_list(language, 3000):
            toks = tokens(word)
            if len(toks) != 1:
                continue
            hits = SHIPPED.lexicon.find(toks)
            own = {h.concept for h in hits if _file(h) not in added}  # "film" is fiction in nl too
            for hit in hits:
                if _file(hit) in added and hit.concept not in own:
                    clashes.append(f"{language} '{word}' = {hit.entry.form} {hit.entry.source}")
    assert not clashes


def _file(hit) -> str:
    return Path(hit.entry.source.rsplit(":", 1)[0]).name
