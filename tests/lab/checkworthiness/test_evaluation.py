import json
from pathlib import Path

import numpy as np
import pytest

from lab.checkworthiness.evaluation import (
    average_precision,
    best_threshold,
    binary_metrics,
    evaluate_scores,
    load_split,
)


def _write(folder: Path, records: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dev.jsonl").write_text("\n".join(json.dumps(record) for record in records) + "\n", encoding="utf-8")
    return folder


def test_it_reads_the_binary_label_of_each_benchmark_format(tmp_path: Path) -> None:
    folder = _write(
        tmp_path / "claimbuster",
        [
            {"id": "1", "text": "Taxes rose 5%.", "label": "CFS", "label_binary": 1},
            {"id": "2", "text": "I ran a business.", "label": "UFS", "label_binary": 0},
            {"id": "3", "text": "Thank you.", "label": "NFS", "label_binary": 0},
        ],
    )
    sentences = load_split(folder, "dev")
    assert [(sentence.label, sentence.fine_label) for sentence in sentences] == [(1, "CFS"), (0, "UFS"), (0, "NFS")]


def test_it_refuses_a_record_without_a_binary_label(tmp_path: Path) -> None:
    folder = _write(tmp_path / "broken", [{"text": "Taxes rose 5%.", "label": "Yes"}])
    with pytest.raises(ValueError, match="label_binary"):
        load_split(folder, "dev")


def test_it_computes_positive_class_precision_recall_and_f1() -> None:
    metrics = binary_metrics(labels=np.array([1, 1, 0, 0, 1]), predictions=np.array([1, 0, 1, 0, 1]))
    assert metrics["precision"] == pytest.approx(2 / 3)
    assert metrics["recall"] == pytest.approx(2 / 3)
    assert metrics["f1"] == pytest.approx(2 / 3)
    assert metrics["accuracy"] == pytest.approx(3 / 5)


def test_it_reports_zero_rather_than_failing_when_nothing_is_predicted_positive() -> None:
    metrics = binary_metrics(labels=np.array([1, 0]), predictions=np.array([0, 0]))
    assert metrics == {"f1": 0.0, "precision": 0.0, "recall": 0.0, "accuracy": 0.5}


def test_it_computes_average_precision_over_the_ranking() -> None:
    assert average_precision(labels=np.array([1, 0, 1]), scores=np.array([0.9, 0.8, 0.1])) == pytest.approx(
        (1 / 1 + 2 / 3) / 2
    )


def test_it_picks_the_middle_of_the_best_threshold_plateau() -> None:
    threshold, f1 = best_threshold(labels=np.array([0, 0, 1, 1]), scores=np.array([0.1, 0.2, 0.6, 0.7]))
    assert f1 == 1.0
    assert 0.2 < threshold <= 0.6
    assert threshold == pytest.approx(0.41, abs=0.02)


def test_it_adds_class_shares_for_three_class_benchmarks(tmp_path: Path) -> None:
    folder = _write(
        tmp_path / "claimbuster",
        [
            {"text": "a", "label": "CFS", "label_binary": 1},
            {"text": "b", "label": "UFS", "label_binary": 0},
            {"text": "c", "label": "NFS", "label_binary": 0},
        ],
    )
    report = evaluate_scores(sentences=load_split(folder, "dev"), scores=np.array([0.9, 0.6, 0.1]), threshold=0.5)
    assert list(report)[:4] == ["f1", "precision", "recall", "n"]
    assert report["n"] == 3
    assert report["predicted_checkworthy_share_ufs"] == 1.0
    assert report["predicted_checkworthy_share_nfs"] == 0.0


def test_it_reports_f1_for_each_official_release_of_a_mixed_split(tmp_path: Path) -> None:
    folder = _write(
        tmp_path / "checkthat",
        [
            {"text": "a", "label_binary": 1, "official_split": "dev"},
            {"text": "b", "label_binary": 0, "official_split": "dev"},
            {"text": "c", "label_binary": 1, "official_split": "dev-test"},
            {"text": "d", "label_binary": 1, "official_split": "dev-test"},
        ],
    )
    sentences = load_split(folder, "dev")
    report = evaluate_scores(sentences=sentences, scores=np.array([0.9, 0.1, 0.9, 0.2]), threshold=0.5)
    assert [sentence.official_split for sentence in sentences] == ["dev", "dev", "dev-test", "dev-test"]
    assert report["f1_dev"] == 1.0
    assert report["f1_dev-test"] == pytest.approx(2 / 3, abs=1e-4)
    assert report["f1"] == pytest.approx(0.8)


def test_it_adds_no_per_release_figures_to_a_single_release_split(tmp_path: Path) -> None:
    folder = _write(tmp_path / "single", [{"text": "a", "label_binary": 1, "official_split": "test"}])
    report = evaluate_scores(sentences=load_split(folder, "dev"), scores=np.array([0.9]), threshold=0.5)
    assert not any(name.startswith("f1_") for name in report)
