"""Correcting a claim's annotations (speaker, types) from the workspace."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .. import selectors
from ..errors import ClaimStateError, InvalidInputError, LeaseError, StaleVersionError
from ..forms import ClaimAnnotationsForm
from ..models import Claim
from ..roles import User, can_review
from ..rules import ClaimAction, action_allowed, lease_held_by_other
from ..services.annotations import claim_annotations_correct
from .base import action


def annotations_form(
    claim: Claim, user: User, *, bound: ClaimAnnotationsForm | None = None
) -> ClaimAnnotationsForm | None:
    """The correction form for the workspace, or None when this user may not correct this claim now.
    A refused form (``bound``) is always shown, with its reason and what was typed."""
    if bound is not None:
        return bound
    if not can_review(user) or lease_held_by_other(claim, user):
        return None
    if not action_allowed(status=claim.status, action=ClaimAction.CORRECT_ANNOTATIONS):
        return None
    return ClaimAnnotationsForm.for_claim(claim)


def _kept_order(current: list[str], chosen: list[str]) -> list[str]:
    """Types already on the claim keep their order (the first is the one exports name), new ones follow."""
    return [t for t in current if t in chosen] + [t for t in chosen if t not in current]


@action
def annotations_correct(request: HttpRequest, claim_id: int) -> HttpResponse:
    from .workspace import render_workspace

    claim = selectors.claim_get_for_user(user=request.user, claim_id=claim_id)
    form = ClaimAnnotationsForm(request.POST, prefix="annotations")
    if form.is_valid():
        try:
            claim_annotations_correct(
                user=request.user,
                claim_id=claim_id,
                expected_version=form.cleaned_data["version"],
                speaker=form.cleaned_data["speaker"],
                claim_types=_kept_order(list(claim.claim_types), form.cleaned_data["claim_types"]),
            )
        except (StaleVersionError, LeaseError, ClaimStateError, InvalidInputError) as error:
            form.add_error(None, error.message)
            fresh = selectors.claim_get_for_user(user=request.user, claim_id=claim_id)
            return render_workspace(request, fresh, annotations=form, status=error.status_code)
        messages.success(request, "Annotations corrected.")
        return redirect(reverse("claims:workspace", kwargs={"claim_id": claim_id}) + "#annotations")
    return render_workspace(request, claim, annotations=form, status=400)
