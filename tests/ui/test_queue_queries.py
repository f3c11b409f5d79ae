"""The queue page and the claim list read a fixed number of queries, however many claims there are
(no query per row: priority explanations, findings, outlets, holders and verdicts come with the page)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from claims import selectors
from claims.choices import ClaimStatus, FindingState
from claims.models import Appearance, Claim, Finding, Rating, Verdict
from claims.selectors import queue_counts, queue_counts_capped
from claims.views import queue as queue_view
from tests.factories import ArticleFactory, ClaimFactory, UserFactory
from tests.ui.signed_in import client_for

pytestmark = pytest.mark.django_db

SORTS = ["-priority", "-created_at", "-appearance_count", "created_at"]
QUERIES = [{}, {"q": "unemployment"}, {"q": "by 4"}, {"status": ["new", "in_review"]}]


def add_claims(count: int, *, holder) -> None:
    """Claims as a desk has them: repeated in other articles, some flagged, held or with a verdict."""
    articles = [ArticleFactory(title=f"Labour market report {n}") for n in range(3)]
    for n in range(count):
        claim = ClaimFactory(article=articles[n % 3], speaker=f"Minister {n}", appearance_count=1 + n % 4)
        for article in articles[: 1 + n % 4]:
            Appearance.objects.create(claim=claim, article=article, text=claim.text)
        if n % 3 == 0:
            Finding.objects.create(claim=claim, check_name="number", span_text=f"{n}", message="Differs.")
        if n % 5 == 0:
            claim.status, claim.assignee = ClaimStatus.IN_REVIEW, holder
            claim.lease_expires_at = timezone.now() + dt.timedelta(minutes=30)
            claim.save()
        if n % 7 == 0:
            claim.status = ClaimStatus.DRAFTED
            claim.save()
            Verdict.objects.create(claim=claim, rating=Rating.objects.first(), author=holder)


def queries_of(get) -> list[int]:
    counts = []
    for sort in SORTS:
        for query in QUERIES:
            with CaptureQueriesContext(connection) as captured:
                response = get({**query, "ordering": sort})
            assert response.status_code == 200, (sort, query)
            counts.append(len(captured))
    return counts


def test_the_queue_reads_as_many_queries_for_many_claims_as_for_few(reviewer):
    holder = UserFactory(username="holder", roles=["reviewer"])
    client = client_for(reviewer)

    def get(params):
        return client.get(reverse("claims:queue"), params)

    add_claims(6, holder=holder)
    few = queries_of(get)
    add_claims(60, holder=holder)
    assert len(get({}).context["claims"]) == 50
    assert queries_of(get) == few
    # Session, user, roles, the page's rows, the sidebar's counts, saved filters; on SQLite, one more
    # per searched word: how common it is decides between lookup and ordered read.
    assert max(few) <= 6 + (1 if connection.vendor == "sqlite" else 0)


def test_the_claim_list_reads_as_many_queries_for_many_claims_as_for_few(reviewer):
    holder = UserFactory(username="holder", roles=["reviewer"])
    api = APIClient()
    api.force_login(reviewer)

    def get(params):
        return api.get("/api/v1/claims/", params)

    add_claims(6, holder=holder)
    few = queries_of(get)
    add_claims(60, holder=holder)
    assert len(get({}).json()["results"]) == 50
    assert queries_of(get) == few
    assert max(few) <= 5


def test_the_sidebar_counts_are_exact_up_to_the_cap_then_say_more(reviewer, monkeypatch):
    add_claims(9, holder=reviewer)
    assert queue_counts_capped(user=reviewer) == queue_counts(user=reviewer)
    capped = queue_counts_capped(user=reviewer, cap=2)
    exact = queue_counts(user=reviewer)
    assert capped == {status: min(count, 3) for status, count in exact.items()}
    page = client_for(reviewer).get(reverse("claims:queue"))
    shown = {row["status"]: row["count"] for row in page.context["counts"]}
    assert shown[ClaimStatus.NEW] == exact[ClaimStatus.NEW]

    monkeypatch.setattr(selectors, "QUEUE_COUNT_CAP", 2)
    page = client_for(reviewer).get(reverse("claims:queue"))
    shown = {row["status"]: row["count"] for row in page.context["counts"]}
    assert exact[ClaimStatus.NEW] > 2 and shown[ClaimStatus.NEW] == "2+"
    assert '<span class="count">2+</span>' in page.content.decode()


def shown_ids(page) -> list[int]:
    return [row["pk"] for row in page.context["claims"]]


def test_the_first_page_holds_the_highest_priorities_of_every_queued_status(reviewer):
    """Each status is read in priority order before the merge: rows stored lowest first must not
    leave the best claims off the page (PostgreSQL returns an unordered read in storage order)."""
    article = ArticleFactory()
    claims = [ClaimFactory(article=article, priority=float(n)) for n in range(70)]
    reopened = ClaimFactory(article=article, priority=35.5, status=ClaimStatus.REOPENED)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The plan a running desk's statistics lead to on a small table: read in storage order.
            # (SET LOCAL ends with the test's transaction; ANALYZE would leave row counts behind.)
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
    page = client_for(reviewer).get(reverse("claims:queue"))
    by_priority = sorted([*claims, reopened], key=lambda claim: -claim.priority)
    assert shown_ids(page) == [claim.pk for claim in by_priority[:50]]
    second = client_for(reviewer).get(reverse("claims:queue"), {"page": 2})
    assert shown_ids(second) == [claim.pk for claim in by_priority[50:]]


@pytest.mark.parametrize("ordering", SORTS)
def test_the_rows_statement_reads_each_row_as_the_orm_reads_it(reviewer, ordering):
    """The rows' SELECT is compiled once per sort and run with each page's ids: the values come back
    converted as values() converts them (JSON lists, booleans, aware instants)."""
    add_claims(12, holder=UserFactory(username="holder", roles=["reviewer"]))
    for page_ids in [Claim.objects.order_by("id")[:8], Claim.objects.order_by("-id")[:5]]:
        page_sql, page_params = Claim.objects.filter(pk__in=page_ids).values("pk").query.sql_with_params()
        read = queue_view._read_rows(page_sql, list(page_params), ordering=ordering, using=connection.alias)
        open_findings = Finding.objects.filter(claim_id=OuterRef("pk")).exclude(state=FindingState.DISMISSED)
        expected = list(
            Claim.objects.filter(pk__in=page_ids)
            .annotate(flagged=Exists(open_findings))
            .order_by(ordering, "id")
            .values(*queue_view.QUEUE_ROW_COLUMNS)
        )
        assert read == expected
        assert {type(row["flagged"]) for row in read} == {bool} and any(row["flagged"] for row in read)
        assert all(isinstance(row["claim_types"], list) and row["created_at"].tzinfo for row in read)
