"""Adding an article in the workbench and reading its sentences: the same ingest as every door."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils.html import escape

from claims.choices import ClaimStatus
from claims.models import Article, Claim
from tests.ui.conftest import SEED_ARTICLE
from tests.ui.signed_in import client_for, page_messages


def _fields(**changes: str) -> dict[str, str]:
    return {"body": "", "url": "", "title": "", "outlet": "", "author": "", "published_at": "", **changes}


def _current_nav_item(page: str) -> str | None:
    found = re.search(r'<a [^>]*aria-current="page"[^>]*>([^<]*)<', page)
    return found.group(1).strip() if found else None


def test_a_reviewer_adds_an_article_and_promotes_a_sentence_below_the_threshold(
    reviewer, django_capture_on_commit_callbacks
):
    client = client_for(reviewer)
    form = client.get(reverse("claims:article_add"))
    assert form.status_code == 200 and _current_nav_item(form.content.decode()) == "Add article"
    seed = SEED_ARTICLE.read_text(encoding="utf-8")

    with django_capture_on_commit_callbacks() as jobs:
        response = client.post(
            reverse("claims:article_add"),
            _fields(body=seed, title="Zelensky offers talks", outlet="Wire", published_at="2025-05-12"),
            follow=True,
        )

    article = Article.objects.get()
    assert response.redirect_chain[-1][0] == reverse("claims:article", args=[article.pk])
    assert page_messages(response) == [
        "Stored “Zelensky offers talks”. Its claims are being extracted; this page shows the progress."
    ]
    waiting = response.content.decode()
    assert 'http-equiv="refresh"' in waiting and "<progress" in waiting and not article.claims.exists()
    # A boosted navigation never reads the <meta> refresh: the progress box polls the page itself.
    assert 'hx-trigger="every 2s"' in waiting
    for job in jobs:
        job()
    page = client.get(reverse("claims:article", args=[article.pk])).content.decode()
    assert 'http-equiv="refresh"' not in page and 'hx-trigger="every' not in page
    assert "Zelensky offers talks" in page and "23 sentences" in page
    # An article's page is not the form that added it: no menu item claims it.
    assert _current_nav_item(page) is None
    assert escape("Former U.S. President Donald Trump") in page

    candidate = article.claims.get(text__startswith="And I will be waiting for Putin")
    assert candidate.status == ClaimStatus.CANDIDATE
    assert f'action="{reverse("claims:promote", args=[candidate.pk])}"' in page
    back = reverse("claims:article", args=[article.pk])
    promoted = client.post(reverse("claims:promote", args=[candidate.pk]), {"next": back}, follow=True)
    assert promoted.redirect_chain[-1][0] == back
    assert Claim.objects.get(pk=candidate.pk).status == ClaimStatus.NEW
    # From any claim, the article's other sentences are one link away.
    workspace = client.get(reverse("claims:workspace", args=[candidate.pk])).content.decode()
    assert f'href="{back}"' in workspace


def test_the_same_article_again_is_recognised(reviewer, django_capture_on_commit_callbacks):
    client = client_for(reviewer)
    body = "Inflation fell to 3.2 percent in October, the Labor Department said on Tuesday."
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse("claims:article_add"), _fields(body=body), follow=True)
    assert page_messages(first) == [
        f"Stored “Article {Article.objects.get().pk}”. Its claims are being extracted; this page shows the progress."
    ]
    response = client.post(reverse("claims:article_add"), _fields(body=body, title="Again"), follow=True)

    assert page_messages(response) == [
        f"This article was already stored as “Article {Article.objects.get().pk}”; nothing was added."
    ]
    assert Article.objects.count() == 1 and Claim.objects.count() == 1


def test_bad_input_is_refused_with_the_reason_and_the_text_kept(reviewer, settings):
    client = client_for(reviewer)
    refusals = [
        (_fields(), "Paste the article, or give its URL and tick"),
        (_fields(body="<html><body><script>steal()</script></body></html>"), "no readable text"),
        (_fields(body="x" * (settings.INGEST_MAX_BYTES + 1)), "the limit is"),
        (_fields(url="http://127.0.0.1:9/private", fetch="on"), "non-public address"),
    ]
    for fields, reason in refusals:
        response = client.post(reverse("claims:article_add"), fields)
        assert response.status_code == 400, reason
        page = response.content.decode()
        assert reason in page
        assert escape(fields["body"][:50]) in page
    assert Article.objects.count() == 0


def test_people_outside_the_desk_cannot_add_or_read_articles(outsider, reviewer):
    client_for(reviewer).post(reverse("claims:article_add"), _fields(body="Prices rose 5 percent in May."))
    article = Article.objects.get()
    client = client_for(outsider)
    assert client.get(reverse("claims:article_add")).status_code == 403
    assert client.post(reverse("claims:article_add"), _fields(body="Taxes rose 2 percent.")).status_code == 403
    assert client.get(reverse("claims:article", args=[article.pk])).status_code == 403
    assert Article.objects.count() == 1


def test_a_paste_beyond_the_upload_limit_gets_a_page_that_says_why(reviewer, settings):
    response = client_for(reviewer).post(
        reverse("claims:article_add"), _fields(body="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))
    )
    assert response.status_code == 413
    assert "too large for this workbench" in response.content.decode()
    assert Article.objects.count() == 0
