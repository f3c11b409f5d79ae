"""Several requests with one Idempotency-Key at the same moment, over HTTP on PostgreSQL: exactly one
of them ingests the article and is answered "created"; each other one either gets that response
replayed or is told the key is still in use (409 with Retry-After), and no second article is stored."""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from claims.choices import TokenScope
from claims.models import Article, IdempotencyRecord
from claims.services.tokens import token_create
from tests.factories import UserFactory
from tests.integration.conftest import celery_publishing_to, raw_connection, sessions_waiting_on_locks

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

REQUESTS = 8
IN_PROGRESS = "A request with this Idempotency-Key is still being processed; retry shortly."
PAYLOAD = {
    "title": "Harbour council bulletin",
    "outlet": "Example Wire",
    "text": (
        "The mayor of Cork said unemployment fell by 4 percent in 2024. "
        "The council approved a budget of 12 million euros for the harbour. The meeting ended early."
    ),
}


@dataclass(frozen=True)
class Answer:
    status: int
    replayed: bool
    retry_after: str | None
    body: dict


@pytest.fixture
def celery_publishes_in_memory() -> Iterator[None]:
    # The claim jobs the ingest queues are not needed here and must not pile up in the shared Redis.
    with celery_publishing_to("memory://"):
        yield


@pytest.fixture
def secret(db) -> str:
    user = UserFactory(username="wire_desk", roles=["reviewer"])
    return token_create(user=user, name="wire client", scope=TokenScope.WRITE).secret


def post(base_url: str, secret: str, key: str) -> Answer:
    address = urlsplit(base_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    try:
        connection.request(
            "POST",
            "/api/v1/articles/",
            body=json.dumps(PAYLOAD),
            headers={"Authorization": f"Token {secret}", "Content-Type": "application/json", "Idempotency-Key": key},
        )
        response = connection.getresponse()
        return Answer(
            status=response.status,
            replayed=response.getheader("Idempotent-Replayed") == "true",
            retry_after=response.getheader("Retry-After"),
            body=json.loads(response.read()),
        )
    finally:
        connection.close()


def in_threads(count: int, send) -> tuple[list[threading.Thread], list[Answer], list[BaseException]]:
    answers: list[Answer] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            answers.append(send())
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    return threads, answers, errors


def assert_in_progress(answer: Answer) -> None:
    assert answer.status == 409, answer
    assert answer.retry_after == "1"
    assert answer.body == {"message": IN_PROGRESS, "extra": {"idempotency_key": "cms-1", "retry_after_seconds": 1}}


def test_while_one_request_ingests_the_others_with_its_key_are_told_to_retry(
    live_server, settings, secret, celery_publishes_in_memory
):
    """Deterministic: the test holds a lock that keeps the first request from storing its article, so
    every other request with the key arrives while the first is certainly still running."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {}}
    with raw_connection() as gate, raw_connection() as observer:
        gate.execute("BEGIN")
        # Reads go on; the ingest's INSERT waits.
        gate.execute("LOCK TABLE claims_article IN EXCLUSIVE MODE")
        first_threads, first_answers, first_errors = in_threads(1, lambda: post(live_server.url, secret, "cms-1"))
        deadline = time.monotonic() + 30
        while sessions_waiting_on_locks(observer) < 1:
            assert time.monotonic() < deadline, f"the first ingest never reached the lock: {first_errors}"
            assert not first_answers and not first_errors, (first_answers, first_errors)
            time.sleep(0.01)

        threads, answers, errors = in_threads(REQUESTS - 1, lambda: post(live_server.url, secret, "cms-1"))
        for thread in threads:
            thread.join(timeout=30)
        # Answered while the first request is still held at the lock, so none of them waited on it.
        assert sessions_waiting_on_locks(observer) == 1
        gate.execute("COMMIT")
    first_threads[0].join(timeout=30)

    assert errors == first_errors == []
    assert len(answers) == REQUESTS - 1
    for answer in answers:
        assert_in_progress(answer)
    [created] = first_answers
    assert (created.status, created.replayed) == (202, False)

    retry = post(live_server.url, secret, "cms-1")
    assert (retry.status, retry.replayed, retry.body) == (202, True, created.body)
    assert Article.objects.count() == 1
    stored = IdempotencyRecord.objects.get()
    assert (stored.response_status, stored.response_body["id"]) == (202, created.body["id"])


def test_of_many_requests_sent_at_once_with_one_key_exactly_one_is_answered_created(
    live_server, settings, secret, celery_publishes_in_memory
):
    """Undirected: the requests start together and PostgreSQL decides the order."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {}}
    start = threading.Barrier(REQUESTS)

    def send() -> Answer:
        start.wait(timeout=30)
        return post(live_server.url, secret, "cms-1")

    threads, answers, errors = in_threads(REQUESTS, send)
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(answers) == REQUESTS
    created = [answer for answer in answers if answer.status == 202 and not answer.replayed]
    assert len(created) == 1, answers
    for answer in answers:
        if answer is created[0]:
            continue
        if answer.status == 409:
            assert_in_progress(answer)
        else:
            assert (answer.status, answer.replayed, answer.body) == (202, True, created[0].body)
    print(f"\n{sum(answer.status == 409 for answer in answers)} of {REQUESTS} were told to retry")

    retry = post(live_server.url, secret, "cms-1")
    assert (retry.status, retry.replayed, retry.body) == (202, True, created[0].body)
    assert Article.objects.count() == 1
    assert IdempotencyRecord.objects.get().response_status == 202
