"""The source library: reference material reviewers cite as evidence. Editors add and import sources."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .. import selectors
from ..errors import InvalidInputError, NotFoundError, PermissionDeniedError
from ..forms import SourceForm, SourceImportForm, SourceSearchForm
from ..jsonl import read_json_lines
from ..models import Source
from ..roles import can_edit
from ..services import similarity
from ..services import sources as source_services
from .base import action, page

LIBRARY_PAGE = 50
SEARCH_RESULTS = 20
IMPORT_MAX_BYTES = 20 * 1024 * 1024


def _render_library(request: HttpRequest, *, add_form: SourceForm | None = None, status: int = 200) -> HttpResponse:
    sources = selectors.source_list_for_user(user=request.user)
    search = SourceSearchForm(request.GET or None)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    editor = can_edit(request.user)
    return render(
        request,
        "claims/sources.html",
        {
            "search": search,
            "query": query,
            # The same hybrid matching (dense vectors and BM25, fused) that suggests passages for claims.
            "results": similarity.source_passages_search(query=query, k=SEARCH_RESULTS) if query else None,
            "sources": sources.order_by("-id")[:LIBRARY_PAGE],
            "add_form": (add_form or SourceForm()) if editor else None,
            "import_form": SourceImportForm() if editor else None,
            "nav": "sources",
        },
        status=status,
    )


@page
def library(request: HttpRequest) -> HttpResponse:
    return _render_library(request)


@action
def source_add(request: HttpRequest) -> HttpResponse:
    form = SourceForm(request.POST)
    if not form.is_valid():
        return _render_library(request, add_form=form, status=400)
    try:
        source = source_services.source_create(user=request.user, **form.cleaned_data)
    except InvalidInputError as error:
        form.add_error(None, error.message)
        return _render_library(request, add_form=form, status=400)
    messages.success(request, f"Added “{source.title}” (#{source.pk}); its passages are being indexed.")
    return redirect("claims:sources")


def _jsonl_rows(lines: Iterator[bytes], errors: list[str]) -> Iterator[dict[str, Any]]:
    # An uploaded library keeps a line with a stray byte (as a replacement character).
    for line in read_json_lines(raw.decode("utf-8", errors="replace") for raw in lines):
        if line.error:
            errors.append(f"line {line.number}: {line.error}")
        else:
            yield line.row


@action
def source_import(request: HttpRequest) -> HttpResponse:
    form = SourceImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a JSON Lines file to import.")
        return redirect("claims:sources")
    upload = form.cleaned_data["file"]
    if upload.size > IMPORT_MAX_BYTES:
        messages.error(request, f"An import is limited to {IMPORT_MAX_BYTES // (1024 * 1024)} MB; split the file.")
        return redirect("claims:sources")
    parse_errors: list[str] = []
    report = source_services.sources_import(rows=_jsonl_rows(iter(upload), parse_errors), user=request.user)
    errors = parse_errors + report.errors
    messages.success(
        request,
        f"Imported {report.created} new and {report.updated} updated sources ({report.passages} passages).",
    )
    if errors:
        shown = "; ".join(errors[:5]) + (f"; and {len(errors) - 5} more" if len(errors) > 5 else "")
        messages.error(request, f"Skipped {len(errors)} rows: {shown}")
    return redirect("claims:sources")


def _render_edit(request: HttpRequest, source: Source, form: SourceForm, *, status: int = 200) -> HttpResponse:
    return render(request, "claims/source_edit.html", {"source": source, "form": form, "nav": "sources"}, status=status)


def _editable_source(request: HttpRequest, source_id: int) -> Source:
    if not can_edit(request.user):
        raise PermissionDeniedError("Only editors edit the library.")
    source = selectors.source_list_for_user(user=request.user).filter(pk=source_id).first()
    if source is None:
        raise NotFoundError("Source not found.", source_id=source_id)
    return source


@page
def source_edit(request: HttpRequest, source_id: int) -> HttpResponse:
    source = _editable_source(request, source_id)
    if request.method != "POST":
        initial = {name: getattr(source, name) for name in SourceForm.base_fields}
        return _render_edit(request, source, SourceForm(initial=initial))
    form = SourceForm(request.POST)
    if form.is_valid():
        try:
            source = source_services.source_update(user=request.user, source_id=source.pk, **form.cleaned_data)
        except InvalidInputError as error:
            form.add_error("url" if "url" in error.extra else None, error.message)
    if form.errors:
        return _render_edit(request, source, form, status=400)
    messages.success(request, f"Saved “{source.title}”; its passages are being indexed again.")
    return redirect("claims:sources")


@action
def source_retire(request: HttpRequest, source_id: int) -> HttpResponse:
    source = _editable_source(request, source_id)
    retire = request.POST.get("retire") != "no"
    source = source_services.source_retire(user=request.user, source_id=source.pk, retire=retire)
    if retire:
        messages.success(
            request, f"Retired “{source.title}”: no longer searched or suggested; evidence citing it stays."
        )
    else:
        messages.success(request, f"“{source.title}” is back in the library.")
    return redirect("claims:sources")
