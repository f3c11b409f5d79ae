"""1,000 articles ingested through the HTTP API by 8 concurrent clients, some of them sending the
same article twice (with and without the same Idempotency-Key): every article and claim is stored
exactly once, and what the responses reported is what the database holds."""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.db.models import Count

from claims.choices import TokenScope
from claims.models import Appearance, Article, Claim, IdempotencyRecord
from claims.services.articles import article_extract
from claims.services.tokens import token_create
from tests.factories import UserFactory
from tests.integration.conftest import celery_publishing_to

pytestmark = [pytest.mark.integration]

ARTICLES = 1000
CLIENTS = 8
# Two clients share each user, so they share that user's Idempotency-Key space.
USERS = CLIENTS // 2
CITIES = ["Aberdeen", "Bologna", "Cork", "Dresden", "Eindhoven", "Faro", "Graz", "Haarlem", "Ghent", "Lyon"]


def article_payload(number: int) -> dict[str, str]:
    """A short article whose text (and so its content hash) differs for every number."""
    city = CITIES[number % len(CITIES)]
    return {
        "title": f"Council bulletin {number}",
        "outlet": "Example Wire",
        "published_at": f"2025-{number % 12 + 1:02d}-{number % 28 + 1:02d}",
        "text": (
            f"The mayor of {city} said unemployment fell by {number % 17 + 2} percent in 2024. "
            f"The council approved a budget of {number + 3} million euros for bulletin {number}. "
            f"Officials said {number * 7 % 900 + 100} new homes were finished last year. "
            "The meeting ended early."
        ),
    }


@dataclass(frozen=True)
class Sent:
    number: int
    client: int
    key: str | None
    status: int
    replayed: bool
    body: dict


def _plans() -> list[list[tuple[int, str | None]]]:
    """Per client, the (article number, Idempotency-Key) pairs it sends, in order. Every article goes
    out once with a key; every tenth also from the other client of the same user with the same key
    (a concurrent retry); every tenth, offset by five, also from a client of another user without a
    key (the same story arriving twice)."""
    plans: list[list[tuple[int, str | None]]] = [[] for _ in range(CLIENTS)]
    for number in range(ARTICLES):
        owner = number % CLIENTS
        key = f"bulletin-{number}"
        plans[owner].append((number, key))
        if number % 10 == 0:
            plans[owner ^ 1].append((number, key))
        if number % 10 == 5:
            plans[(owner + 3) % CLIENTS].append((number, None))
    return plans


@pytest.fixture
def celery_publishes_in_memory() -> Iterator[None]:
    """The claim jobs each ingest queues go to an in-process broker: nothing here needs them run,
    and the shared Redis must not collect thousands of jobs for a database that is dropped after."""
    with celery_publishing_to("memory://"):
        yield


# A client told that its key is still in use (409) waits as long as Retry-After says, this many times at most.
IN_PROGRESS_RETRIES = 10


