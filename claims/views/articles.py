"""Articles in the workbench: paste or fetch one (the same ingest as every other door), then read
its sentences with their scores, see which joined the queue, and promote any that should have."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .. import selectors
from ..choices import EXTRACTION_UNFINISHED, ClaimStatus
from ..errors import InvalidInputError
from ..forms import ArticleIngestForm
from ..models import Appearance, Article
from ..roles import require_reviewer
from ..rules import CLAIM_TRANSITIONS, ClaimAction
from ..services.articles import article_extraction_retry, article_ingest
from .base import action, page

# How often an article's page reloads itself while its claims are being extracted.
PROGRESS_REFRESH_SECONDS = 2
# The id of the article page's progress box (htmx names it in the HX-Trigger header of its refreshes).
EXTRACTION_PROGRESS_ID = "extraction-progress"


def ingest_posted_article(request: HttpRequest, form: ArticleIngestForm) -> Article | None:
    """Ingest what a valid article form holds and tell the person what became of it (the admin's
    add page does the same). On a refusal the reason goes on the form and nothing is returned."""
    try:
        result = article_ingest(user=request.user, background=True, **form.ingest_arguments())
    except InvalidInputError as error:
        form.add_error(None, error.message)
        return None
    article = result.article
    if result.created:
        messages.success(request, f"Stored “{article}”. Its claims are being extracted; this page shows the progress.")
    else:
        messages.info(request, f"This article was already stored as “{article}”; nothing was added.")
    return article


@page
def article_add(request: HttpRequest) -> HttpResponse:
    require_reviewer(request.user)
    form = ArticleIngestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        article = ingest_posted_article(request, form)
        if article is not None:
            return redirect("claims:article", article_id=article.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "claims/article_add.html", {"form": form, "nav": "article_add"}, status=status)


@page
def article_detail(request: HttpRequest, article_id: int) -> HttpResponse:
    article = selectors.article_get_for_user(user=request.user, article_id=article_id)
    claims = list(article.claims.order_by("start", "id"))
    # A sentence the article repeats (a quote in the lead and again further down) is one claim with
    # several appearances here; one that repeats a claim already at the desk is that claim's.
    appearances = list(Appearance.objects.filter(article=article).select_related("claim").order_by("start", "id"))
    said_here = Counter(appearance.claim_id for appearance in appearances)
    for claim in claims:
        claim.said_here = said_here.get(claim.pk, 1)  # type: ignore[attr-defined]
    repeats = [appearance for appearance in appearances if appearance.claim.article_id != article.pk]
    unfinished = article.extraction_status in EXTRACTION_UNFINISHED
    return render(
        request,
        "claims/article.html",
        {
            "article": article,
            "claims": claims,
            "sentence_count": len(appearances) or len(claims),
            "repeats": repeats,
            "queued": sum(claim.status != ClaimStatus.CANDIDATE for claim in claims),
            "not_read_by_model": [claim for claim in claims if claim.checkworthiness_method != "model"],
            "promotable": CLAIM_TRANSITIONS[ClaimAction.PROMOTE].allowed_from,
            "unfinished": unfinished,
            # The progress box asked for the page and the claims are in: the box gives way to them.
            "progress_ended": not unfinished and request.headers.get("HX-Trigger") == EXTRACTION_PROGRESS_ID,
            "refresh_seconds": PROGRESS_REFRESH_SECONDS,
            "progress_id": EXTRACTION_PROGRESS_ID,
        },
    )


@action
def article_retry(request: HttpRequest, article_id: int) -> HttpResponse:
    article_extraction_retry(user=request.user, article_id=article_id)
    messages.success(request, "Extraction queued again.")
    return redirect("claims:article", article_id=article_id)
