"""The learned second opinion: its pieces, training, the weights file, and that the shipped
weights were learned from the tuning examples as they are now."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.definitions.bundle import DEFAULT_FLOWS_DIR
from bot.problems import DataError
from bot.recognition.evaluate import read_corpus
from bot.recognition.load import MODEL_FILE, load_recogniser
from bot.recognition.ngrams import Model, pieces
from bot.recognition.text import tokens
from bot.recognition.train import corpus_fingerprint, train

CORPUS = Path(__file__).parent / "corpus"
FOLDER = DEFAULT_FLOWS_DIR / "herkenning"


def test_pieces_are_words_pairs_and_letters() -> None:
    got = pieces(("ze", "wurgt", "?"))
    assert {"w:ze", "w:wurgt", "b:ze_wurgt", "c:<ze>", "c:<wur", "c:wurg", "c:rgt>"} <= got
    assert "c:<wu" not in got  # four letters only
    assert not any("?" in p for p in got)
    assert pieces(()) == set()


def test_training_separates_and_the_weights_survive_a_round_trip() -> None:
    danger = ["ze heeft een mes", "hij heeft een mes", "ze pakt een mes", "mes in de hand"]
    calm = ["ik kook vanavond", "we eten samen", "de zon schijnt", "mooi weer vandaag"]
    examples = [(tokens(t), {"emergency"}) for t in danger] * 5
    examples += [(tokens(t), set()) for t in calm] * 5
    model = train(examples, trained_on="x")
    again = Model.from_data(json.loads(json.dumps(model.to_data())))
    for m in (model, again):
        [emergency, crisis] = m.opinions(pieces(tokens("zij heeft een mes")))
        [calm_one, _] = m.opinions(pieces(tokens("we koken samen")))
        assert emergency.probability > 0.5 > calm_one.probability
        assert crisis.probability < 0.5  # never seen: stays low
    assert again.trained_on == "x"


def test_a_broken_weights_file_is_named_plainly(tmp_path: Path) -> None:
    for name in ("regels.yaml", "nl.yaml", "en.yaml", "fr.yaml"):
        (tmp_path / name).write_text((FOLDER / name).read_text("utf-8"), "utf-8")
    (tmp_path / MODEL_FILE).write_text('{"labels": {"emergency": {"bias": "x"}}}', "utf-8")
    with pytest.raises(DataError) as info:
        load_recogniser(tmp_path)
    assert [str(p) for p in info.value.problems] == [
        f"{tmp_path}/model.json:1: error: the learned weights are damaged; make them again "
        "with: firstcontact intents train"
    ]


def test_the_shipped_weights_were_learned_from_todays_tuning_examples() -> None:
    samples = read_corpus(CORPUS, "tune")
    stamp = corpus_fingerprint(samples)
    shipped = json.loads((FOLDER / MODEL_FILE).read_text("utf-8"))["trained_on"]
    assert shipped == stamp, "the tuning examples changed: run 'firstcontact intents train'"


def test_the_model_adds_alarms_but_never_removes_one(runtime) -> None:
    recogniser = runtime.engine.intents.recogniser
    assert recogniser.model is not None
    verdict = recogniser.read("ze heeft me net gewurgd", explain=True)
    assert "emergency" in verdict.alarms and verdict.opinions
    saved, recogniser.model = recogniser.model, None
    try:
        without = recogniser.read("ze heeft me net gewurgd")
    finally:
        recogniser.model = saved
    assert set(without.alarms) <= set(verdict.alarms)
