"""The source library: reference material reviewers cite as evidence."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .. import selectors
from ..forms import SourceSearchForm
from .base import page

LIBRARY_PAGE = 50


@page
def library(request: HttpRequest) -> HttpResponse:
    sources = selectors.source_list_for_user(user=request.user)
    search = SourceSearchForm(request.GET or None)
    return render(
        request,
        "claims/sources.html",
        {
            "search": search,
            "sources": sources.order_by("-id")[:LIBRARY_PAGE],
            "nav": "sources",
        },
    )
