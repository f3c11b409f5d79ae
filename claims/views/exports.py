"""The Export page: published verdicts downloaded as ClaimReview, CSV or JSON Lines, streamed by the
same export the API and ``manage.py export_claims`` use."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from .. import selectors
from ..errors import PermissionDeniedError
from ..forms import ExportForm
from ..roles import can_edit
from ..services.exports import claims_export
from .base import page


@page
def export_page(request: HttpRequest) -> HttpResponse:
    if not can_edit(request.user):
        raise PermissionDeniedError("Only editors export verdicts.")
    ratings = selectors.ratings_active()
    if "export_format" not in request.GET:
        form = ExportForm(ratings=ratings)
        return render(request, "claims/export.html", {"form": form, "nav": "export"})
    form = ExportForm(request.GET, ratings=ratings)
    if not form.is_valid():
        return render(request, "claims/export.html", {"form": form, "nav": "export"}, status=400)
    published_from, published_before = form.range_bounds()
    rating = form.cleaned_data["rating"]
    export = claims_export(
        export_format=form.cleaned_data["export_format"],
        published_from=published_from,
        published_before=published_before,
        rating_id=rating.pk if rating else None,
    )
    response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
