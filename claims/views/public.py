"""The reader's side: a page per published check, and an index with search and a rating filter.
No sign-in; the same Content-Security-Policy as the workbench (no inline script or style: the
page's JSON-LD is a data block, which browsers never run)."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from ..errors import NotFoundError
from ..exports.claimreview import claim_review
from ..public import (
    INDEX_PAGE_SIZE,
    claim_slug,
    public_check_from_claim,
    public_check_get,
    public_check_record,
    public_index,
    public_ratings,
)
from ..services.exports import desk_from_settings
from .base import with_security_headers

# Inside <script>, "</script>" or "<!--" in a claim's text would end or confuse the block: escape
# the characters that can start markup, as Django's json_script does.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _json_ld(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=1).translate(_JSON_SCRIPT_ESCAPES)


def _public_page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    response = render(request, template, {**context, "desk_name": settings.DESK_NAME})
    return with_security_headers(response)


@require_safe
def check_page(request: HttpRequest, claim_id: int, slug: str = "") -> HttpResponse:
    try:
        check = public_check_get(claim_id=claim_id)
    except NotFoundError:
        raise Http404("No published check here.") from None
    if slug != claim_slug(check.text):
        return redirect(check.path, permanent=True)
    json_ld = ""
    # While the claim is under review again, the old rating is shown as what was published, but
    # not offered to aggregators as this desk's current ClaimReview.
    if not check.under_review:
        review = claim_review(public_check_record(check), desk=desk_from_settings())
        json_ld = _json_ld({"@context": "https://schema.org", **review})
    return _public_page(request, "claims/public/check.html", {"check": check, "json_ld": json_ld})


@require_safe
def check_index(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    ratings = list(public_ratings())
    rating_id = None
    rating_param = request.GET.get("rating", "")
    if rating_param.isdigit() and any(rating.pk == int(rating_param) for rating in ratings):
        rating_id = int(rating_param)
    paginator = Paginator(public_index(query=query, rating_id=rating_id), INDEX_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    checks = [public_check_from_claim(claim) for claim in page.object_list]
    return _public_page(
        request,
        "claims/public/index.html",
        {"checks": checks, "page": page, "query": query, "ratings": ratings, "rating_id": rating_id},
    )
