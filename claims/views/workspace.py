"""The claim workspace: the claim in its article, findings, suggestions, evidence, verdict and history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from .. import selectors
from ..choices import QUEUE_STATUSES, FindingState, SuggestionState
from ..errors import ClaimStateError, InvalidInputError, LeaseError, PermissionDeniedError, StaleVersionError
from ..forms import ClaimAnnotationsForm, EvidenceForm, NewSourceEvidenceForm, SuggestionDecisionForm, VerdictForm
from ..models import Claim, Evidence, Source, Verdict
from ..roles import User, can_edit, can_review
from ..rules import ClaimAction, action_allowed, lease_held_by, lease_held_by_other
from ..services import appearances as appearance_services
from ..services import evidence as evidence_services
from ..services import findings as findings_services
from ..services import review, verdicts
from ..services import suggestions as suggestion_services
from .annotations import annotations_form
from .base import action, page

HISTORY_ROWS = 25


@dataclass(frozen=True)
class ArticleText:
    """The article body cut around the claim, so the template can mark the claim in place (still escaped)."""

    before: str
    claim: str
    after: str


def article_text(claim: Claim) -> ArticleText | None:
    article = claim.article
    if article is None:
        return None
    body = article.body
    start, end = claim.start, claim.end
    if start is None or end is None or end > len(body) or body[start:end].strip() != claim.text.strip():
        # Offsets from an older extraction may no longer match; find the sentence instead of marking the wrong words.
        found = body.find(claim.text)
        if found < 0:
            return ArticleText(before=body, claim="", after="")
        start, end = found, found + len(claim.text)
    return ArticleText(before=body[:start], claim=body[start:end], after=body[end:])


def verdict_of(claim: Claim) -> Verdict | None:
    try:
        return claim.verdict
    except Verdict.DoesNotExist:
        return None


def holds_lease(claim: Claim, user: User) -> bool:
    return lease_held_by(claim, user)


def suggestions_context(claim: Claim, user: User) -> dict[str, Any]:
    suggestions = [
        suggestion
        for suggestion in selectors.claim_suggestions(claim=claim)
        if selectors.suggestion_above_threshold(suggestion)
    ]
    # Until the suggestion job has finished there is nothing to show yet; after it has, an empty
    # list means that nothing matched.
    computing = claim.suggested_at is None and claim.status in QUEUE_STATUSES
    return {
        "claim": claim,
        "suggestions": suggestions,
        "suggestions_computing": computing,
        "can_decide": holds_lease(claim, user),
        "decision_form": SuggestionDecisionForm(),
        "pending_state": SuggestionState.PENDING,
    }


def _decisions(claim: Claim) -> list[dict[str, Any]]:
    """Evidence added and removed, suggestions accepted or rejected, findings confirmed or dismissed."""
    rows: list[dict[str, Any]] = []
    evidence_records = (
        Evidence.history.filter(claim_id=claim.pk)
        .select_related("history_user", "source")
        .order_by("-history_date")[:HISTORY_ROWS]
    )
    for record in evidence_records:
        verb = {"+": "added", "~": "changed", "-": "removed"}[record.history_type]
        title = record.source.title if record.source_id else "a source"
        rows.append(
            {
                "when": record.history_date,
                "who": record.history_user,
                "what": "Evidence",
                "detail": f"{verb}: {record.get_stance_display().lower()}, “{title}”",
            }
        )
    decided_suggestions = (
        claim.suggestions.filter(decided_at__isnull=False)
        .select_related("decided_by", "target_passage__source", "target_claim")
        .order_by("-decided_at")[:HISTORY_ROWS]
    )
    for suggestion in decided_suggestions:
        if suggestion.target_passage_id:
            target = f"“{suggestion.target_passage.source.title}”"
        else:
            target = f"earlier claim {suggestion.target_claim_id}"
        rows.append(
            {
                "when": suggestion.decided_at,
                "who": suggestion.decided_by,
                "what": "Suggestion",
                "detail": f"{suggestion.get_state_display().lower()}: {target}",
            }
        )
    for finding in claim.findings.filter(decided_at__isnull=False).select_related("decided_by"):
        rows.append(
            {
                "when": finding.decided_at,
                "who": finding.decided_by,
                "what": "Finding",
                "detail": f"{finding.get_state_display().lower()}: {finding.check_name} on “{finding.span_text}”",
            }
        )
    return rows


def _history(claim: Claim, verdict: Verdict | None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = _decisions(claim)
    for record in claim.history.select_related("history_user", "assignee").order_by("-history_date")[:HISTORY_ROWS]:
        rows.append(
            {
                "when": record.history_date,
                "who": record.history_user,
                "what": "Claim",
                "detail": f"{record.get_status_display()}, version {record.version}"
                + (f", held by {record.assignee}" if record.assignee_id else ""),
            }
        )
    if verdict is not None:
        for record in verdict.history.select_related("history_user", "rating").order_by("-history_date")[:HISTORY_ROWS]:
            detail = f"{record.rating}, version {record.version}"
            if record.published_at:
                detail += ", published"
            elif record.approved_at:
                detail += ", approved"
            if record.review_comment:
                detail += f" — “{record.review_comment}”"
            rows.append({"when": record.history_date, "who": record.history_user, "what": "Verdict", "detail": detail})
    rows.sort(key=lambda row: row["when"], reverse=True)
    return rows[:HISTORY_ROWS]


def _verdict_form(claim: Claim, verdict: Verdict | None, *, data: Any = None) -> VerdictForm:
    ratings = selectors.ratings_active()
    if data is not None:
        return VerdictForm(data, ratings=ratings)
    if verdict is not None:
        initial: dict[str, Any] = {
            "rating": verdict.rating_id,
            "explanation": verdict.explanation,
            "corrected_statement": verdict.corrected_statement,
            "version": verdict.version,
        }
    else:
        prefill = findings_services.verdict_prefill(claim=claim)
        initial = {
            "rating": getattr(prefill.get("rating"), "pk", None),
            "explanation": prefill.get("explanation", ""),
            "corrected_statement": prefill.get("corrected_statement", ""),
            "version": 0,
        }
    return VerdictForm(initial=initial, ratings=ratings)


def _picked_source(form: EvidenceForm | None) -> tuple[str, Source] | None:
    """The result a refused evidence form had picked, shown again so the reviewer need not search again."""
    if form is None or not form.is_bound:
        return None
    pick = str(form.data.get("pick") or "")
    source_id = pick.partition(":")[0]
    source = Source.objects.filter(pk=source_id).first() if source_id.isdigit() and len(source_id) < 19 else None
    return (pick, source) if source is not None else None


def render_workspace(
    request: HttpRequest,
    claim: Claim,
    *,
    verdict_form: VerdictForm | None = None,
    conflict: str = "",
    conflict_is_stale: bool = False,
    annotations: ClaimAnnotationsForm | None = None,
    evidence_form: EvidenceForm | None = None,
    new_source_form: NewSourceEvidenceForm | None = None,
    tab: str = "",
    reopen_kept: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The workspace; a refused form is passed back in bound, so what was typed is shown with its errors,
    and ``tab`` opens the tab that form is on."""
    user = request.user
    staff = can_review(user)
    verdict = verdict_of(claim)
    leased = holds_lease(claim, user)
    can_draft = leased and action_allowed(status=claim.status, action=ClaimAction.DRAFT_VERDICT)
    context: dict[str, Any] = {
        "claim": claim,
        "article_text": article_text(claim),
        "verdict": verdict,
        "evidence": claim.evidence.select_related("source", "passage", "added_by"),
        "staff": staff,
        "is_editor": can_edit(user),
        "holds_lease": leased,
        "held_by_other": lease_held_by_other(claim, user),
        "in_queue": claim.status in QUEUE_STATUSES,
        "can_draft": can_draft,
        "conflict": conflict,
        "conflict_is_stale": conflict_is_stale,
        "refuse_without_evidence": settings.VERDICT_WITHOUT_EVIDENCE == "refuse",
        "reopen_kept": reopen_kept or {},
        "nav": "queue",
    }
    if staff:
        context["appearances"] = list(
            claim.appearances.select_related("article").defer("article__body").order_by("created_at", "id")[:200]
        )
        context.update(suggestions_context(claim, user))
        context.update(
            {
                "findings": claim.findings.select_related("suggested_rating", "decided_by"),
                "finding_open": FindingState.OPEN,
                "history": _history(claim, verdict),
                "evidence_form": evidence_form or EvidenceForm(),
                "new_source_form": new_source_form or NewSourceEvidenceForm(),
                "picked_source": _picked_source(evidence_form),
                "tab": tab,
                "verdict_form": verdict_form or (_verdict_form(claim, verdict) if can_draft else None),
                "can_promote": action_allowed(status=claim.status, action=ClaimAction.PROMOTE),
                "annotations_form": annotations_form(claim, user, bound=annotations),
            }
        )
    return render(request, "claims/workspace.html", context, status=status)


