"""The learned decider: what it reads, that it may add or take away an alarm below the floor
and never at it, that its weights survive the file, and that explain shows its part."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.definitions.bundle import DEFAULT_FLOWS_DIR
from bot.problems import DataError
from bot.recognition.decider import Decider, concept_features
from bot.recognition.evaluate import Sample
from bot.recognition.explain import explain
from bot.recognition.lexicon import Entry, Lexicon
from bot.recognition.load import MODEL_FILE, load_recogniser
from bot.recognition.ngrams import LabelModel, Model
from bot.recognition.rules import Recogniser, Rule, Target
from bot.recognition.train import train_decider

FOLDER = DEFAULT_FLOWS_DIR / "herkenning"


def small(decider: Decider | None = None) -> Recogniser:
    """Knife, threat, kitchen and 'now': a rule for a knife alone, one for knife + threat."""
    lexicon = Lexicon(
        [
            Entry("wapen", "mes"),
            Entry("dreigen", "dreigt"),
            Entry("keuken", "groenten"),
            Entry("nu", "nu"),
        ]
    )
    emergency = Target(
        "emergency",
        (Rule(("wapen", "dreigen"), 2.0), Rule(("wapen",), 1.0)),
        (("nu", 0.5),),
    )
    crisis = Target("crisis", (Rule(("dreigen",), 0.2),))
    model = Model({}, decider=decider) if decider else None
    return Recogniser(lexicon, {"emergency": emergency, "crisis": crisis}, {}, model=model)


def test_the_decider_reads_concepts_close_pairs_score_steps_and_the_strongest_rule() -> None:
    recogniser = small()
    verdict = recogniser.read("ze dreigt nu met een mes")
    feats = recogniser.decider_features(verdict)
    assert {"k:wapen", "k:dreigen", "k:nu", "p:dreigen+wapen", "p:nu+wapen"} <= feats
    assert {"s:emergency>=2", "s:emergency>=1.5", "r:emergency:wapen+dreigen"} <= feats
    assert "w:mes" in feats and "c:<mes" in feats  # the word pieces too
    far = recogniser.read("ze dreigt " + "bla " * 8 + "mes")
    assert "p:dreigen+wapen" not in recogniser.decider_features(far)  # too far apart
    assert concept_features([], {"emergency": -0.5}, {}) == {"s:emergency<0"}


def test_below_the_floor_the_decider_decides_at_the_floor_the_rules_stand() -> None:
    against_kitchen = LabelModel(2.0, 0.5, {"k:keuken": -5.0})
    decider = Decider({"emergency": against_kitchen, "crisis": LabelModel(-5.0, 0.5, {})}, 2.0)
    recogniser = small(decider)
    assert small().read("ik snijd groenten met een mes").alarms == ("emergency",)  # rules alone
    kitchen = recogniser.read("ik snijd groenten met een mes")
    assert kitchen.by_rules == ("emergency",) and kitchen.alarms == ()  # taken away
    threat = recogniser.read("hij dreigt met een mes en snijdt groenten")  # score 2: the floor
    assert threat.alarms == ("emergency",)
    # it adds an alarm where the rules' words are but their score is short ...
    assert recogniser.read("ze dreigt").alarms == ("emergency",)
    # ... and never where no word of the alarm's rules is
    assert recogniser.read("mooi weer vandaag").alarms == ()


def test_training_learns_that_a_kitchen_knife_is_no_danger_and_the_file_keeps_it() -> None:
    recogniser = small()
    samples = []
    for k in range(6):
        source = f"file{k}.yaml"
        samples += [
            Sample(f"ze heeft een mes {k}", "nl", "danger", source=source),
            Sample(f"hij dreigt met een mes {k}", "nl", "danger", source=source),
            Sample(f"ik snijd groenten met een mes {k}", "nl", "benign", source=source),
            Sample(f"mes en groenten in de keuken {k}", "nl", "benign", source=source),
            Sample(f"we eten samen {k}", "nl", "benign", source=source),
        ]
    decider = train_decider(recogniser, samples)
    again = Model.from_data(json.loads(json.dumps(Model({}, decider=decider).to_data())))
    assert again.decider is not None and again.decider.floor == decider.floor
    for trained in (decider, again.decider):
        recogniser.model = Model({}, decider=trained)
        assert recogniser.read("ze heeft een mes").alarms == ("emergency",)
        assert recogniser.read("ik snijd groenten met een mes").alarms == ()
        assert trained.labels["emergency"].weights["k:keuken"] < 0


def test_explain_shows_what_the_decider_weighed_and_what_it_decided() -> None:
    against_kitchen = LabelModel(2.0, 0.5, {"k:keuken": -5.0, "k:wapen": 0.5})
    decider = Decider({"emergency": against_kitchen, "crisis": LabelModel(-5.0, 0.5, {})}, 2.0)
    recogniser = small(decider)
    text = explain(recogniser, recogniser.read("ik snijd groenten met een mes", explain=True))
    assert "rules alone: emergency" in text
    assert (
        "learned decider emergency: 0.08 (needs 0.50): does not fire (takes the rules' alarm away)"
        in text
    )
    assert "weighed most: concept wapen +0.50, concept keuken -5.00" in text
    assert text.splitlines()[-1] == "answered as: nothing"
    floor = explain(recogniser, recogniser.read("hij dreigt met een mes", explain=True))
    assert "the rules' score 2 reaches the floor 2: stands" in floor


def _folder(tmp_path: Path, learned: str, model: Model) -> Path:
    for path in FOLDER.glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text("utf-8"), "utf-8")
    rules = (FOLDER / "regels.yaml").read_text("utf-8")
    rules = re.sub(r"(?m)^learned: .*$", f"learned: {learned}", rules)
    (tmp_path / "regels.yaml").write_text(rules, "utf-8")
    (tmp_path / MODEL_FILE).write_text(json.dumps(model.to_data()), "utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("learned", "model"),
    [("decider", Model({})), ("second_opinion", Model({}, decider=Decider({}, 2.0)))],
)
def test_weights_for_the_other_way_are_named_plainly(
    tmp_path: Path, learned: str, model: Model
) -> None:
    with pytest.raises(DataError) as info:
        load_recogniser(_folder(tmp_path, learned, model))
    assert [str(p) for p in info.value.problems] == [
        f"{tmp_path}/model.json:1: error: the learned weights are not for 'learned: {learned}' "
        "in regels.yaml; make them again with: firstcontact intents train"
    ]


def test_an_unknown_way_of_learning_is_named_with_a_guess(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        load_recogniser(_folder(tmp_path, "decidr", Model({})))
    [problem] = info.value.problems
    assert str(problem).startswith(f"{tmp_path}/regels.yaml:")
    assert str(problem).endswith(
        "error: 'learned' must be one of decider, second_opinion (did you mean 'decider'?)"
    )


def test_the_shipped_rules_name_how_the_learned_weights_take_part() -> None:
    rules = (FOLDER / "regels.yaml").read_text("utf-8")
    assert re.search(r"(?m)^learned: (decider|second_opinion)$", rules)
    shipped = load_recogniser(FOLDER)
    assert shipped.model is not None
    assert (shipped.learned == "decider") == (shipped.model.decider is not None)
