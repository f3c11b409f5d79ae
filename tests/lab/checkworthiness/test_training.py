import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from lab.checkworthiness import classifier as network
from lab.checkworthiness.evaluation import LabelledSentence
from lab.checkworthiness.training import TrainingConfig, prune_noisy, split_dev, train_checkworthiness


def _sentence(text: str, label: int, official_split: str | None = None) -> LabelledSentence:
    return LabelledSentence(text=text, label=label, fine_label=None, official_split=official_split)


def test_it_selects_on_one_official_release_and_trains_on_the_rest_of_dev() -> None:
    dev = [_sentence("a", 1, "dev"), _sentence("b", 0, "dev-test"), _sentence("c", 1, "train")]
    trained_on, selection = split_dev(dev, selection_split="dev-test")
    assert [sentence.text for sentence in selection] == ["b"]
    assert [sentence.text for sentence in trained_on] == ["a", "c"]


def test_it_selects_on_all_of_dev_when_no_release_is_named() -> None:
    dev = [_sentence("a", 1, "dev"), _sentence("b", 0, "dev-test")]
    assert split_dev(dev, selection_split="") == ([], dev)


def test_it_refuses_a_selection_release_dev_does_not_hold() -> None:
    with pytest.raises(ValueError, match="dev-test"):
        split_dev([_sentence("a", 1, "dev")], selection_split="dev-test")


def test_it_prunes_sentences_scored_confidently_against_their_label() -> None:
    sentences = [
        _sentence("clear yes", 1),
        _sentence("mislabelled yes", 1),
        _sentence("clear no", 0),
        _sentence("odd no", 0),
    ]
    kept = prune_noisy(sentences, scores=np.array([0.8, 0.05, 0.3, 0.95]), margin=0.9)
    assert [sentence.text for sentence in kept] == ["clear yes", "clear no"]


def test_it_refuses_zero_epochs_without_weights_to_start_from(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="epoch"):
        train_checkworthiness(data_dir=tmp_path, config=TrainingConfig(epochs=0), output_dir=tmp_path)


@pytest.mark.integration
def test_zero_epochs_from_saved_weights_keeps_them_and_repicks_thresholds_on_the_selection(tmp_path: Path) -> None:
    records = [
        {"text": "Unemployment fell to 3.5 percent last year.", "label_binary": 1, "official_split": "dev-test"},
        {"text": "We cut taxes for 90 percent of families.", "label_binary": 1, "official_split": "dev-test"},
        {"text": "Thank you very much.", "label_binary": 0, "official_split": "dev-test"},
        {"text": "Good evening, everyone.", "label_binary": 0, "official_split": "dev-test"},
        {"text": "The deficit tripled in four years.", "label_binary": 1, "official_split": "dev"},
    ]
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "dev.jsonl").write_text("\n".join(json.dumps(record) for record in records) + "\n", encoding="utf-8")
    (data_dir / "train.jsonl").write_text(json.dumps(records[-1]) + "\n", encoding="utf-8")
    weights = tmp_path / "weights"
    shutil.copytree(network.WEIGHTS_DIR, weights)
    before = network.read_trained_tensors(directory=weights)

    report = train_checkworthiness(
        data_dir=data_dir, config=TrainingConfig(epochs=0), output_dir=weights, init_from=weights, log=lambda _: None
    )

    after = network.read_trained_tensors(directory=weights)
    assert after.keys() == before.keys()
    assert all(torch.equal(after[name], before[name]) for name in before)
    assert report["best_checkpoint"] == "initial weights"
    assert report["selection_int8"]["f1"] == 1.0
    assert report["initial_training"]["config"]["lora_rank"] == 16
