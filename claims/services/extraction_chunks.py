"""A long article's extraction, split into chunks that the workers take in parallel.

Every sentence of an article costs two model runs (check-worthiness, then the claim encoder for the
check-worthy ones) and a named-entity pass: a 1 MiB digest of some 9,000 sentences is minutes of
one core, longer than a job may run. With a broker, an article over EXTRACTION_LONG_ARTICLE_CHARS is cut at
paragraph breaks into chunks of about EXTRACTION_CHUNK_CHARS; one job per chunk scores, annotates, embeds and checks
its sentences and leaves them in Redis, and the job that finishes the last chunk groups repeats
and stores the claims, as a short article's job does. The article's progress is
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

from ..checks import CheckFinding
from ..extraction.pipeline import CandidateClaim, extract_claims
from ..extraction.timing import StageSeconds, timed
from ..similarity.embedder import get_embedder
from ..similarity.text import clean_query
from .findings import check_sentences

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


@dataclasses.dataclass(frozen=True)
class ChunkResult:
    """A chunk's sentences as candidates with offsets into the whole body; the claim encoder's vector of
    each check-worthy one, for the repeat search, and the automatic checks' findings of each sentence
    that has any (both by index in ``candidates``)."""

    candidates: list[CandidateClaim]
    vectors: dict[int, np.ndarray]
    findings: dict[int, list[CheckFinding]]


def chunk_extract(
    *, body: str, start: int, end: int, published_at: Any, language: str, stages: StageSeconds | None = None
) -> ChunkResult:
    """Extract, embed and check one chunk of ``body``.

    The checks read the article around each sentence (findings.check_contexts, a function of the
    whole body and the sentence's offset), so a sentence checked here gets what it would get checked
    with the whole article; run here, they run on both workers instead of in the last job."""
    candidates = [
        _shifted(candidate, start)
        for candidate in extract_claims(
            text=body[start:end], published_at=published_at, language=language, stages=stages
        )
    ]
    with timed(stages, "checks"):
        checked = check_sentences(
            body=body,
            sentences=[(candidate.text, candidate.start) for candidate in candidates],
            published_at=published_at,
        )
    findings = {index: found for index, found in enumerate(checked) if found}
    wanted = [index for index, candidate in enumerate(candidates) if candidate.is_checkworthy]
    if not wanted:
        return ChunkResult(candidates=candidates, vectors={}, findings=findings)
    # The encoder embeds each text in a run of its own, so a repeated sentence is embedded once.
    with timed(stages, "embed"):
        texts = [clean_query(candidates[index].text) for index in wanted]
        distinct = list(dict.fromkeys(texts))
        by_text = dict(zip(distinct, get_embedder().encode(distinct), strict=True))
    vectors = {index: by_text[text] for index, text in zip(wanted, texts, strict=True)}
    return ChunkResult(candidates=candidates, vectors=vectors, findings=findings)


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


def chunk_save(*, article_id: int, attempt: int, index: int, chunks: int, result: ChunkResult) -> int:
    """Keep a chunk's results; returns how many of the article's chunks are done. A chunk done twice
    (a redelivered job) replaces its results and counts once."""
    payload = json.dumps(
        {
            "candidates": [dataclasses.asdict(candidate) for candidate in result.candidates],
            "vectors": {
                str(position): base64.b64encode(np.asarray(vector, dtype=np.float32).tobytes()).decode("ascii")
                for position, vector in result.vectors.items()
            },
            "findings": {
                str(position): [dataclasses.asdict(finding) for finding in found]
                for position, found in result.findings.items()
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


def chunks_load(*, article_id: int, attempt: int, chunks: int) -> ChunkResult:
    """Every chunk's results joined: candidates in article order, vectors and findings by index in that list."""
    stored = _client().hgetall(_key(article_id, attempt))
    candidates: list[CandidateClaim] = []
    vectors: dict[int, np.ndarray] = {}
    findings: dict[int, list[CheckFinding]] = {}
    for index in range(chunks):
        chunk = json.loads(stored[str(index).encode()])
        for position, encoded in chunk["vectors"].items():
            vectors[len(candidates) + int(position)] = np.frombuffer(base64.b64decode(encoded), dtype=np.float32)
        for position, found in chunk["findings"].items():
            findings[len(candidates) + int(position)] = [CheckFinding(**finding) for finding in found]
        candidates.extend(CandidateClaim(**candidate) for candidate in chunk["candidates"])
    return ChunkResult(candidates=candidates, vectors=vectors, findings=findings)


def chunks_forget(*, article_id: int, attempt: int) -> None:
    try:
        _client().delete(_key(article_id, attempt))
    except redis.RedisError as error:
        # The results expire on their own.
        logger.warning("Could not delete the chunk results of article %s: %s", article_id, error)
