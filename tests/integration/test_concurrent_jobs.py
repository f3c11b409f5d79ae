"""Two suggestion jobs touching the same claim at once, in two worker processes: a new article's job
and the re-match that a new source starts for every open claim, say. Both insert the same suggestion
row; the unique constraint lets one through, the other's insert of that row is skipped, and both
jobs finish their batches without a retry."""

from __future__ import annotations

import re

import pytest

from claims import tasks
from claims.models import Claim, Suggestion
from claims.services import similarity
from tests.factories import ArticleFactory

from .conftest import (
    celery_publishing_to,
    embedded_source_library,
    raw_connection,
    sessions_waiting_on_locks,
    wait_for,
)

pytestmark = [pytest.mark.integration]


def _rows(claim_ids: list[int]) -> list[tuple]:
    return list(
        Suggestion.objects.filter(claim_id__in=claim_ids)
        .order_by("claim_id", "target_passage_id")
        .values_list("claim_id", "target_kind", "target_passage_id", "target_claim_id", "model_version", "state")
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_jobs_suggesting_for_the_same_claim_at_once_both_finish_their_batches(private_redis, start_worker):
    embedded_source_library()
    article = ArticleFactory()
    shared, only_first, only_second = (
        Claim.objects.create(article=article, text=text, checkworthiness=0.9, status="new").pk
        for text in (
            "Donald Trump was sworn in as the 47th president on January 20, 2025.",
            "Emmanuel Macron has been president of France since May 14, 2017.",
            "Keir Starmer became prime minister of the United Kingdom on July 5, 2024.",
        )
    )
    claim_ids = [shared, only_first, only_second]
    similarity.claims_embed(claim_ids=claim_ids)
    worker = start_worker(broker_url=private_redis.url, concurrency=2)

    # Hold every source passage locked, so each job stops at its first suggestion insert (the
    # foreign-key check waits) until both are inside their transactions; then let them go together.
    with raw_connection() as gate, raw_connection() as observer:
        gate.execute("BEGIN")
        gate.execute("SELECT id FROM claims_sourcepassage FOR UPDATE")
        with celery_publishing_to(private_redis.url):
            tasks.claims_rematch_task.delay([shared, only_first])
            tasks.claims_rematch_task.delay([shared, only_second])
        wait_for(
            lambda: sessions_waiting_on_locks(observer) >= 2,
            timeout=60,
            interval=0.05,
            what="both jobs to reach their first insert",
            context=lambda: worker.log()[-3000:],
        )
        gate.execute("COMMIT")

    wait_for(
        lambda: Claim.objects.filter(pk__in=claim_ids, suggested_at__isnull=False).count() == len(claim_ids),
        timeout=60,
        interval=0.2,
        what="both batches to be suggested",
        context=lambda: worker.log()[-3000:],
    )
    # Both jobs were inside their inserts at once (the wait above); neither needed a retry.
    received = re.findall(r"claims_rematch_task\[([0-9a-f-]+)\] received", worker.log())
    assert len(received) == 2 and len(set(received)) == 2
    after_collision = _rows(claim_ids)
    assert after_collision and len(after_collision) == len(set(after_collision))

    Suggestion.objects.filter(claim_id__in=claim_ids).delete()
    for claim_id in claim_ids:
        similarity.claim_suggest(claim_id=claim_id)
    assert after_collision == _rows(claim_ids)
