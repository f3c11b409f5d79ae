"""A long article is extracted in chunks by real Celery workers on Redis: both workers take chunks, the
last one stores the claims, and a quote repeated across chunks is one claim with its appearances."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from claims.choices import ExtractionStatus
from claims.extraction.text import claim_key
from claims.models import Appearance, Article, Claim
from claims.services.articles import article_ingest
from claims.services.extraction_chunks import chunk_bounds
from tests.integration.conftest import celery_publishing_to

pytestmark = [pytest.mark.integration]

SEED = (Path(__file__).resolve().parents[2] / "fixtures" / "seed_article.txt").read_text(encoding="utf-8")
QUOTE = "“We will cut the national debt by 40 percent before 2030,” the finance minister, Jane Doe, told parliament."


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_long_article_is_extracted_in_chunks_by_two_workers(private_redis, start_worker, monkeypatch, settings):
    if not settings.REDIS_URL or settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.fail("This test needs REDIS_URL so that jobs go through Redis (make test-integration sets it).")
    # A Redis of its own: the chunks' results and jobs meet no other run's.
    settings.REDIS_URL = private_redis.url
    # Small limits stand in for a 1 MiB digest: the same code path at a fraction of the time.
    monkeypatch.setenv("EXTRACTION_LONG_ARTICLE_CHARS", "5000")
    monkeypatch.setenv("EXTRACTION_CHUNK_CHARS", "4000")
    settings.EXTRACTION_CHUNK_CHARS = 4000
    worker = start_worker(broker_url=private_redis.url, concurrency=2)
    body = "\n\n".join(part for copy in range(4) for part in (SEED.replace("Ukraine", f"Ukraine ({copy})"), QUOTE))
    assert len(body) > 5000

    with celery_publishing_to(private_redis.url):
        article = article_ingest(text=body, title="Digest", background=True).article
    chunk_count = len(chunk_bounds(article.body))

    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        article.refresh_from_db()
        if article.extraction_status in (ExtractionStatus.DONE, ExtractionStatus.FAILED):
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"The extraction did not finish in 240 s. Worker output:\n{worker.log()[-3000:]}")

    assert chunk_count >= 3
    assert article.extraction_status == ExtractionStatus.DONE, article.extraction_error
    assert article.extraction_progress == 100
    assert worker.log().count("article_extract_chunk_task") >= chunk_count
    (claim,) = Claim.objects.filter(text_key=claim_key(QUOTE))
    assert Appearance.objects.filter(claim=claim, article=article).count() == 4
    body_text = Article.objects.get(pk=article.pk).body
    claims = list(Claim.objects.filter(article=article))
    assert len(claims) > 10
    assert all(body_text[c.start : c.end] == c.text for c in claims)
