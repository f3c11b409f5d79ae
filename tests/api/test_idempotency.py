"""The Idempotency-Key service on its own (the ingest endpoint uses it)."""

from __future__ import annotations

import pytest

from claims.errors import InvalidInputError
from claims.services.idempotency import IdempotencyKeyReusedError, idempotent_response, request_fingerprint

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
