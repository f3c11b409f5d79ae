from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import redis
from django.db import connection

from claims.models import SourcePassage
from claims.services import similarity
from claims.similarity.passages import chunk_passages
from tests.factories import SourceFactory

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _needs_postgresql(request):
    """The integration tier runs against the machine's PostgreSQL; on SQLite it would prove nothing."""
    if connection.vendor != "postgresql":
        pytest.fail("Integration tests need DATABASE_URL pointing at PostgreSQL (make test-integration sets it).")


def wait_for(
    condition: Callable[[], object],
    *,
    timeout: float,
    interval: float = 0.1,
    what: str,
    context: Callable[[], str] | None = None,
) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"Waited {timeout:.0f} s for {what}." + (f"\n{context()}" if context else ""))


def embedded_source_library() -> list[str]:
    """The packaged source library, its passages embedded in this process; returns its sentences."""
    sentences: list[str] = []
    for line in (PROJECT_ROOT / "fixtures" / "sources.jsonl").read_text().splitlines():
        row = json.loads(line)
        source = SourceFactory(url=row["url"], title=row["title"], body=row["body"], kind=row["kind"])
        SourcePassage.objects.bulk_create(
            SourcePassage(source=source, position=position, text=passage.text, start=passage.start, end=passage.end)
            for position, passage in enumerate(chunk_passages(row["body"]))
        )
        sentences += [sentence.strip().rstrip(".") for sentence in row["body"].split(". ") if len(sentence) > 30]
    similarity.passages_embed(passage_ids=list(SourcePassage.objects.values_list("id", flat=True)))
    return sentences


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A redis-server of our own on a free port, so a test may stop it without touching the shared one."""

    def __init__(self, workdir: Path) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._answers, timeout=10, interval=0.05, what=f"redis-server on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def _answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.exceptions.ConnectionError:
            return False

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=1)


@pytest.fixture
def private_redis(tmp_path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@contextlib.contextmanager
def celery_publishing_to(broker_url: str) -> Iterator[None]:
    """Point this process's Celery app at another broker. The app reads its broker URL from settings
    at import and caches its connection and producer pools, so those are dropped on the way in and out."""
    from kombu import pools

    from workbench.celery import app

    def drop_pools() -> None:
        # kombu keeps its pools in a process-wide registry keyed by URL; a closed pool left there
        # would be handed out again, so clear the registry as a fork does.
        pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    previous = app.conf.broker_url
    drop_pools()
    app.conf.broker_url = broker_url
    try:
        yield
    finally:
        drop_pools()
        app.conf.broker_url = previous


@dataclass
class WorkerProcess:
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill_group(self) -> None:
        """SIGKILL the pool's main process and its forked children at once, as an OOM kill or a
        lost machine would: nobody gets to acknowledge, reject or clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture
def start_worker(tmp_path) -> Iterator[Callable[..., WorkerProcess]]:
    """Start real Celery workers (prefork, one child unless told) on the test database; each in its own process
    group so a test can kill the whole worker. Every worker still running is stopped at teardown."""
    started: list[WorkerProcess] = []

    def start(*, broker_url: str, visibility_timeout: int = 600, concurrency: int = 1) -> WorkerProcess:
        database = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "workbench.settings.test",
            # The worker must see the test database pytest-django created, not the configured one.
            "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
            "REDIS_URL": broker_url,
            "CELERY_VISIBILITY_TIMEOUT": str(visibility_timeout),
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "OMP_NUM_THREADS": "1",
        }
        log_path = tmp_path / f"worker-{len(started)}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "workbench",
                    "worker",
                    "--pool=prefork",
                    f"--concurrency={concurrency}",
                    "-l",
                    "INFO",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = WorkerProcess(process=process, log_path=log_path)
        started.append(worker)
        wait_for(
            lambda: "ready." in worker.log() or process.poll() is not None,
            timeout=60,
            interval=0.2,
            what="the Celery worker to start",
        )
        if process.poll() is not None:
            pytest.fail(f"The worker exited at start:\n{worker.log()[-3000:]}")
        return worker

    yield start
    for worker in started:
        worker.stop()


def raw_connection() -> psycopg.Connection:
    """A connection of its own to the test database, outside Django: to hold or watch locks."""
    database = connection.settings_dict
    return psycopg.connect(
        host=database["HOST"], port=database["PORT"], user=database["USER"], dbname=database["NAME"], autocommit=True
    )


def sessions_waiting_on_locks(observer: psycopg.Connection) -> int:
    row = observer.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
    ).fetchone()
    return int(row[0])
