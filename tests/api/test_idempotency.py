"""The Idempotency-Key service on its own (the ingest endpoint uses it)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from claims.errors import InvalidInputError
from claims.models import Article, IdempotencyRecord
from claims.services.idempotency import (
    IdempotencyKeyInProgressError,
    IdempotencyKeyReusedError,
    idempotent_response,
    request_fingerprint,
)

pytestmark = pytest.mark.django_db


def counting_producer():
    calls = []

    def produce():
        calls.append(1)
        return 201, {"id": len(calls)}

    return produce, calls


def test_it_runs_once_per_key_and_replays_the_response(reviewer):
    produce, calls = counting_producer()
    fingerprint = request_fingerprint(method="POST", path="/api/v1/articles/", payload={"text": "x"})
    first = idempotent_response(user=reviewer, key="k1", fingerprint=fingerprint, produce=produce)
    again = idempotent_response(user=reviewer, key="k1", fingerprint=fingerprint, produce=produce)
    assert (first.status, first.body, first.replayed) == (201, {"id": 1}, False)
    assert (again.status, again.body, again.replayed) == (201, {"id": 1}, True)
    assert len(calls) == 1


def test_keys_belong_to_one_user(reviewer, editor):
    produce, calls = counting_producer()
    idempotent_response(user=reviewer, key="shared", fingerprint="f", produce=produce)
    other = idempotent_response(user=editor, key="shared", fingerprint="f", produce=produce)
    assert other.replayed is False and len(calls) == 2


def test_the_same_key_for_a_different_request_is_refused(reviewer):
    produce, _ = counting_producer()
    idempotent_response(user=reviewer, key="k2", fingerprint="first", produce=produce)
    with pytest.raises(IdempotencyKeyReusedError) as refused:
        idempotent_response(user=reviewer, key="k2", fingerprint="second", produce=produce)
    assert refused.value.status_code == 422


def test_the_fingerprint_ignores_key_order_but_not_values():
    one = request_fingerprint(method="post", path="/p", payload={"a": 1, "b": 2})
    assert one == request_fingerprint(method="POST", path="/p", payload={"b": 2, "a": 1})
    assert one != request_fingerprint(method="POST", path="/p", payload={"a": 1, "b": 3})


@pytest.mark.parametrize("key", ["", "   ", "k" * 201])
def test_it_refuses_an_empty_or_overlong_key(reviewer, key):
    produce, calls = counting_producer()
    with pytest.raises(InvalidInputError):
        idempotent_response(user=reviewer, key=key, fingerprint="f", produce=produce)
    assert calls == []


# --- The key is reserved while the write runs ------------------------------------------------------

BODY = "The minister said unemployment fell by 3 percent in 2024. The meeting ended early."


def record(user, key):
    return IdempotencyRecord.objects.get(user=user, key=key)


def test_a_request_with_the_key_while_the_first_still_runs_is_told_to_retry(reviewer):
    answers = []

    def produce():
        # A second request with the same key arrives while this one is still writing.
        with pytest.raises(IdempotencyKeyInProgressError) as busy:
            idempotent_response(user=reviewer, key="k3", fingerprint="f", produce=lambda: answers.append(1))
        answers.append(busy.value)
        return 201, {"id": 7}

    first = idempotent_response(user=reviewer, key="k3", fingerprint="f", produce=produce)

    [busy] = answers
    assert busy.status_code == 409
    assert "still being processed" in busy.message
    assert busy.extra == {"idempotency_key": "k3", "retry_after_seconds": 1}
    assert (first.status, first.body, first.replayed) == (201, {"id": 7}, False)
    again = idempotent_response(user=reviewer, key="k3", fingerprint="f", produce=lambda: (500, None))
    assert (again.status, again.body, again.replayed) == (201, {"id": 7}, True)


def test_a_different_request_under_a_key_in_use_is_refused_as_reuse(reviewer):
    def produce():
        with pytest.raises(IdempotencyKeyReusedError):
            idempotent_response(user=reviewer, key="k4", fingerprint="other", produce=lambda: (201, {}))
        return 201, {"id": 1}

    assert idempotent_response(user=reviewer, key="k4", fingerprint="f", produce=produce).replayed is False


def test_a_failed_write_gives_the_key_back(reviewer):
    def fail():
        assert record(reviewer, "k5").response_status is None  # reserved while it runs
        raise InvalidInputError("Give the article as text, HTML or a URL to fetch.")

    with pytest.raises(InvalidInputError):
        idempotent_response(user=reviewer, key="k5", fingerprint="f", produce=fail)

    assert not IdempotencyRecord.objects.filter(key="k5").exists()
    retry = idempotent_response(user=reviewer, key="k5", fingerprint="f", produce=lambda: (201, {"id": 2}))
    assert (retry.status, retry.replayed) == (201, False)


def test_a_reservation_is_recent_until_the_timeout(reviewer, settings):
    settings.IDEMPOTENCY_PENDING_TIMEOUT_SECONDS = 60
    IdempotencyRecord.objects.create(user=reviewer, key="k6", request_fingerprint="f")
    IdempotencyRecord.objects.filter(key="k6").update(created_at=timezone.now() - dt.timedelta(seconds=50))
    produce, calls = counting_producer()

    with pytest.raises(IdempotencyKeyInProgressError):
        idempotent_response(user=reviewer, key="k6", fingerprint="f", produce=produce)
    assert calls == []


def test_an_abandoned_reservation_is_taken_over(reviewer, settings):
    settings.IDEMPOTENCY_PENDING_TIMEOUT_SECONDS = 60
    # A process reserved the key and died before answering.
    IdempotencyRecord.objects.create(user=reviewer, key="k7", request_fingerprint="f")
    IdempotencyRecord.objects.filter(key="k7").update(created_at=timezone.now() - dt.timedelta(seconds=61))
    produce, calls = counting_producer()

    taken = idempotent_response(user=reviewer, key="k7", fingerprint="f", produce=produce)

    assert (taken.status, taken.body, taken.replayed) == (201, {"id": 1}, False)
    assert len(calls) == 1
    stored = record(reviewer, "k7")
    assert (stored.response_status, stored.response_body) == (201, {"id": 1})
    assert timezone.now() - stored.created_at < dt.timedelta(seconds=10)


def test_a_request_whose_reservation_was_taken_over_leaves_the_new_holders_alone(reviewer):
    def slow_then_taken_over(outcome):
        def produce():
            # This request ran past the timeout and another request took its reservation over.
            IdempotencyRecord.objects.filter(key="k8").update(created_at=timezone.now() + dt.timedelta(seconds=1))
            if outcome == "fails":
                raise InvalidInputError("The fetch timed out.")
            return 201, {"id": 3}

        return produce

    with pytest.raises(InvalidInputError):
        idempotent_response(user=reviewer, key="k8", fingerprint="f", produce=slow_then_taken_over("fails"))
    assert record(reviewer, "k8").response_status is None  # not deleted: it is the other request's now

    IdempotencyRecord.objects.filter(key="k8").delete()
    answer = idempotent_response(user=reviewer, key="k8", fingerprint="f", produce=slow_then_taken_over("answers"))
    assert (answer.status, answer.replayed) == (201, False)
    assert record(reviewer, "k8").response_status is None  # the other request fills it in


def test_the_pending_timeout_has_a_default_in_settings(settings):
    assert settings.IDEMPOTENCY_PENDING_TIMEOUT_SECONDS == 60


# --- Over HTTP ---------------------------------------------------------------------------------------


def test_the_ingest_endpoint_answers_409_with_retry_after_while_the_key_is_in_use(client_as, tool_user):
    payload = {"text": BODY}
    fingerprint = request_fingerprint(method="POST", path="/api/v1/articles/", payload=payload)
    IdempotencyRecord.objects.create(user=tool_user, key="cms-50", request_fingerprint=fingerprint)
    client = client_as("write_token")

    busy = client.post("/api/v1/articles/", payload, format="json", HTTP_IDEMPOTENCY_KEY="cms-50")

    assert busy.status_code == 409
    assert busy["Retry-After"] == "1"
    assert busy.json() == {
        "message": "A request with this Idempotency-Key is still being processed; retry shortly.",
        "extra": {"idempotency_key": "cms-50", "retry_after_seconds": 1},
    }
    assert not Article.objects.exists()

    # The first request finishes; the retry the client was told to make gets its answer.
    IdempotencyRecord.objects.filter(key="cms-50").update(response_status=201, response_body={"id": 99})
    retry = client.post("/api/v1/articles/", payload, format="json", HTTP_IDEMPOTENCY_KEY="cms-50")
    assert (retry.status_code, retry.json(), retry["Idempotent-Replayed"]) == (201, {"id": 99}, "true")


def test_the_ingest_endpoint_frees_the_key_when_the_ingest_fails(client_as):
    client = client_as("write_token")
    # Valid input that the ingest service itself refuses: it ran under a reservation.
    failed = client.post("/api/v1/articles/", {"title": "no body"}, format="json", HTTP_IDEMPOTENCY_KEY="cms-51")
    assert failed.status_code == 400
    assert not IdempotencyRecord.objects.filter(key="cms-51").exists()
