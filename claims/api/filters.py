"""The source list's query parameters (claims are narrowed by claims.filters.ClaimFilter, as on the queue)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ..models import Source


def sources_filtered(sources: QuerySet[Source], *, query: dict[str, Any]) -> QuerySet[Source]:
    """Narrow ``sources`` (from ``source_list_for_user``) by the validated ``SourceListQuery``."""
    if query.get("kind"):
        sources = sources.filter(kind=query["kind"])
    for word in (query.get("q") or "").split():
        sources = sources.filter(title__icontains=word)
    return sources.select_related("added_by").defer("body")
