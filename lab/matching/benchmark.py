"""Throughput and agreement of the embedder backends, and latency of exact vector search."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from claims.similarity.embedder import MAX_SEQ_LENGTH, Embedder, length_sorted_batches
from claims.similarity.index import ExactNumpyIndex
from claims.similarity.passages import split_sentence_spans
from lab.matching.evaluation import load_queries, load_verified_claims


@dataclass(frozen=True)
class EmbedderMeasurement:
    name: str
    model_version: str
    threads: int
    batch_size: int
    sentences_per_second: float


@dataclass(frozen=True)
class Agreement:
    name: str
    reference: str
    mean_cosine: float
    min_cosine: float


@dataclass(frozen=True)
class SearchMeasurement:
    vectors: int
    median_milliseconds: float
    p95_milliseconds: float


def benchmark_sentences(*, news_file: Path, claims_dir: Path, count: int) -> list[str]:
    """Real text, distinct sentences: half news sentences (BBC articles split as passages are),
    half claim-retrieval text (verified claims and the dev tweets), interleaved."""
    news: list[str] = []
    with news_file.open(encoding="utf-8") as lines:
        for line in lines:
            text = json.loads(line)["text"]
            news += [text[start:end] for start, end in split_sentence_spans(text)]
            if len(news) >= count:
                break
    claims = [claim.claim for claim in load_verified_claims(data_dir=claims_dir)]
    tweets = [query.text for query in load_queries(data_dir=claims_dir, split="dev")]
    claim_text = [text for pair in zip(claims, tweets, strict=False) for text in pair]
    sentences: list[str] = []
    seen: set[str] = set()
    for pair in zip(news, claim_text, strict=False):
        for text in pair:
            if text.strip() and text not in seen and len(sentences) < count:
                seen.add(text)
                sentences.append(text)
    return sentences


def runner_batches(sentences: Sequence[str], *, tokenizer_file: Path, batch_size: int) -> list[list[str]]:
    """The batches the production runner forms: tokenised with the served tokenizer, sorted by
    length, longest first. Every backend is fed these same batches, one `encode` call each."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=MAX_SEQ_LENGTH)
    token_ids = [encoding.ids for encoding in tokenizer.encode_batch(list(sentences))]
    return [[sentences[row] for row in batch.rows] for batch in length_sorted_batches(token_ids, batch_size=batch_size)]


def encode_batches(embedder: Embedder, batches: Sequence[Sequence[str]]) -> np.ndarray:
    return np.vstack([embedder.encode(list(batch), batch_size=len(batch)) for batch in batches])


def time_batches(embedder: Embedder, batches: Sequence[Sequence[str]], *, repeats: int = 1) -> float:
    """Sentences per second over all `batches`, best of `repeats` passes. The first and last batch
    (longest and shortest texts) are embedded once untimed first, so lazy initialisation and
    allocator growth are not counted; other processes on a shared machine only ever slow a pass
    down, so the best pass is the least disturbed one."""
    for batch in (batches[0], batches[-1]):
        embedder.encode(list(batch), batch_size=len(batch))
    best = float("inf")
    for _ in range(max(repeats, 1)):
        started = time.perf_counter()
        for batch in batches:
            embedder.encode(list(batch), batch_size=len(batch))
        best = min(best, time.perf_counter() - started)
    return sum(len(batch) for batch in batches) / best


def agreement(name: str, vectors: np.ndarray, *, reference: str, reference_vectors: np.ndarray) -> Agreement:
    """Cosine between matching rows of two L2-normalised matrices."""
    cosines = np.sum(vectors * reference_vectors, axis=1)
    return Agreement(name=name, reference=reference, mean_cosine=float(cosines.mean()), min_cosine=float(cosines.min()))


def load_int8_onnx_weights(model: Any, *, model_file: Path) -> None:
    """Put the weights of a dynamic-int8 ONNX encoder, dequantized, into a sentence-transformers
    model of the same architecture (the packaged MiniLM the encoder was fine-tuned from).

    A fine-tuned encoder ships only as int8 ONNX; its fp32 weights were not kept. Loading the int8
    weights (times their scales) into the base model's architecture gives the closest reference
    there is: the cosine of the ONNX run against it is the error of quantising activations at run
    time, not of rounding the weights (the rounded weights are all there is).
    """
    import onnx
    import torch
    from onnx import numpy_helper

    graph = onnx.load(str(model_file)).graph
    arrays = {initializer.name: numpy_helper.to_array(initializer) for initializer in graph.initializer}

    def dequantized(name: str) -> np.ndarray:
        scale, zero_point = arrays[f"{name}_scale"], arrays[f"{name}_zero_point"]
        weights: np.ndarray = (arrays[f"{name}_quantized"].astype(np.float32) - zero_point) * scale
        return weights

    transformer = model[0].auto_model
    state = transformer.state_dict()
    weights: dict[str, np.ndarray] = {}
    for key in state:
        if f"encoder.{key}" in arrays:  # biases and LayerNorm parameters stay fp32 in the file
            weights[key] = arrays[f"encoder.{key}"]
        elif f"encoder.{key}_quantized" in arrays:  # embedding tables
            weights[key] = dequantized(f"encoder.{key}")
    for node in graph.node:
        if node.op_type == "MatMulInteger":
            # "/encoder/encoder/layer.0/attention/self/query/MatMul_quant" -> "encoder.layer.0.attention.self.query"
            module = ".".join(node.name.split("/")[2:-1])
            weights[f"{module}.weight"] = dequantized(node.input[1].removesuffix("_quantized")).T
    missing = [
        key for key in state if key not in weights and not key.startswith("pooler.") and "position_ids" not in key
    ]
    if missing:
        raise ValueError(f"{model_file} does not hold {missing[:5]}: not a dynamic-int8 export of this architecture.")
    transformer.load_state_dict(
        {key: torch.from_numpy(np.array(value, dtype=np.float32)) for key, value in weights.items()}, strict=False
    )
    return model


def measure_exact_search(
    *, sizes: Sequence[int] = (10_000, 100_000), dimensions: int = 384, queries: int = 50, k: int = 10, seed: int = 0
) -> list[SearchMeasurement]:
    """Latency of one `ExactNumpyIndex.search` call over random unit vectors (cost does not depend on content)."""
    rng = np.random.default_rng(seed)
    measurements = []
    for size in sizes:
        vectors = rng.standard_normal((size, dimensions), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        index = ExactNumpyIndex(dimensions=dimensions, capacity=size)
        index.add(list(range(size)), vectors)
        probes = vectors[rng.integers(0, size, queries)]
        index.search(probes[0], k)
        timings = []
        for probe in probes:
            started = time.perf_counter()
            index.search(probe, k)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        measurements.append(
            SearchMeasurement(
                vectors=size,
                median_milliseconds=statistics.median(timings),
                p95_milliseconds=timings[min(len(timings) - 1, int(0.95 * len(timings)))],
            )
        )
    return measurements
