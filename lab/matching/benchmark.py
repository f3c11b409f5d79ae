"""Throughput and agreement of the embedder backends, and latency of exact vector search."""

from __future__ import annotations

import statistics
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from claims.similarity.embedder import Embedder
from claims.similarity.index import ExactNumpyIndex


@dataclass(frozen=True)
class EmbedderMeasurement:
    name: str
    model_version: str
    sentences_per_second: dict[int, float]
    mean_cosine_to_reference: float
    min_cosine_to_reference: float


@dataclass(frozen=True)
class SearchMeasurement:
    vectors: int
    median_milliseconds: float
    p95_milliseconds: float


def sentences_per_second(embedder: Embedder, sentences: Sequence[str], *, batch_size: int, repeats: int) -> float:
    """Best of `repeats` timed passes over `sentences` (after one warm-up batch): other processes
    on a shared machine only ever slow a pass down, so the best pass is the least disturbed one.
    """
    embedder.encode(list(sentences[: max(batch_size, 8)]), batch_size=batch_size)
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        embedder.encode(list(sentences), batch_size=batch_size)
        best = min(best, time.perf_counter() - started)
    return len(sentences) / best


def measure_embedders(
    *,
    embedders: Mapping[str, Embedder],
    reference: str,
    sentences: Sequence[str],
    batch_sizes: Sequence[int] = (1, 32, 128),
    repeats: int = 2,
) -> list[EmbedderMeasurement]:
    """Speed of each embedder per batch size, and its cosine agreement with `embedders[reference]`."""
    reference_vectors = embedders[reference].encode(list(sentences), batch_size=32)
    measurements = []
    for name, embedder in embedders.items():
        # Agreement is measured at batch 1: int8 activations are quantised per batch, so this is
        # the variant's own error, not the noise its batch-mates add.
        vectors = embedder.encode(list(sentences), batch_size=1)
        cosines = np.sum(vectors * reference_vectors, axis=1)
        speeds = {
            batch_size: sentences_per_second(embedder, sentences, batch_size=batch_size, repeats=repeats)
            for batch_size in batch_sizes
        }
        measurements.append(
            EmbedderMeasurement(
                name=name,
                model_version=embedder.model_version,
                sentences_per_second=speeds,
                mean_cosine_to_reference=float(cosines.mean()),
                min_cosine_to_reference=float(cosines.min()),
            )
        )
    return measurements


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
