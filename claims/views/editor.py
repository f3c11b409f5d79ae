"""The editor's desk: drafted verdicts to approve or send back, approved ones to publish, published ones to reopen."""

from __future__ import annotations

import difflib
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from .. import selectors
from ..choices import ClaimStatus, FindingState
from ..errors import ClaimStateError, InvalidInputError, StaleVersionError
from ..forms import ReopenForm, SendBackForm, VersionForm
from ..models import Evidence, Finding, Verdict
from ..services import verdicts
from .base import action, back_to, page
from .workspace import render_workspace

EDITOR_LIST_SIZE = 25


def _oldest(verdicts: QuerySet[Verdict], *, status: str) -> tuple[list[Verdict], int]:
    """The first screenful of verdicts whose claim is in ``status``, in the selector's order, and how many there are.

    Ids first, rows second: with every join in one query PostgreSQL misjudged the row count and
    joined all 5,000 drafts before keeping fifty (50 ms at 100k claims, against under 1 ms)."""
    subset = verdicts.filter(claim__status=status)
    ids = list(subset.values_list("pk", flat=True)[:EDITOR_LIST_SIZE])
    # The desk shows who approved and never the article text, which is kilobytes per verdict.
    rows = (
        verdicts.filter(pk__in=ids)
        .select_related("approver")
        .defer("claim__article__body", "claim__embedding")
        .prefetch_related(
            Prefetch("claim__evidence", queryset=Evidence.objects.select_related("source").defer("source__body")),
            Prefetch(
                "claim__findings",
                queryset=Finding.objects.filter(state=FindingState.CONFIRMED).select_related("decided_by"),
                to_attr="confirmed_findings",
            ),
        )
    )
    ordered = sorted(rows, key=lambda verdict: ids.index(verdict.pk))
    for verdict in ordered:
        verdict.correction_diff = word_diff(verdict.claim.text, verdict.corrected_statement)
    return ordered, subset.count()


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """The claim and its correction word by word: ("same" | "removed" | "added", words). Empty when
    there is no correction."""
    if not after.strip():
        return []
    old, new = before.split(), after.split()
    pieces: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(("same", " ".join(old[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("removed", " ".join(old[i1:i2])))
        if j2 > j1:
            pieces.append(("added", " ".join(new[j1:j2])))
    return pieces


@page
def editor(request: HttpRequest) -> HttpResponse:
    return _render_desk(request)


def _render_desk(request: HttpRequest, *, kept: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    """The desk; ``kept`` is a refused send-back (claim id, the comment typed, the reason), shown again
    open, at its verdict, with the comment still in it."""
    awaiting = selectors.verdicts_awaiting_editor(user=request.user)
    drafted, drafted_count = _oldest(awaiting, status=ClaimStatus.DRAFTED)
    approved, approved_count = _oldest(awaiting, status=ClaimStatus.APPROVED)
    return render(
        request,
        "claims/editor.html",
        {
            "drafted": drafted,
            "drafted_count": drafted_count,
            "approved": approved,
            "approved_count": approved_count,
            "refuse_without_evidence": settings.VERDICT_WITHOUT_EVIDENCE == "refuse",
            "kept": kept or {},
            "nav": "editor",
        },
        status=status,
    )


def _version(request: HttpRequest, form_class: type[VersionForm] = VersionForm) -> VersionForm | None:
    form = form_class(request.POST)
    return form if form.is_valid() else None


def _back(request: HttpRequest) -> HttpResponse:
    return redirect(back_to(request, fallback=reverse("claims:editor")))


def _stale_form(request: HttpRequest) -> HttpResponse:
    messages.error(request, "The form did not say which version of the verdict it was based on; reload the page.")
    return _back(request)


@action
def approve(request: HttpRequest, claim_id: int) -> HttpResponse:
    form = _version(request)
    if form is None:
        return _stale_form(request)
    verdicts.verdict_approve(user=request.user, claim_id=claim_id, expected_version=form.cleaned_data["version"])
    messages.success(request, "Verdict approved; it can now be published.")
    return _back(request)


@action
def send_back(request: HttpRequest, claim_id: int) -> HttpResponse:
    form = SendBackForm(request.POST)
    comment = request.POST.get("comment", "")
    if not form.is_valid():
        kept = {"claim_id": claim_id, "comment": comment, "error": "Say what needs to change when sending it back."}
        return _render_desk(request, kept=kept, status=400)
    try:
        verdicts.verdict_send_back(
            user=request.user,
            claim_id=claim_id,
            comment=form.cleaned_data["comment"],
            expected_version=form.cleaned_data["version"],
        )
    except (StaleVersionError, ClaimStateError, InvalidInputError) as error:
        kept = {"claim_id": claim_id, "comment": comment, "error": f"Not sent back: {error.message}"}
        return _render_desk(request, kept=kept, status=error.status_code)
    messages.success(request, "Verdict sent back to its author with your comment.")
    return _back(request)


@action
def publish(request: HttpRequest, claim_id: int) -> HttpResponse:
    form = _version(request)
    if form is None:
        return _stale_form(request)
    verdicts.verdict_publish(user=request.user, claim_id=claim_id, expected_version=form.cleaned_data["version"])
    messages.success(request, "Verdict published.")
    return _back(request)


@action
def reopen(request: HttpRequest, claim_id: int) -> HttpResponse:
    form = ReopenForm(request.POST)
    kept = {"reason": request.POST.get("reason", ""), "error": "Say why the verdict is reopened."}
    status = 400
    if form.is_valid():
        try:
            verdicts.verdict_reopen(
                user=request.user,
                claim_id=claim_id,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except (StaleVersionError, ClaimStateError, InvalidInputError) as error:
            kept["error"] = f"Not reopened: {error.message}"
            status = error.status_code
        else:
            messages.success(request, "Verdict reopened; the claim is back in the queue.")
            return _back(request)
    claim = selectors.claim_get_for_user(user=request.user, claim_id=claim_id)
    return render_workspace(request, claim, reopen_kept=kept, status=status)
