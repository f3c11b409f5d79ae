"""bench_load against a live server: a short run of the whole mix answers without errors and its
writes reach the database."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from claims.models import Article, Evidence, Verdict
from tests.factories import SourceFactory
from tests.integration.conftest import celery_publishing_to

pytestmark = [pytest.mark.integration]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_short_mixed_run_reports_every_kind_without_errors(live_server, settings, tmp_path):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {}}
    SourceFactory.create_batch(3)
    plan = tmp_path / "plan.json"
    call_command("bench_load", "prepare", plan=plan, claims=300, clients=3, stdout=io.StringIO())
    articles_before = Article.objects.count()
    output = io.StringIO()
    with celery_publishing_to("memory://"):
        call_command(
            "bench_load", "run", plan=plan, clients=3, url=live_server.url, duration=4, warmup=0, stdout=output
        )

    rows = {line.split()[0]: line.split() for line in output.getvalue().splitlines()[2:] if line.strip()}
    assert "total" in rows, output.getvalue()
    requests, errors = int(rows["total"][1]), int(rows["total"][-1])
    assert requests > 10 and errors == 0, output.getvalue()
    assert "error (" not in output.getvalue()
    assert Evidence.objects.exists() and Verdict.objects.exists()
    assert Article.objects.count() > articles_before
