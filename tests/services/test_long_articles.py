"""A long article (a digest, a transcript): the checks read a window of it around each sentence, its
extraction is cut into chunks at paragraph breaks, and both grow linearly with its length."""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

import numpy as np

from claims.checks import timeline
from claims.extraction.pipeline import CandidateClaim
from claims.extraction.sentences import split_sentences
from claims.services.extraction_chunks import _shifted, chunk_bounds
from claims.services.findings import CHECK_CONTEXT_CHARS, check_contexts, check_sentences
from tests.growth import growth_ratio

SEED = (Path(__file__).resolve().parents[2] / "fixtures" / "seed_article.txt").read_text(encoding="utf-8")
SEED_PUBLISHED = datetime.date(2025, 5, 12)


def _digest(copies: int) -> str:
    return "\n\n".join([SEED] * copies)


def _sentences(body: str) -> list[tuple[str, int]]:
    return [(span.text, span.start) for span in split_sentences(body)]


def test_a_short_article_is_its_own_context():
    starts = [start for _, start in _sentences(SEED)]

    assert check_contexts(SEED, starts) == [SEED] * len(starts)


def test_a_long_article_is_read_in_windows_that_hold_each_sentence_whole():
    body = _digest(40)
    sentences = _sentences(body)

    contexts = check_contexts(body, [start for _, start in sentences])

    assert len(body) > 5 * CHECK_CONTEXT_CHARS
    for (text, start), context in zip(sentences, contexts, strict=True):
        assert text in context
        assert len(context) <= 2 * CHECK_CONTEXT_CHARS
        assert body.find(context) <= start
    # Sentences of one window share one string, so a check caches its reading once per window.
    assert len({id(context) for context in contexts}) < len(sentences) / 10


FILLER = "The council met again on the budget. Members asked for more time to read the figures."


def test_an_article_inside_a_long_digest_gets_the_finding_it_gets_alone():
    def timeline_spans(body: str) -> list[str]:
        return [
            finding.span_text
            for findings in check_sentences(body=body, sentences=_sentences(body), published_at=SEED_PUBLISHED)
            for finding in findings
            if finding.check == timeline.NAME
        ]

    padding = "\n\n".join([FILLER] * 600)
    digest = "\n\n".join([padding, SEED, padding])

    assert len(padding) > 2 * CHECK_CONTEXT_CHARS
    assert timeline_spans(SEED) == ["response to Zelensky’s offer"]
    assert timeline_spans(digest) == timeline_spans(SEED)


def test_the_checks_of_a_long_article_grow_linearly_with_its_length():
    def run(copies: int) -> None:
        body = _digest(copies)
        timeline.clear_cache()
        check_sentences(body=body, sentences=_sentences(body), published_at=SEED_PUBLISHED)

    # Reading the whole article for every sentence grew with the square of its length (about 16).
    assert growth_ratio(run, size=12, factor=4, repeats=2) < 8


def test_chunks_cover_the_article_and_end_at_paragraph_breaks():
    body = _digest(60)

    bounds = chunk_bounds(body, size=20_000)

    assert bounds[0][0] == 0 and bounds[-1][1] == len(body)
    assert all(end == next_start for (_, end), (next_start, _) in zip(bounds, bounds[1:], strict=False))
    assert all(body[end - 2 : end] == "\n\n" for _, end in bounds[:-1])
    assert all(10_000 <= end - start <= 20_000 for start, end in bounds[:-1])


def test_a_chunk_sentence_keeps_its_offsets_into_the_whole_article():
    body = _digest(3)
    start = body.index(SEED, 1)
    candidate = CandidateClaim(
        text=SEED[:20],
        start=0,
        end=20,
        checkworthiness=0.5,
        is_checkworthy=True,
        claim_types=[],
        speaker=None,
        entities=[{"text": SEED[:5], "label": "ORG", "start": 0, "end": 5}],
        dates=[{"text": SEED[6:10], "start": 6, "end": 10, "value": None}],
    )

    moved = _shifted(candidate, start)

    assert body[moved.start : moved.end] == moved.text
    assert [body[e["start"] : e["end"]] for e in moved.entities] == [SEED[:5]]
    assert [body[d["start"] : d["end"]] for d in moved.dates] == [SEED[6:10]]
    assert dataclasses.replace(moved, start=0, end=20, entities=candidate.entities, dates=candidate.dates) == candidate
    assert np.isfinite(moved.checkworthiness)


def _sentence_by_sentence(vectors: np.ndarray, threshold: float) -> list[int | None]:
    """The rule stated plainly: each sentence joins the most similar earlier sentence kept on its own
    (the first of equals) if the cosine reaches the threshold, else it is kept."""
    kept: list[int] = []
    joined: list[int | None] = []
    for row, vector in enumerate(vectors):
        similarities = [float(vectors[other] @ vector) for other in kept]
        best = int(np.argmax(similarities)) if similarities else -1
        if best >= 0 and similarities[best] >= threshold:
            joined.append(kept[best])
        else:
            joined.append(None)
            kept.append(row)
    return joined


def test_near_duplicates_inside_a_long_article_are_grouped_as_sentence_by_sentence(settings):
    from claims.services.appearances import _SCORE_ROWS, Grouping, _group_within_article

    settings.APPEARANCE_SIMILARITY = 0.93
    generator = np.random.default_rng(5)
    originals = generator.standard_normal((300, 64)).astype(np.float32)
    # Near copies of earlier sentences, some inside the same block of rows, some blocks later.
    sources = generator.integers(0, 300, size=500)
    noise = generator.standard_normal((500, 64)).astype(np.float32)
    copies = originals[sources] + noise * generator.choice([0.05, 0.2, 0.5], size=(500, 1)).astype(np.float32)
    order = generator.permutation(800)
    vectors = np.vstack([originals, copies])[order]
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    candidate = CandidateClaim(
        text="x", start=0, end=1, checkworthiness=0.9, is_checkworthy=True, claim_types=[], speaker=None
    )
    groupings = [Grouping(candidate=candidate, key=str(row)) for row in range(len(vectors))]

    _group_within_article(groupings, list(range(len(vectors))), vectors)

    expected = _sentence_by_sentence(vectors, 0.93)
    assert len(vectors) > 3 * _SCORE_ROWS
    assert [grouping.earlier for grouping in groupings] == expected
    assert 100 < sum(value is not None for value in expected) < 700
    assert all(
        grouping.match == "similar" and grouping.similarity is not None and grouping.similarity >= 0.93
        for grouping in groupings
        if grouping.earlier is not None
    )
