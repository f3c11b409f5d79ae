"""The claim list's query parameters, applied to what the selector lets the caller see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ..models import Claim, Source
from ..roles import User


def claims_filtered(claims: QuerySet[Claim], *, user: User, query: dict[str, Any]) -> QuerySet[Claim]:
    """Narrow ``claims`` (from ``claim_list_for_user``) by the validated ``ClaimListQuery``."""
    if query.get("status"):
        claims = claims.filter(status__in=query["status"])
    if query.get("article") is not None:
        claims = claims.filter(article_id=query["article"])
    if query.get("claim_type"):
        # claim_types is a JSON list; matching the quoted value avoids JSON containment lookups,
        # which SQLite does not support.
        claims = claims.filter(claim_types__icontains=f'"{query["claim_type"]}"')
    if query.get("speaker"):
        claims = claims.filter(speaker__iexact=query["speaker"])
    if query.get("assigned_to_me"):
        claims = claims.filter(assignee_id=user.pk)
    if query.get("min_checkworthiness") is not None:
        claims = claims.filter(checkworthiness__gte=query["min_checkworthiness"])
    if query.get("updated_since") is not None:
        claims = claims.filter(updated_at__gt=query["updated_since"])
    for word in (query.get("q") or "").split():
        claims = claims.filter(text__icontains=word)
    # Lists never show embeddings or article bodies; leaving them out keeps a page of 50 light.
    return claims.defer("embedding", "article__body")


def sources_filtered(sources: QuerySet[Source], *, query: dict[str, Any]) -> QuerySet[Source]:
    """Narrow ``sources`` (from ``source_list_for_user``) by the validated ``SourceListQuery``."""
    if query.get("kind"):
        sources = sources.filter(kind=query["kind"])
    for word in (query.get("q") or "").split():
        sources = sources.filter(title__icontains=word)
    return sources.select_related("added_by").defer("body")
