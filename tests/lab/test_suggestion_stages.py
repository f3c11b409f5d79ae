"""The stage breakdown bench_library_scale prints: a claim's stages add up to its total, every
statement is counted once, and the wrapped functions are put back afterwards."""

import pytest

from claims.services import similarity
from lab.suggestion_stages import OTHER, TOTAL, StageTimer
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_stages_of_a_claim_add_up_to_its_time_and_count_its_statements(editor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from claims.services.sources import source_create

    source_create(
        user=editor,
        url="https://records.example.org/inauguration",
        title="Inauguration",
        body="Donald Trump was sworn in as the 47th President of the United States on January 20, 2025.",
    )
    claims = [ClaimFactory(text=f"Trump was sworn in as president in January 2025, report {n}.") for n in range(3)]
    original = similarity._hybrid
    timer = StageTimer()
    with timer.installed():
        assert similarity._hybrid is not original
        for claim in claims:
            with CaptureQueriesContext(connection) as queries:
                timer.time_claim(similarity.claim_suggest, claim_id=claim.pk)
            record = timer.records[-1]
            # Django also lists the transaction commands it sends without a cursor (all but SQLite's BEGIN).
            uncounted = ("COMMIT", "ROLLBACK") if connection.vendor == "sqlite" else ("BEGIN", "COMMIT", "ROLLBACK")
            statements = [query for query in queries if query["sql"] not in uncounted]
            assert sum(record.queries.values()) == len(statements)
            assert sum(record.own_ms.values()) == pytest.approx(record.total_ms, rel=0.01, abs=0.05)
    assert similarity._hybrid is original

    summary = timer.summary()
    assert {"embed the claim", "BM25 scoring in Python", "write suggestions", OTHER, TOTAL} <= set(summary)
    assert summary["embed the claim"]["queries"] == 0
    assert summary[TOTAL]["queries"] == len(statements)
