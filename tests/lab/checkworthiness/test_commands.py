import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

CHECKTHAT_LIKE = [
    {"text": "Unemployment fell to 3.5 percent, the lowest rate in fifty years.", "label": "Yes", "label_binary": 1},
    {"text": "We have cut taxes for 90 percent of working families since 2017.", "label": "Yes", "label_binary": 1},
    {"text": "The deficit tripled under the last administration.", "label": "Yes", "label_binary": 1},
    {"text": "Thank you, it is good to be here tonight.", "label": "No", "label_binary": 0},
    {"text": "I hope everyone has a wonderful evening.", "label": "No", "label_binary": 0},
    {"text": "Let me answer that question.", "label": "No", "label_binary": 0},
]


def _folder(path: Path, records: list[dict], splits: tuple[str, ...] = ("dev",)) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for split in splits:
        lines = "\n".join(json.dumps(record) for record in records)
        (path / f"{split}.jsonl").write_text(lines + "\n", encoding="utf-8")
    return path


def test_it_prints_positive_class_f1_precision_recall_and_n_as_json(tmp_path: Path) -> None:
    output = StringIO()
    call_command(
        "evaluate_checkworthiness",
        data=_folder(tmp_path, CHECKTHAT_LIKE),
        split="dev",
        output_format="json",
        stdout=output,
    )
    report = json.loads(output.getvalue())
    assert list(report)[:4] == ["f1", "precision", "recall", "n"]
    assert report["n"] == 6
    assert report["f1"] == 1.0


def test_it_reports_claimbuster_class_shares(tmp_path: Path) -> None:
    records = [
        {"text": "Taxes went up five times under this governor.", "label": "CFS", "label_binary": 1},
        {"text": "I ran a small business for ten years.", "label": "UFS", "label_binary": 0},
        {"text": "Thank you very much.", "label": "NFS", "label_binary": 0},
    ]
    output = StringIO()
    call_command(
        "evaluate_checkworthiness", data=_folder(tmp_path, records), split="dev", output_format="json", stdout=output
    )
    report = json.loads(output.getvalue())
    assert {"predicted_checkworthy_share_cfs", "predicted_checkworthy_share_nfs", "accuracy"} <= set(report)


def test_it_fails_clearly_on_a_missing_split(tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        call_command("evaluate_checkworthiness", data=tmp_path, split="test", output_format="json")


def test_it_benchmarks_every_extraction_stage(tmp_path: Path) -> None:
    output = StringIO()
    call_command("bench_extraction", articles=3, output_format="json", stdout=output)
    report = json.loads(output.getvalue())
    assert report["articles"] == 3
    assert report["sentences"] > 60
    assert set(report["sentences_per_second"]) >= {"split", "score (int8 ONNX)", "pipeline (extract_claims)"}
    assert all(value > 0 for value in report["sentences_per_second"].values())


def test_it_benchmarks_the_pipeline_in_several_processes() -> None:
    output = StringIO()
    call_command("bench_extraction", articles=4, processes=2, output_format="json", stdout=output)
    rates = json.loads(output.getvalue())["sentences_per_second"]
    assert rates["pipeline without entities, 2 processes"] > 0
    assert rates["pipeline (extract_claims), 2 processes"] > 0


def test_it_trains_weights_and_picks_thresholds_on_the_dev_test_sentences(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _folder(data, CHECKTHAT_LIKE * 4, splits=("train",))
    releases = [{**record, "official_split": "dev-test"} for record in CHECKTHAT_LIKE] + [
        {**record, "official_split": "dev"} for record in CHECKTHAT_LIKE
    ]
    _folder(data, releases, splits=("dev",))
    weights = tmp_path / "weights"
    output = StringIO()
    call_command(
        "train_checkworthiness",
        data=data,
        output=weights,
        epochs=1,
        batch_size=8,
        lora_rank=2,
        max_length=24,
        stdout=output,
        stderr=StringIO(),
    )
    report = json.loads(output.getvalue())
    metadata = json.loads((weights / "checkworthiness.json").read_text(encoding="utf-8"))
    assert (weights / "checkworthiness.safetensors").stat().st_size < 200_000
    assert 0.0 < metadata["threshold"] < 1.0 and 0.0 < metadata["threshold_int8"] < 1.0
    assert metadata["lora_rank"] == 2
    assert report["selection"] == "dev.jsonl official_split=dev-test"
    # train.jsonl plus the dev sentences of the other release.
    assert report["train_sentences"] == 4 * len(CHECKTHAT_LIKE) + len(CHECKTHAT_LIKE)
    assert set(report["selection_fp32"]) == {"f1", "precision", "recall", "accuracy"}
    assert "selection_int8" in report


def test_it_refuses_to_train_when_dev_lacks_the_selection_release(tmp_path: Path) -> None:
    data = _folder(tmp_path / "data", CHECKTHAT_LIKE, splits=("train", "dev"))
    with pytest.raises(CommandError, match="dev-test"):
        call_command("train_checkworthiness", data=data, output=tmp_path / "weights", epochs=1, stderr=StringIO())
