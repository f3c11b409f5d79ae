"""Check-worthiness benchmark folders and their measures.

Each folder holds `<split>.jsonl` with a `text` and a binary `label_binary` (1 = check-worthy):
CheckThat! 2024 (Yes/No), ClaimBuster 3-class (CFS is check-worthy; NFS and UFS are not) and
CLEF 2020 tweets. The primary measure is F1 of the positive class at the scorer's threshold.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True, slots=True)
class LabelledSentence:
    text: str
    label: int
    fine_label: str | None
    # CheckThat! folders say which official release a sentence comes from (train, dev, dev-test).
    official_split: str | None = None


def load_split(data_dir: Path, split: str) -> list[LabelledSentence]:
    """Read `<data_dir>/<split>.jsonl`; raises FileNotFoundError or ValueError on a malformed folder."""
    path = Path(data_dir) / f"{split}.jsonl"
    sentences: list[LabelledSentence] = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            record = json.loads(line)
            if "text" not in record or "label_binary" not in record:
                raise ValueError(f"{path}:{number}: a record needs 'text' and 'label_binary'")
            fine_label = record.get("label")
            sentences.append(
                LabelledSentence(
                    text=str(record["text"]),
                    label=int(record["label_binary"]),
                    fine_label=str(fine_label) if fine_label is not None else None,
                    official_split=record.get("official_split"),
                )
            )
    return sentences


def binary_metrics(*, labels: np.ndarray, predictions: np.ndarray) -> dict[str, float]:
    """Precision, recall and F1 of the positive class, and accuracy."""
    labels = np.asarray(labels).astype(bool)
    predictions = np.asarray(predictions).astype(bool)
    true_positives = float(np.sum(labels & predictions))
    precision = true_positives / float(np.sum(predictions)) if np.any(predictions) else 0.0
    recall = true_positives / float(np.sum(labels)) if np.any(labels) else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = float(np.mean(labels == predictions)) if len(labels) else 0.0
    return {"f1": f1, "precision": precision, "recall": recall, "accuracy": accuracy}


def average_precision(*, labels: np.ndarray, scores: np.ndarray) -> float:
    """Mean of the precision at each positive, ranking by score (CLEF 2020's MAP for one topic)."""
    labels = np.asarray(labels).astype(bool)
    if not labels.any():
        return 0.0
    order = np.argsort(-np.asarray(scores), kind="stable")
    ranked = labels[order]
    hits = np.cumsum(ranked)
    precision_at_hit = hits[ranked] / (np.flatnonzero(ranked) + 1)
    return float(np.mean(precision_at_hit))


def best_threshold(*, labels: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    """The threshold (on a 0.01 grid) maximising positive-class F1, and that F1.

    Ties go to the threshold in the middle of the best plateau, which moves least when the
    score distribution shifts slightly (e.g. after quantising the model).
    """
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    values = np.array([binary_metrics(labels=labels, predictions=scores >= t)["f1"] for t in grid])
    best = values.max()
    plateau = grid[np.isclose(values, best)]
    return float(plateau[len(plateau) // 2]), float(best)


def evaluate_scores(
    *, sentences: list[LabelledSentence], scores: np.ndarray, threshold: float
) -> dict[str, float | int]:
    """The report printed by `evaluate_checkworthiness`: positive-class F1 first, then extras."""
    labels = np.array([sentence.label for sentence in sentences])
    metrics = binary_metrics(labels=labels, predictions=np.asarray(scores) >= threshold)
    report: dict[str, float | int] = {
        "f1": round(metrics["f1"], 4),
        "precision": round(metrics["precision"], 4),
        "recall": round(metrics["recall"], 4),
        "n": len(sentences),
        "accuracy": round(metrics["accuracy"], 4),
        "average_precision": round(average_precision(labels=labels, scores=np.asarray(scores)), 4),
        "threshold": threshold,
    }
    negative = binary_metrics(labels=labels == 0, predictions=np.asarray(scores) < threshold)
    report["macro_f1"] = round((metrics["f1"] + negative["f1"]) / 2, 4)
    if "CFS" in {sentence.fine_label for sentence in sentences}:
        report.update(_recall_by_fine_label(sentences, np.asarray(scores) >= threshold))
    report.update(_f1_by_official_split(sentences, labels, np.asarray(scores) >= threshold))
    return report


def _f1_by_official_split(
    sentences: list[LabelledSentence], labels: np.ndarray, predictions: np.ndarray
) -> dict[str, float]:
    """F1 of each official release a mixed split draws on (CheckThat! dev.jsonl: train, dev, dev-test)."""
    releases = sorted({sentence.official_split for sentence in sentences if sentence.official_split})
    if len(releases) < 2:
        return {}
    scores: dict[str, float] = {}
    for release in releases:
        mask = np.array([sentence.official_split == release for sentence in sentences])
        scores[f"f1_{release}"] = round(binary_metrics(labels=labels[mask], predictions=predictions[mask])["f1"], 4)
    return scores


def _recall_by_fine_label(sentences: list[LabelledSentence], predictions: np.ndarray) -> dict[str, float]:
    """Share of each ClaimBuster class predicted check-worthy: high for CFS, low for NFS; UFS between."""
    shares: dict[str, float] = {}
    for label in ("CFS", "UFS", "NFS"):
        mask = np.array([sentence.fine_label == label for sentence in sentences])
        if mask.any():
            shares[f"predicted_checkworthy_share_{label.lower()}"] = round(float(np.mean(predictions[mask])), 4)
    return shares
