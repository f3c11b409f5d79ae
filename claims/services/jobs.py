"""Queueing background jobs. Every service queues through here, so every job is sent after the
transaction that wrote its rows has committed: a worker must never look for a row that is not there yet."""

from __future__ import annotations

import logging
import threading

import kombu.exceptions
from django.conf import settings
from django.db import connection, transaction

logger = logging.getLogger(__name__)


def job_queue_after_commit(task_name: str, *args: object, waiting: str, thread: bool = False) -> None:
    """Send ``claims.tasks.<task_name>(*args)`` once the current transaction commits (at once when
    there is none). ``waiting`` names what the job is for, for the log.

    ``thread``: a job the caller must not wait for (an article's extraction). Without a broker (the
    embedded default runs jobs in process) and with JOBS_EAGER_IN_THREAD, it runs in a thread of its
    own, so the request that queued it answers at once.

    By then the change is committed: if the broker is down, failing would report an error for a
    change that was made. The refusal is logged instead, and the sweep job (which looks for claims
    and passages that lack their vectors or suggestions) queues the work again.
    """
    if thread and settings.CELERY_TASK_ALWAYS_EAGER and settings.JOBS_EAGER_IN_THREAD:
        transaction.on_commit(lambda: _start_thread(task_name, args))
    else:
        transaction.on_commit(lambda: _send(task_name, args, waiting))


def _start_thread(task_name: str, args: tuple[object, ...]) -> None:
    threading.Thread(target=_run_in_thread, args=(task_name, args), name=task_name, daemon=True).start()


def _run_in_thread(task_name: str, args: tuple[object, ...]) -> None:
    from .. import tasks

    try:
        getattr(tasks, task_name).apply(args=args)
    except Exception:
        logger.exception("Job %s%r failed", task_name, args)
    finally:
        # The thread's own database connection; Django closes request threads' connections, not this one.
        connection.close()


def _send(task_name: str, args: tuple[object, ...], waiting: str) -> None:
    from .. import tasks  # the tasks module imports the services

    task = getattr(tasks, task_name)
    try:
        task.delay(*args)
    except kombu.exceptions.OperationalError as error:
        logger.warning("Broker unavailable; %s wait for the sweep job: %s", waiting, error)
