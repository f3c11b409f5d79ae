"""A searched queue shows the same pages however the search is answered: on PostgreSQL the claims
of highest priority are tested first, and the whole status is searched only when they hold too few
matches for the page (claims.views.queue._walk_head_first)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from claims.choices import QUEUE_STATUSES, ClaimStatus
from claims.views import queue as queue_view
from tests.factories import ArticleFactory, ClaimFactory
from tests.ui.signed_in import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    """130 new claims, every other one about the harbour, two about the lighthouse (low in the
    queue), one article whose title names the port; and a few claims in review or done."""
    plain, titled = ArticleFactory(title="Budget report"), ArticleFactory(title="Port authority figures")
    claims = []
    for n in range(130):
        words = "harbour dues" if n % 2 == 0 else "road tolls"
        if n in (5, 7):
            words += " near the lighthouse"
        claims.append(
            ClaimFactory(article=titled if n % 10 == 1 else plain, text=f"The {words} rose {n} percent.", priority=n)
        )
    for n, status in enumerate([ClaimStatus.IN_REVIEW, ClaimStatus.REOPENED, ClaimStatus.PUBLISHED] * 3):
        claims.append(
            ClaimFactory(article=plain, text=f"The harbour dues were {n} euros.", priority=n + 0.5, status=status)
        )
    return claims


def expected(claims, *words: str) -> list[int]:
    def matches(claim) -> bool:
        return all(
            word.lower() in f"{claim.text} {claim.speaker or ''} {claim.article.title}".lower() for word in words
        )

    queued = [claim for claim in claims if claim.status in QUEUE_STATUSES and matches(claim)]
    return [claim.pk for claim in sorted(queued, key=lambda claim: (-claim.priority, claim.pk))]


def shown(client, **params) -> tuple[list[int], bool]:
    page = client.get(reverse("claims:queue"), params)
    assert page.status_code == 200
    return [row["pk"] for row in page.context["claims"]], page.context["has_next"]


SEARCHES = ["harbour", "harbour dues", "lighthouse", "lighthouse near", "port", "port harbour", "rose nowhere"]


@pytest.mark.parametrize("search", SEARCHES)
@pytest.mark.parametrize("rows_per_row", [1, 2, 20])
def test_a_searched_queue_pages_through_every_match_in_priority_order(
    desk, reviewer, monkeypatch, rows_per_row, search
):
    # 1: the first claims hold too few matches; 2: exactly a page's worth; 20: the whole status.
    monkeypatch.setattr(queue_view, "SEARCH_HEAD_ROWS_PER_ROW", rows_per_row)
    client = client_for(reviewer)
    want = expected(desk, *search.split())
    first, more = shown(client, q=search)
    second, after_second = shown(client, q=search, page=2)
    assert first == want[:50]
    assert more == (len(want) > 50)
    assert second == want[50:100]
    assert after_second == (len(want) > 100)


def test_a_searched_queue_keeps_the_other_filters(desk, reviewer, monkeypatch):
    monkeypatch.setattr(queue_view, "SEARCH_HEAD_ROWS_PER_ROW", 1)
    client = client_for(reviewer)
    in_review = [claim for claim in desk if claim.status == ClaimStatus.IN_REVIEW]
    assert shown(client, q="harbour dues", status="in_review")[0] == expected(in_review, "harbour", "dues")


def test_a_search_for_the_words_standing_for_a_walks_status_finds_them_and_nothing_else(reviewer):
    """Each status's walk is compiled once with a stand-in for its status, then given the status:
    a search made of the stand-in's very words is still searched for, in every status."""
    article = ArticleFactory(title="Budget report")
    wanted = [
        ClaimFactory(article=article, text=f"The {queue_view._WALK_STATUS} rose {n} percent.", status=status)
        for n, status in enumerate(QUEUE_STATUSES)
    ]
    ClaimFactory(article=article, text="The harbour dues rose.")
    page = client_for(reviewer).get(reverse("claims:queue"), {"q": queue_view._WALK_STATUS})
    assert sorted(row["pk"] for row in page.context["claims"]) == sorted(claim.pk for claim in wanted)


def test_the_filter_and_search_forms_show_what_each_page_was_asked_for(reviewer, desk):
    """The forms are drawn once per query string and kept: each page still shows its own."""
    client = client_for(reviewer)

    def page(**query) -> str:
        return client.get(reverse("claims:queue"), query).content.decode()

    for word in ["harbour", "lighthouse", "harbour", "<b>"]:
        shown = escape(word)
        assert f'name="q" id="queue-q" value="{shown}"' in page(q=word)
        assert f'<input type="hidden" name="q" value="{shown}">' in page(q=word)
    assert '<option value="-priority" selected>' in page()
    assert '<option value="created_at" selected>' in page(ordering="created_at")
    assert '<option value="-priority" selected>' not in page(page="2")
    refused = page(min_checkworthiness="7")
    assert 'value="7" min="0" max="1" step="any" aria-invalid="true"' in refused
    assert 'aria-invalid="true"' not in page(min_checkworthiness="0.5")
