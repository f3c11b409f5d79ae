"""The Celery application. Workers: `celery -A workbench worker`; schedule: `celery -A workbench beat`."""

import os
from typing import Any

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings.local")

app = Celery("workbench")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect  # type: ignore[untyped-decorator]
def _load_the_entity_recogniser_before_forking(sender: Any = None, **_kwargs: Any) -> None:
    """A worker that extracts articles loads spaCy's pipeline once, before the pool forks its processes,
    which then share it: loaded in each process on its first extraction, it held that extraction up by
    about three seconds of one core (and a long article's first chunks by as much on every core)."""
    consumed = sender.app.amqp.queues.consume_from if sender is not None else None
    if consumed and app.conf.task_default_queue not in consumed:
        return
    from claims.extraction.entities import get_entity_pipeline

    get_entity_pipeline()
