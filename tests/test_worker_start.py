"""What a Celery worker does as it starts, before its pool takes jobs."""

import pytest

from claims.extraction import entities
from workbench.celery import app


@pytest.fixture
def entity_recogniser_not_loaded(monkeypatch):
    monkeypatch.setattr(entities, "_nlp", None)


def test_a_worker_taking_extraction_jobs_loads_the_entity_recogniser_before_its_pool_starts(
    entity_recogniser_not_loaded,
):
    app.WorkController(queues=["claims"], pool_cls="solo", concurrency=1)

    assert entities._nlp is not None
    assert [name for name, _ in entities._nlp.pipeline] == ["ner"]


def test_a_worker_for_the_library_queue_alone_does_not_load_it(entity_recogniser_not_loaded):
    app.WorkController(queues=["library"], pool_cls="solo", concurrency=1)

    assert entities._nlp is None
