"""Building the shipped check-worthiness model: trained weights (torch) -> ONNX -> int8, with a manifest.

`build_onnx` is what `manage.py build_checkworthiness_onnx` runs, once per change of the trained
weights; the product only reads the result (claims/extraction/weights/). The torch reference and
the fp32 export are kept here for comparisons (`evaluate_checkworthiness --backend`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import warnings
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from claims.extraction.checkworthiness import (
    BATCH_SIZE,
    MANIFEST_NAME,
    WEIGHTS_DIR,
    CheckworthinessScorer,
    OnnxScorer,
    base_model_path,
    file_digest,
)
from lab.checkworthiness.classifier import ARTEFACT_PATH, METADATA_PATH, Metadata

TRAINED_WEIGHTS_DIR = ARTEFACT_PATH.parent
ONNX_OPSET = 17
VARIANTS = ("int8", "fp32")


def model_file_name(variant: str) -> str:
    return f"checkworthiness.{variant}.onnx"


def build_onnx(
    *, weights_dir: Path = TRAINED_WEIGHTS_DIR, output_dir: Path = WEIGHTS_DIR, variant: str = "int8"
) -> dict[str, Any]:
    """Export the trained classifier in `weights_dir` to `output_dir` (model file + manifest); return the manifest.

    int8 is dynamic quantisation of every linear layer, per channel, as the served model has
    always been made; it gets the int8 threshold picked at training time.
    """
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; expected one of {VARIANTS}")
    from lab.checkworthiness.classifier import export_onnx, load_classifier

    metadata = Metadata.read(weights_dir / METADATA_PATH.name)
    output_dir.mkdir(parents=True, exist_ok=True)
    target = output_dir / model_file_name(variant)
    classifier, _ = load_classifier(directory=weights_dir)
    with tempfile.TemporaryDirectory() as scratch, _quiet():
        fp32_path = Path(scratch) / model_file_name("fp32")
        export_onnx(classifier, fp32_path)
        built = Path(scratch) / target.name
        if variant == "int8":
            from onnxruntime.quantization import QuantType, quantize_dynamic

            quantize_dynamic(str(fp32_path), str(built), weight_type=QuantType.QInt8, per_channel=True)
        else:
            built = fp32_path
        built.chmod(0o644)
        os.replace(built, target)
    manifest = {
        "model_file": target.name,
        "model_sha256": file_digest(target),
        "variant": variant,
        "threshold": metadata.threshold_int8 if variant == "int8" else metadata.threshold,
        "max_length": metadata.max_length,
        "base_model": metadata.base_model,
        "tokenizer": "tokenizer.json of the base model's package",
        "inputs": ["input_ids", "attention_mask"],
        "output": "probability",
        "opset": ONNX_OPSET,
        "weights_sha256": file_digest(weights_dir / ARTEFACT_PATH.name),
        "built_from": "lab/checkworthiness/weights (manage.py build_checkworthiness_onnx)",
        "built_with": {name: version(name) for name in ("torch", "transformers", "onnx", "onnxruntime")},
        "selection": metadata.training.get(f"selection_{variant}"),
    }
    (output_dir / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def build_scorer(*, variant: str, weights_dir: Path = TRAINED_WEIGHTS_DIR, threads: int = 1) -> CheckworthinessScorer:
    """A scorer for freshly built weights (not the shipped file): the export lives in a temporary folder."""
    with tempfile.TemporaryDirectory() as folder:
        build_onnx(weights_dir=weights_dir, output_dir=Path(folder), variant=variant)
        # ONNX Runtime reads the whole file when the session is made; the folder may go afterwards.
        return OnnxScorer(folder=Path(folder), threads=threads)


class TorchScorer(CheckworthinessScorer):
    """The unexported fp32 network: the reference the exports are checked against."""

    def __init__(self, *, threads: int = 1, weights_dir: Path = TRAINED_WEIGHTS_DIR) -> None:
        import torch
        from transformers import AutoTokenizer

        from lab.checkworthiness.classifier import load_classifier

        torch.set_num_threads(threads)
        self._classifier, metadata = load_classifier(directory=weights_dir)
        self.threshold = metadata.threshold
        self.max_length = metadata.max_length
        self.model_version = f"checkworthiness-{file_digest(weights_dir / ARTEFACT_PATH.name)[:16]}-torch"
        self._tokenizer = AutoTokenizer.from_pretrained(str(base_model_path()))

    def score(self, sentences: list[str]) -> np.ndarray:
        import torch

        scores = np.zeros(len(sentences), dtype=np.float32)
        order = np.argsort([len(sentence) for sentence in sentences], kind="stable")
        with torch.no_grad():
            for batch_start in range(0, len(sentences), BATCH_SIZE):
                indexes = order[batch_start : batch_start + BATCH_SIZE]
                batch = self._tokenizer(
                    [sentences[index] for index in indexes],
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                )
                logits = self._classifier(batch["input_ids"], batch["attention_mask"])
                scores[indexes] = torch.sigmoid(logits).numpy()
        return scores


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """The exporters' tracing warnings and per-tensor quantisation notes say nothing actionable."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        root.setLevel(level)