@page
def workspace(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = selectors.claim_get_for_user(user=request.user, claim_id=claim_id)
    return render_workspace(request, claim)


@page
def suggestions_panel(request: HttpRequest, claim_id: int) -> HttpResponse:
    if not can_review(request.user):
        raise PermissionDeniedError("Only reviewers see suggestions.")
    claim = selectors.claim_get_for_user(user=request.user, claim_id=claim_id)
    return render(request, "claims/partials/suggestions.html", suggestions_context(claim, request.user))


def _to_workspace(claim_id: int, anchor: str) -> HttpResponse:
    return redirect(reverse("claims:workspace", kwargs={"claim_id": claim_id}) + f"#{anchor}")


@action
def extend(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = review.review_extend(user=request.user, claim_id=claim_id)
    messages.success(request, f"Lease extended until {timezone.localtime(claim.lease_expires_at):%H:%M}.")
    return _to_workspace(claim_id, "lease")


@action
def suggestion_accept(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    form = SuggestionDecisionForm(request.POST)
    form.is_valid()
    suggestion = suggestion_services.suggestion_accept(
        user=request.user,
        suggestion_id=suggestion_id,
        stance=form.cleaned_data.get("stance") or SuggestionDecisionForm.base_fields["stance"].initial,
        note=form.cleaned_data.get("note") or "",
    )
    if suggestion.target_claim_id:
        messages.success(
            request, "Earlier verdict linked and cited as evidence; its rating and explanation are in the verdict form."
        )
        return _to_workspace(suggestion.claim_id, "verdict")
    messages.success(request, "Suggestion accepted.")
    return _to_workspace(suggestion.claim_id, "suggestions")


@action
def suggestion_reject(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    suggestion = suggestion_services.suggestion_reject(user=request.user, suggestion_id=suggestion_id)
    messages.success(request, "Suggestion rejected.")
    return _to_workspace(suggestion.claim_id, "suggestions")


@action
def finding_confirm(request: HttpRequest, finding_id: int) -> HttpResponse:
    finding = findings_services.finding_confirm(user=request.user, finding_id=finding_id)
    messages.success(request, "Finding confirmed; the verdict form now carries its rating and correction.")
    return _to_workspace(finding.claim_id, "verdict")


@action
def finding_dismiss(request: HttpRequest, finding_id: int) -> HttpResponse:
    finding = findings_services.finding_dismiss(user=request.user, finding_id=finding_id)
    messages.success(request, "Finding dismissed.")
    return _to_workspace(finding.claim_id, "findings")


@action
def evidence_remove(request: HttpRequest, claim_id: int, evidence_id: int) -> HttpResponse:
    evidence_services.evidence_remove(user=request.user, evidence_id=evidence_id)
    messages.success(request, "Evidence removed.")
    return _to_workspace(claim_id, "evidence")


@action
def verdict_draft(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = selectors.claim_get_for_user(user=request.user, claim_id=claim_id)
    form = _verdict_form(claim, verdict_of(claim), data=request.POST)
    if not form.is_valid():
        return render_workspace(request, claim, verdict_form=form, status=400)
    try:
        verdicts.verdict_draft(
            user=request.user,
            claim_id=claim_id,
            rating=form.cleaned_data["rating"],
            explanation=form.cleaned_data["explanation"],
            corrected_statement=form.cleaned_data["corrected_statement"],
            expected_version=form.cleaned_data["version"],
        )
    except InvalidInputError as error:
        form.add_error(None, error.message)
        return render_workspace(request, claim, verdict_form=form, status=error.status_code)
    except (StaleVersionError, LeaseError, ClaimStateError) as error:
        # Keep what the reviewer typed on screen (a lease may have run out while they wrote), and
        # say plainly that nothing was saved.
        fresh = selectors.claim_get_for_user(user=request.user, claim_id=claim_id)
        return render_workspace(
            request,
            fresh,
            verdict_form=form,
            conflict=error.message,
            conflict_is_stale=isinstance(error, StaleVersionError),
            status=error.status_code,
        )
    messages.success(request, "Verdict drafted and sent to the editors.")
    return redirect("claims:workspace", claim_id=claim_id)


@action
def appearance_split(request: HttpRequest, appearance_id: int) -> HttpResponse:
    claim = appearance_services.appearance_split(user=request.user, appearance_id=appearance_id)
    messages.success(request, "The appearance is now a claim of its own, in the queue.")
    return redirect("claims:workspace", claim_id=claim.pk)


@action
def claim_merge(request: HttpRequest, claim_id: int) -> HttpResponse:
    try:
        into = int(request.POST.get("into", ""))
    except ValueError:
        messages.error(request, "Give the number of the claim to merge into.")
        return _to_workspace(claim_id, "appearances")
    merged = appearance_services.claim_merge(user=request.user, claim_id=claim_id, into_claim_id=into)
    messages.success(request, f"Merged into claim {merged.pk}; its appearances are listed here.")
    return _to_workspace(merged.pk, "appearances")
