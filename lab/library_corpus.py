"""A source library of any size made of real text, for the scale benchmark.

The shared data hold about a hundred thousand distinct English sentences: news articles cut into
sentences, verified claims, fact-checked claims and check-worthiness sentences. Those are the
first passages, with their real vectors. Beyond them, each passage joins two real sentences (a
library's passages are a few sentences long) and its vector is the normalised sum of theirs, so
the vectors keep the neighbourhoods real text has, without embedding a million passages.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from lab.data import PROJECT_ROOT, shared_data_dir

SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")
MIN_CHARS, MAX_CHARS = 30, 600
# A multiplier coprime with any pool size we use, so pairs (k mod n, k*M mod n) rarely repeat.
PAIR_STRIDE = 7919


def _jsonl(path: Path, *fields: str) -> Iterator[str]:
    if not path.is_file():
        return
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            for name in fields:
                value = record.get(name)
                if isinstance(value, str) and value:
                    yield value


def _sentences(text: str) -> Iterator[str]:
    for paragraph in text.split("\n"):
        yield from SENTENCE_END_RE.split(paragraph.strip())


def real_sentences(data_dir: Path | None = None) -> list[str]:
    """Distinct English sentences from the shared data, in a fixed order."""
    data = data_dir or shared_data_dir()
    pieces: list[Iterator[str]] = [
        (s for text in _jsonl(data / "news" / "bbc_news_2225" / "articles.jsonl", "text") for s in _sentences(text)),
        _jsonl(data / "claim_retrieval" / "clef2022_task2a_en" / "vclaims.jsonl", "vclaim", "title"),
        _jsonl(data / "claim_retrieval" / "clef2020_task2_en" / "vclaims.jsonl", "vclaim", "title"),
        _jsonl(data / "factchecks" / "politifact_clef2021" / "records.jsonl", "claim"),
    ]
    for split in ("train", "dev", "test"):
        pieces.append(_jsonl(data / "check_worthiness" / "checkthat2024_task1_en" / f"{split}.jsonl", "text"))
    for split in ("dev", "test"):
        pieces.append(_jsonl(data / "check_worthiness" / "claimbuster_3class" / f"{split}.jsonl", "text"))
        for folder in ("climate_fever", "fever_symmetric_v0.2", "averitec"):
            pieces.append(_jsonl(data / "verification" / folder / f"{split}.jsonl", "claim"))
    seen: dict[str, None] = {}
    for piece in pieces:
        for sentence in piece:
            sentence = " ".join(sentence.split())
            if MIN_CHARS <= len(sentence) <= MAX_CHARS:
                seen.setdefault(sentence, None)
    return list(seen)


def passage_text(pool: list[str], position: int) -> str:
    """The passage at `position`: a real sentence, then pairs of them once the pool is used up."""
    size = len(pool)
    if position < size:
        return pool[position]
    return f"{pool[position % size]} {pool[(position * PAIR_STRIDE + 1) % size]}"


def passage_vectors(pool_vectors: np.ndarray, positions: range) -> np.ndarray:
    """Unit vectors for `positions`, matching `passage_text`."""
    size = len(pool_vectors)
    rows = np.asarray(positions, dtype=np.int64)
    vectors = pool_vectors[rows % size].copy()
    paired = rows >= size
    if paired.any():
        vectors[paired] += pool_vectors[(rows[paired] * PAIR_STRIDE + 1) % size]
        vectors[paired] /= np.linalg.norm(vectors[paired], axis=1, keepdims=True)
    return vectors.astype(np.float32)


def pool_vectors(pool: list[str], *, embedder, cache_dir: Path | None = None) -> np.ndarray:  # type: ignore[no-untyped-def]
    """The served embedder's vectors of `pool`, cached on disk by model version and text."""
    digest = hashlib.sha256("\n".join([embedder.model_version, *pool]).encode()).hexdigest()[:16]
    folder = cache_dir or PROJECT_ROOT / "var" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"library-vectors-{digest}.npy"
    if path.is_file():
        return np.load(path)
    # Sorted by length, as the runner batches, so padding stays short; stored back in pool order.
    order = sorted(range(len(pool)), key=lambda row: len(pool[row]))
    vectors = np.zeros((len(pool), embedder.dimensions), dtype=np.float32)
    step = 4096
    for start in range(0, len(order), step):
        rows = order[start : start + step]
        vectors[rows] = embedder.encode([pool[row] for row in rows], batch_size=64)
    np.save(path, vectors)
    return vectors