def _client_run(
    base_url: str, secret: str, client: int, plan, sent: list[Sent], errors: list[str], waits: list[int] | None = None
) -> None:
    address = urlsplit(base_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    for number, key in plan:
        headers = {"Authorization": f"Token {secret}", "Content-Type": "application/json"}
        if key is not None:
            headers["Idempotency-Key"] = key
        try:
            for _attempt in range(IN_PROGRESS_RETRIES + 1):
                connection.request(
                    "POST", "/api/v1/articles/", body=json.dumps(article_payload(number)), headers=headers
                )
                response = connection.getresponse()
                body = response.read()
                if response.status != 409 or response.getheader("Retry-After") is None:
                    break
                # The other client of this user is still ingesting the article under the same key.
                if waits is not None:
                    waits.append(number)
                time.sleep(int(response.getheader("Retry-After")))
        except (OSError, http.client.HTTPException) as error:
            errors.append(f"client {client}, article {number}: {error!r}")
            connection.close()
            connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
            continue
        if response.status not in (200, 202):
            errors.append(f"client {client}, article {number}: {response.status} {body[:300]!r}")
            continue
        sent.append(
            Sent(
                number=number,
                client=client,
                key=key,
                status=response.status,
                replayed=response.getheader("Idempotent-Replayed") == "true",
                body=json.loads(body),
            )
        )
    connection.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_eight_clients_ingest_a_thousand_articles_and_each_is_stored_once(
    live_server, settings, celery_publishes_in_memory
):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {}}
    users = [UserFactory(username=f"wire_desk_{n}", roles=["reviewer"]) for n in range(USERS)]
    secrets = [
        token_create(user=users[client // 2], name=f"wire client {client}", scope=TokenScope.WRITE).secret
        for client in range(CLIENTS)
    ]
    plans = _plans()
    sent: list[Sent] = []
    errors: list[str] = []
    waits: list[int] = []
    threads = [
        threading.Thread(
            target=_client_run, args=(live_server.url, secrets[client], client, plans[client], sent, errors, waits)
        )
        for client in range(CLIENTS)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started

    # Retries after the fact, one by one: each answers with the recorded response and stores nothing.
    retried = [entry for entry in sent if entry.key is not None and entry.number % 50 == 1]
    replays: list[Sent] = []
    for entry in retried:
        _client_run(live_server.url, secrets[entry.client], entry.client, [(entry.number, entry.key)], replays, errors)

    assert errors == []
    requests = sum(len(plan) for plan in plans)
    assert len(sent) == requests
    print(f"\n{requests} ingest requests from {CLIENTS} clients in {seconds:.1f} s ({requests / seconds:.1f}/s)")

    by_article: dict[int, list[Sent]] = defaultdict(list)
    for entry in sent:
        by_article[entry.number].append(entry)
    assert sorted(by_article) == list(range(ARTICLES))
    for number, entries in by_article.items():
        # Every response for an article names the same stored article.
        assert len({entry.body["id"] for entry in entries}) == 1, number
        assert {entry.body["title"] for entry in entries} == {f"Council bulletin {number}"}
        # Exactly one request stored it and says so (202: its extraction is queued). A concurrent
        # request with the same key is told to retry while the first runs, then gets the first's
        # answer replayed.
        assert sum(entry.status == 202 and not entry.replayed for entry in entries) == 1, number
    # The extraction jobs were only published: run each article's, twice (a redelivery adds nothing).
    for article_id in Article.objects.values_list("id", flat=True):
        article_extract(article_id=article_id)
        article_extract(article_id=article_id)
    reported_claims = Claim.objects.count()

    # Only a same-key race makes a client wait.
    assert all(number % 10 == 0 for number in waits), waits
    print(f"{len(waits)} times a client was told its key was still in use, for {len(set(waits))} articles")
    assert Article.objects.count() == ARTICLES
    assert not Article.objects.values("content_hash").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert Claim.objects.count() == reported_claims > 0
    # Bulletins repeat their sentences (the same city and figure come back): a repeat is an
    # appearance of the claim already at the desk, so every sentence is recorded, fewer as claims.
    assert Appearance.objects.count() > ARTICLES > reported_claims
    assert not Claim.objects.values("article", "start").annotate(n=Count("id")).filter(n__gt=1).exists()
    # One creation record per claim: no claim was written, rolled back and written again.
    assert Claim.history.filter(history_type="+").count() == reported_claims
    assert IdempotencyRecord.objects.count() == len({(entry.client // 2, entry.key) for entry in sent if entry.key})

    assert len(replays) == len(retried) > 0
    first_answers = {(entry.client, entry.number): entry for entry in sent}
    for replay in replays:
        assert replay.replayed
        assert replay.body["id"] == first_answers[(replay.client, replay.number)].body["id"]
    assert Article.objects.count() == ARTICLES
    assert Claim.objects.count() == reported_claims
