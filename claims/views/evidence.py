"""Citing evidence from the workspace: search the library as you type and pick a passage, or cite a
source that is not in the library yet. A refused form comes back with what was typed and the error at its field."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from .. import selectors
from ..errors import InvalidInputError, PermissionDeniedError
from ..forms import EvidenceForm, NewSourceEvidenceForm, SourceSearchForm
from ..models import Source, SourcePassage
from ..roles import can_review
from ..services import evidence as evidence_services
from ..services import similarity
from ..services import sources as source_services
from .base import action, page
from .workspace import render_workspace

TITLE_MATCHES = 5
TEXT_MATCHES = 8


@dataclass(frozen=True)
class Candidate:
    """One thing a reviewer may cite: a source, and the passage that matched (if the text matched)."""

    source: Source
    passage: SourcePassage | None
    matched: str


def evidence_candidates(*, query: str) -> list[Candidate]:
    """Sources whose title or URL contains the words typed, then passages whose text matches them
    (the library's hybrid search), each source once."""
    query = query.strip()
    if len(query) < 2:
        return []
    found: list[Candidate] = []
    seen_passages: set[int] = set()
    for source in Source.objects.filter(title__icontains=query).order_by("-id")[:TITLE_MATCHES]:
        found.append(Candidate(source=source, passage=None, matched="title"))
    if query.startswith(("http://", "https://", "www.")) or "/" in query:
        for source in Source.objects.filter(url__icontains=query).order_by("-id")[:TITLE_MATCHES]:
            found.append(Candidate(source=source, passage=None, matched="URL"))
    for hit in similarity.source_passages_search(query=query, k=TEXT_MATCHES):
        if hit.passage.pk not in seen_passages:
            seen_passages.add(hit.passage.pk)
            found.append(Candidate(source=hit.passage.source, passage=hit.passage, matched="text"))
    unique: dict[tuple[int, int | None], Candidate] = {}
    for candidate in found:
        unique.setdefault((candidate.source.pk, getattr(candidate.passage, "pk", None)), candidate)
    return list(unique.values())


@page
def evidence_search(request: HttpRequest, claim_id: int) -> HttpResponse:
    if not can_review(request.user):
        raise PermissionDeniedError("Only reviewers cite evidence.")
    claim = selectors.claim_get_for_user(user=request.user, claim_id=claim_id)
    form = SourceSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    return render(
        request,
        "claims/partials/evidence_results.html",
        {"claim": claim, "query": query.strip(), "candidates": evidence_candidates(query=query)},
    )


def _to_evidence(claim_id: int) -> HttpResponse:
    return redirect(reverse("claims:workspace", kwargs={"claim_id": claim_id}) + "#evidence")


@action
def evidence_add(request: HttpRequest, claim_id: int) -> HttpResponse:
    form = EvidenceForm(request.POST)
    if form.is_valid():
        source_id, passage_id = form.picked()
        try:
            evidence_services.evidence_add(
                user=request.user,
                claim_id=claim_id,
                source_id=source_id,
                passage_id=passage_id,
                stance=form.cleaned_data["stance"],
                excerpt=form.cleaned_data["excerpt"],
                note=form.cleaned_data["note"],
            )
        except InvalidInputError as error:
            picked_wrong = "source_id" in error.extra or "passage_id" in error.extra
            form.add_error("pick" if picked_wrong else None, error.message)
    if form.errors:
        claim = selectors.claim_get_for_user(user=request.user, claim_id=claim_id)
        return render_workspace(request, claim, evidence_form=form, tab="evidence", status=400)
    messages.success(request, "Evidence added.")
    return _to_evidence(claim_id)


@action
def evidence_add_new_source(request: HttpRequest, claim_id: int) -> HttpResponse:
    form = NewSourceEvidenceForm(request.POST)
    source = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            source = source_services.source_add_by_reviewer(
                user=request.user, url=data["url"], title=data["title"], body=data["body"], kind=data["kind"]
            )
            evidence_services.evidence_add(
                user=request.user, claim_id=claim_id, source_id=source.pk, stance=data["stance"], note=data["note"]
            )
        except InvalidInputError as error:
            field = next((name for name in ("url", "title", "body", "kind") if name in error.extra), None)
            form.add_error(field, error.message)
    if form.errors or source is None:
        claim = selectors.claim_get_for_user(user=request.user, claim_id=claim_id)
        return render_workspace(request, claim, new_source_form=form, tab="evidence", status=400)
    fetching = " its page is being fetched and indexed." if not source.body else ""
    messages.success(request, f"Evidence added from “{source.title}”;{fetching or ' it is in the library now.'}")
    return _to_evidence(claim_id)
