"""Queueing background jobs. Every service queues through here, so every job is sent after the
transaction that wrote its rows has committed: a worker must never look for a row that is not there yet."""

from __future__ import annotations

import logging

import kombu.exceptions
from django.db import transaction

logger = logging.getLogger(__name__)


def job_queue_after_commit(task_name: str, *args: object, waiting: str) -> None:
    """Send ``claims.tasks.<task_name>(*args)`` once the current transaction commits (at once when
    there is none). ``waiting`` names what the job is for, for the log.

    By then the change is committed: if the broker is down, failing would report an error for a
    change that was made. The refusal is logged instead, and the sweep job (which looks for claims
    and passages that lack their vectors or suggestions) queues the work again.
    """
    transaction.on_commit(lambda: _send(task_name, args, waiting))


def _send(task_name: str, args: tuple[object, ...], waiting: str) -> None:
    from .. import tasks  # the tasks module imports the services

    task = getattr(tasks, task_name)
    try:
        task.delay(*args)
    except kombu.exceptions.OperationalError as error:
        logger.warning("Broker unavailable; %s wait for the sweep job: %s", waiting, error)
