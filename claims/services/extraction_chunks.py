"""A long article's extraction, split into chunks that the workers take in parallel.

Every sentence of an article costs two model runs (check-worthiness, then the claim encoder for the
check-worthy ones) and a named-entity pass: a 1 MiB digest of some 9,000 sentences is minutes of
one core, longer than a job may run. With a broker, an article over EXTRACTION_LONG_ARTICLE_CHARS is cut at
paragraph breaks into chunks of about EXTRACTION_CHUNK_CHARS; one job per chunk scores, annotates and embeds
its sentences and leaves them in Redis, and the job that finishes the last chunk groups repeats,
runs the checks and stores the claims, as a short article's job does. The article's progress is
the share of chunks done.

A chunk is extracted on its own, so a pronoun speaker ("he said") is not looked for across a chunk
boundary; chunks end at paragraph breaks, where a quotation seldom runs on.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
from typing import Any

import numpy as np
import redis
from django.conf import settings

from ..extraction.pipeline import CandidateClaim, extract_claims
from ..extraction.timing import StageSeconds, timed
from ..similarity.embedder import get_embedder
from ..similarity.text import clean_query

logger = logging.getLogger(__name__)

# Results wait this long for the last chunk; a lost job leaves the article extracting, and the
# sweep starts a new attempt (with keys of its own) after EXTRACTION_STALE_SECONDS.
RESULT_SECONDS = 3600


def is_long(body: str) -> bool:
    """Whether the article is extracted in chunks: only with a broker, whose workers can share them
    (in-process jobs run one after another anyway)."""
    return (
        bool(settings.REDIS_URL)
        and not settings.CELERY_TASK_ALWAYS_EAGER
        and len(body) > settings.EXTRACTION_LONG_ARTICLE_CHARS
    )


def chunk_bounds(body: str, *, size: int | None = None) -> list[tuple[int, int]]:
    """(start, end) offsets that cover ``body``, each chunk ending at a paragraph break after at least
    half of ``size`` (EXTRACTION_CHUNK_CHARS by default; or at a line break, or at ``size`` when the
    text has neither)."""
    size = size or settings.EXTRACTION_CHUNK_CHARS
    bounds: list[tuple[int, int]] = []
    start = 0
    while start < len(body):
        if len(body) - start <= size:
            bounds.append((start, len(body)))
            break
        lowest = start + size // 2
        end = -1
        for separator in ("\n\n", "\n"):
            cut = body.rfind(separator, lowest, start + size)
            if cut != -1:
                end = cut + len(separator)
                break
        if end == -1:
            end = start + size
        bounds.append((start, end))
        start = end
    return bounds


def _client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=10, socket_connect_timeout=5)


def _key(article_id: int, attempt: int) -> str:
    return f"workbench:extraction:{article_id}:{attempt}"


def chunk_extract(
    *, body: str, start: int, end: int, published_at: Any, language: str, stages: StageSeconds | None = None
) -> tuple[list[CandidateClaim], dict[int, np.ndarray]]:
    """One chunk's sentences as candidates with offsets into the whole body, and the claim encoder's
    vector of each check-worthy one (by index in the chunk's list), for the repeat search."""
    candidates = [
        _shifted(candidate, start)
        for candidate in extract_claims(
            text=body[start:end], published_at=published_at, language=language, stages=stages
        )
    ]
    wanted = [index for index, candidate in enumerate(candidates) if candidate.is_checkworthy]
    if not wanted:
        return candidates, {}
    with timed(stages, "embed"):
        vectors = get_embedder().encode([clean_query(candidates[index].text) for index in wanted])
    return candidates, dict(zip(wanted, vectors, strict=True))


def _shifted(candidate: CandidateClaim, offset: int) -> CandidateClaim:
    def move(spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**span, "start": span["start"] + offset, "end": span["end"] + offset} for span in spans]

    return dataclasses.replace(
        candidate,
        start=candidate.start + offset,
        end=candidate.end + offset,
        entities=move(candidate.entities),
        dates=move(candidate.dates),
    )


def chunk_save(
    *,
    article_id: int,
    attempt: int,
    index: int,
    chunks: int,
    candidates: list[CandidateClaim],
    vectors: dict[int, np.ndarray],
) -> int:
    """Keep a chunk's results; returns how many of the article's chunks are done. A chunk done twice
    (a redelivered job) replaces its results and counts once."""
    payload = json.dumps(
        {
            "candidates": [dataclasses.asdict(candidate) for candidate in candidates],
            "vectors": {
                str(position): base64.b64encode(np.asarray(vector, dtype=np.float32).tobytes()).decode("ascii")
                for position, vector in vectors.items()
            },
        }
    )
    key = _key(article_id, attempt)
    pipeline = _client().pipeline()
    pipeline.hset(key, str(index), payload)
    pipeline.expire(key, RESULT_SECONDS)
    pipeline.hlen(key)
    done = int(pipeline.execute()[-1])
    return min(done, chunks)


def chunks_load(*, article_id: int, attempt: int, chunks: int) -> tuple[list[CandidateClaim], dict[int, np.ndarray]]:
    """Every chunk's candidates in article order, and the vectors by index in that list."""
    stored = _client().hgetall(_key(article_id, attempt))
    candidates: list[CandidateClaim] = []
    vectors: dict[int, np.ndarray] = {}
    for index in range(chunks):
        chunk = json.loads(stored[str(index).encode()])
        for position, encoded in chunk["vectors"].items():
            vectors[len(candidates) + int(position)] = np.frombuffer(base64.b64decode(encoded), dtype=np.float32)
        candidates.extend(CandidateClaim(**candidate) for candidate in chunk["candidates"])
    return candidates, vectors


def chunks_forget(*, article_id: int, attempt: int) -> None:
    try:
        _client().delete(_key(article_id, attempt))
    except redis.RedisError as error:
        # The results expire on their own.
        logger.warning("Could not delete the chunk results of article %s: %s", article_id, error)
