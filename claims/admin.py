"""The back office. Writes that carry workflow rules go through the services, via actions."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from .admin_widgets import ClaimTypesField, EntityLinesField
from .admin_writes import ReadOnlyAdmin, ReadOnlyHistoryAdmin, ServiceWriteAdmin
from .errors import WorkbenchError
from .forms import ArticleIngestForm
from .models import (
    ApiToken,
    Article,
    Claim,
    Evidence,
    Finding,
    Rating,
    SavedFilter,
    Source,
    SourcePassage,
    Suggestion,
    Verdict,
)
from .roles import can_review
from .services import annotations as annotation_services
from .services import evidence as evidence_services
from .services import exports as export_services
from .services import findings as finding_services
from .services import review as review_services
from .services import sources as source_services
from .services import suggestions as suggestion_services
from .services import tokens as token_services
from .services import verdicts as verdict_services
from .views.articles import ingest_posted_article


def _run_per_claim(request: HttpRequest, queryset: QuerySet[Claim], action, done: str) -> None:  # type: ignore[no-untyped-def]
    succeeded, failures = 0, []
    for claim in queryset:
        try:
            action(user=request.user, claim_id=claim.pk)
            succeeded += 1
        except WorkbenchError as error:
            failures.append(f"#{claim.pk}: {error.message}")
    if succeeded:
        messages.success(request, f"{done}: {succeeded} claim(s).")
    for failure in failures:
        messages.error(request, failure)


def _confirmed(request: HttpRequest, queryset: QuerySet[Claim], *, action: str, title: str, warning: str = ""):  # type: ignore[no-untyped-def]
    """None once the person confirmed on the page listing the selected claims; that page until then.
    A bulk action changes many claims at once, so it is never one click away from the list."""
    if request.POST.get("confirmed") == "yes":
        return None
    return TemplateResponse(
        request,
        "admin/claims/claim/confirm_action.html",
        {
            **admin.site.each_context(request),
            "title": title,
            "action": action,
            "claims": queryset.select_related("article", "verdict__rating")[:200],
            "count": queryset.count(),
            "warning": warning,
            "selected_ids": list(queryset.values_list("pk", flat=True)),
            "opts": Claim._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        },
    )


class EvidenceInline(admin.TabularInline):
    model = Evidence
    fk_name = "claim"
    extra = 0
    fields = ("source", "stance", "excerpt", "note", "added_by", "created_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class VerdictInline(admin.StackedInline):
    model = Verdict
    extra = 0
    fields = ("rating", "explanation", "corrected_statement", "author", "approver", "published_at", "version")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0
    fields = ("check_name", "span_text", "message", "suggested_rating", "state")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class ScoreFilter(admin.SimpleListFilter):
    title = "check-worthiness"
    parameter_name = "score"

    def lookups(self, request, model_admin):  # type: ignore[no-untyped-def]
        return [("high", "≥ 0.8"), ("medium", "0.5 – 0.8"), ("low", "< 0.5")]

    def queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        if self.value() == "high":
            return queryset.filter(checkworthiness__gte=0.8)
        if self.value() == "medium":
            return queryset.filter(checkworthiness__gte=0.5, checkworthiness__lt=0.8)
        if self.value() == "low":
            return queryset.filter(checkworthiness__lt=0.5)
        return queryset


class ClaimAnnotationForm(forms.ModelForm):
    """Corrections to a claim's annotations. The version the page was opened at comes back with the
    form, and the service refuses the correction if someone changed the claim in between."""

    opened_version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Claim
        fields = ("speaker", "claim_types", "entities", "dates")
        field_classes = {"claim_types": ClaimTypesField, "entities": EntityLinesField}

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["opened_version"].initial = self.instance.version

    def clean_entities(self) -> list[dict]:
        """An entity left as it was keeps the offsets the annotator found for it."""
        kept = {(entity.get("label"), entity.get("text")): entity for entity in self.instance.entities or []}
        return [kept.get((entity["label"], entity["text"]), entity) for entity in self.cleaned_data["entities"]]


@admin.register(Claim)
class ClaimAdmin(ServiceWriteAdmin, ReadOnlyHistoryAdmin):
    list_display = (
        "short_text",
        "status",
        "score",
        "priority_display",
        "speaker",
        "outlet",
        "assignee",
        "lease_expires_at",
        "rating",
        "updated_at",
    )
    list_filter = (
        "status",
        ScoreFilter,
        ("assignee", admin.RelatedOnlyFieldListFilter),
        "article__outlet",
        "verdict__rating",
    )
    search_fields = ("text", "speaker", "article__title", "article__outlet")
    ordering = ("-priority", "id")
    list_select_related = ("article", "assignee", "verdict__rating")
    list_per_page = 50
    show_full_result_count = False
    raw_id_fields = ("assignee", "created_by")
    # The text and its offsets point into the article's body; they come from extraction only.
    readonly_fields = (
        "article",
        "text",
        "start",
        "end",
        "status",
        "assignee",
        "lease_expires_at",
        "version",
        "checkworthiness",
        "priority",
        "embedding_model",
        "created_at",
        "updated_at",
    )
    fields = (
        "article",
        "text",
        ("start", "end"),
        "speaker",
        "claim_types",
        "entities",
        "dates",
        ("checkworthiness", "priority"),
        ("status", "version"),
        ("assignee", "lease_expires_at"),
        "embedding_model",
        ("created_at", "updated_at"),
        "opened_version",
    )
    form = ClaimAnnotationForm
    inlines = [FindingInline, EvidenceInline, VerdictInline]

    class Media:
        css = {"all": ("claims/admin.css",)}

    actions = [
        "take_claims",
        "release_claims",
        "dismiss_claims",
        "promote_claims",
        "approve_verdicts",
        "publish_verdicts",
        "export_claimreview",
        "export_csv",
        "export_jsonl",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Claims are sentences of an ingested article: they come in with it.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Claim | None = None) -> bool:
        # A claim not worth checking is dismissed, which keeps its history and lets it be promoted again.
        return False

    def service_update(self, request: HttpRequest, obj: Claim, form: forms.ModelForm) -> Claim:  # type: ignore[override]
        data = form.cleaned_data
        return annotation_services.claim_annotations_correct(
            user=request.user,
            claim_id=obj.pk,
            expected_version=data["opened_version"],
            speaker=data["speaker"],
            claim_types=data["claim_types"],
            entities=data["entities"],
            dates=data["dates"],
        )

    @admin.display(description="claim", ordering="text")
    def short_text(self, claim: Claim) -> str:
        return claim.text[:200] + ("…" if len(claim.text) > 200 else "")

    @admin.display(description="score", ordering="checkworthiness")
    def score(self, claim: Claim) -> str:
        return f"{claim.checkworthiness:.2f}"

    @admin.display(description="priority", ordering="-priority")
    def priority_display(self, claim: Claim) -> str:
        return f"{claim.priority:.2f}"

    @admin.display(description="outlet", ordering="article__outlet")
    def outlet(self, claim: Claim) -> str:
        return claim.article.outlet if claim.article else ""

    @admin.display(description="rating")
    def rating(self, claim: Claim) -> str:
        verdict = getattr(claim, "verdict", None)
        if verdict is None:
            return ""
        return format_html('<span style="color:{}">{}</span>', verdict.rating.colour, verdict.rating.label)

    @admin.action(description="Take (assign to me)")
    def take_claims(self, request, queryset):  # type: ignore[no-untyped-def]
        if (
            page := _confirmed(
                request, queryset, action="take_claims", title="Take these claims (assign them to you)", warning=""
            )
        ) is not None:
            return page
        _run_per_claim(request, queryset, review_services.review_take, "Taken")

    @admin.action(description="Release back to the queue")
    def release_claims(self, request, queryset):  # type: ignore[no-untyped-def]
        if (
            page := _confirmed(
                request, queryset, action="release_claims", title="Release these claims back to the queue", warning=""
            )
        ) is not None:
            return page
        _run_per_claim(request, queryset, review_services.review_release, "Released")

    @admin.action(description="Dismiss (not worth checking)")
    def dismiss_claims(self, request, queryset):  # type: ignore[no-untyped-def]
        if (
            page := _confirmed(
                request,
                queryset,
                action="dismiss_claims",
                title="Dismiss these claims as not worth checking",
                warning="They leave the queue.",
            )
        ) is not None:
            return page
        _run_per_claim(request, queryset, review_services.claim_dismiss, "Dismissed")

    @admin.action(description="Promote into the queue")
    def promote_claims(self, request, queryset):  # type: ignore[no-untyped-def]
        if (
            page := _confirmed(
                request, queryset, action="promote_claims", title="Put these sentences in the queue", warning=""
            )
        ) is not None:
            return page
        _run_per_claim(request, queryset, review_services.claim_promote, "Promoted")

    @admin.action(description="Approve drafted verdicts")
    def approve_verdicts(self, request, queryset):  # type: ignore[no-untyped-def]
        if (
            page := _confirmed(
                request,
                queryset,
                action="approve_verdicts",
                title="Approve the drafted verdicts of these claims",
                warning="",
            )
        ) is not None:
            return page
        _run_per_claim(request, queryset, verdict_services.verdict_approve, "Approved")

    @admin.action(description="Publish approved verdicts")
    def publish_verdicts(self, request, queryset):  # type: ignore[no-untyped-def]
        if (
            page := _confirmed(
                request,
                queryset,
                action="publish_verdicts",
                title="Publish the approved verdicts of these claims",
                warning="Published verdicts are public and exported; changing one later means reopening it.",
            )
        ) is not None:
            return page
        _run_per_claim(request, queryset, verdict_services.verdict_publish, "Published")

    @admin.action(description="Export published as ClaimReview JSON-LD")
    def export_claimreview(self, request, queryset):  # type: ignore[no-untyped-def]
        return _export(queryset, "claimreview")

    @admin.action(description="Export published as CSV")
    def export_csv(self, request, queryset):  # type: ignore[no-untyped-def]
        return _export(queryset, "csv")

    @admin.action(description="Export published as JSON Lines")
    def export_jsonl(self, request, queryset):  # type: ignore[no-untyped-def]
        return _export(queryset, "jsonl")


def _export(queryset: QuerySet[Claim], export_format: str) -> StreamingHttpResponse:
    """Only the published claims among the selection are exported: the service applies the publish gate."""
    export = export_services.claims_export(
        export_format=export_format, claim_ids=list(queryset.values_list("id", flat=True))
    )
    response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


class ClaimInline(admin.TabularInline):
    model = Claim
    extra = 0
    fields = ("text", "status", "checkworthiness", "speaker")
    readonly_fields = fields
    can_delete = False
    show_change_link = True
    ordering = ("start",)

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "outlet", "author", "published_at", "extraction_status", "created_at")
    list_filter = ("outlet", "extraction_status", "language")
    search_fields = ("title", "url", "outlet", "author")
    date_hierarchy = "published_at"
    # Claims hold offsets into the body, and URL and content are how a repeat is recognised: both
    # are fixed at ingest. Title, outlet, author and date can be corrected.
    readonly_fields = (
        "url",
        "body",
        "content_hash",
        "ingested_by",
        "extraction_status",
        "extraction_progress",
        "extraction_error",
        "extraction_attempts",
        "extraction_started_at",
        "created_at",
        "updated_at",
    )
    inlines = [ClaimInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_review(request.user)

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: dict | None = None) -> HttpResponse:
        """Adding an article is ingesting it: the same service as every other door, so it is split,
        scored and queued, and a repeat returns the article already stored."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ArticleIngestForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            article = ingest_posted_article(request, form)
            if article is not None:
                return HttpResponseRedirect(reverse("admin:claims_article_change", args=[article.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Ingest an article",
            "opts": self.model._meta,
            "form": form,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/claims/article/ingest.html", context)


class PassageInline(admin.TabularInline):
    """Passages are cut from the source's body: to change one, edit the body (it is cut again and
    re-embedded)."""

    model = SourcePassage
    extra = 0
    fields = ("position", "text", "embedding_model")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Source)
class SourceAdmin(ServiceWriteAdmin):
    # A URL typed without a scheme is taken as https, as Django 6 will do by default.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("title", "publisher", "kind", "published_at", "url")
    list_filter = ("kind", "publisher")
    search_fields = ("title", "url", "publisher", "body")
    fields = ("url", "title", "publisher", "published_at", "kind", "body", "added_by")
    readonly_fields = ("added_by",)
    inlines = [PassageInline]

    def service_create(self, request: HttpRequest, form: forms.ModelForm) -> Source:
        return source_services.source_create(user=request.user, **_source_fields(form))

    def service_update(self, request: HttpRequest, obj: Source, form: forms.ModelForm) -> Source:  # type: ignore[override]
        return source_services.source_update(user=request.user, source_id=obj.pk, **_source_fields(form))

    def service_delete(self, request: HttpRequest, obj: Source) -> None:  # type: ignore[override]
        source_services.source_delete(user=request.user, source_id=obj.pk)


def _source_fields(form: forms.ModelForm) -> dict[str, object]:
    return {name: form.cleaned_data[name] for name in ("url", "title", "publisher", "published_at", "kind", "body")}


class EvidenceAdminForm(forms.ModelForm):
    class Meta:
        model = Evidence
        fields = ("claim", "source", "passage", "stance", "excerpt", "note")


@admin.register(Evidence)
class EvidenceAdmin(ServiceWriteAdmin, ReadOnlyHistoryAdmin):
    """Evidence is added to and removed from a claim by the reviewer holding it; it is not edited."""

    form = EvidenceAdminForm
    list_display = ("claim", "source", "stance", "added_by", "created_at")
    list_filter = ("stance",)
    search_fields = ("claim__text", "source__title", "excerpt")
    raw_id_fields = ("claim", "source", "passage")

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        if obj is None:
            return ("added_by", "created_at")
        return ("claim", "source", "passage", "stance", "excerpt", "note", "from_suggestion", "added_by", "created_at")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def service_create(self, request: HttpRequest, form: forms.ModelForm) -> Evidence:
        data = form.cleaned_data
        return evidence_services.evidence_add(
            user=request.user,
            claim_id=data["claim"].pk,
            source_id=data["source"].pk,
            passage_id=data["passage"].pk if data["passage"] else None,
            stance=data["stance"],
            excerpt=data["excerpt"],
            note=data["note"],
        )

    def service_delete(self, request: HttpRequest, obj: Evidence) -> None:  # type: ignore[override]
        evidence_services.evidence_remove(user=request.user, evidence_id=obj.pk)


@admin.register(Verdict)
class VerdictAdmin(ReadOnlyHistoryAdmin):
    list_display = ("claim", "rating", "author", "approver", "published_at", "version")
    list_filter = ("rating", "claim__status")
    search_fields = ("claim__text", "explanation")
    raw_id_fields = ("claim",)
    # Verdicts change only through the workflow (draft, approve, publish, reopen): read-only here.
    readonly_fields = (
        "claim",
        "rating",
        "explanation",
        "corrected_statement",
        "author",
        "approver",
        "approved_at",
        "published_at",
        "review_comment",
        "version",
    )

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ("label", "alternate_name", "value", "colour", "position", "is_active")
    list_editable = ("position", "is_active")


def _decide_each(request: HttpRequest, queryset: QuerySet, decide, done: str) -> None:  # type: ignore[no-untyped-def]
    """Run a reviewer's decision on each selected row through its service (lease rule, decided_by)."""
    succeeded, failures = 0, []
    for row in queryset:
        try:
            decide(request.user, row.pk)
            succeeded += 1
        except WorkbenchError as error:
            failures.append(f"#{row.pk}: {error.message}")
    if succeeded:
        messages.success(request, f"{done}: {succeeded}.")
    for failure in failures:
        messages.error(request, failure)


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdmin):
    """Suggestions come from the matching jobs; the reviewer holding the claim accepts or rejects them."""

    list_display = ("claim", "target_kind", "fused_score", "state", "model_version", "decided_by", "created_at")
    list_filter = ("state", "target_kind", "model_version")
    list_select_related = ("claim", "decided_by")
    actions = ["accept_suggestions", "reject_suggestions"]

    @admin.action(description="Accept (as context evidence for a passage)")
    def accept_suggestions(self, request, queryset):  # type: ignore[no-untyped-def]
        _decide_each(
            request,
            queryset,
            lambda user, pk: suggestion_services.suggestion_accept(user=user, suggestion_id=pk),
            "Accepted",
        )

    @admin.action(description="Reject")
    def reject_suggestions(self, request, queryset):  # type: ignore[no-untyped-def]
        _decide_each(
            request,
            queryset,
            lambda user, pk: suggestion_services.suggestion_reject(user=user, suggestion_id=pk),
            "Rejected",
        )


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    """Findings come from the automatic checks; the reviewer holding the claim confirms or dismisses them."""

    list_display = ("claim", "check_name", "span_text", "suggested_rating", "state", "decided_by")
    list_filter = ("check_name", "state")
    search_fields = ("span_text", "message", "claim__text")
    list_select_related = ("claim", "suggested_rating", "decided_by")
    actions = ["confirm_findings", "dismiss_findings"]

    @admin.action(description="Confirm")
    def confirm_findings(self, request, queryset):  # type: ignore[no-untyped-def]
        _decide_each(
            request, queryset, lambda user, pk: finding_services.finding_confirm(user=user, finding_id=pk), "Confirmed"
        )

    @admin.action(description="Dismiss")
    def dismiss_findings(self, request, queryset):  # type: ignore[no-untyped-def]
        _decide_each(
            request, queryset, lambda user, pk: finding_services.finding_dismiss(user=user, finding_id=pk), "Dismissed"
        )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "scope", "created_at", "last_used_at", "revoked_at")
    list_filter = ("scope",)
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")
    actions = ["revoke"]

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request, queryset):  # type: ignore[no-untyped-def]
        for token in queryset:
            try:
                token_services.token_revoke(user=request.user, token_id=token.pk)
            except WorkbenchError as error:
                messages.error(request, f"{token}: {error.message}")
        messages.success(request, "Revocation done; revoked tokens stop working at once.")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        # The secret must be shown once at creation: `manage.py create_api_token` or the API does that.
        return False


admin.site.register(SavedFilter)
admin.site.site_header = "Claim Workbench"
admin.site.site_title = "Claim Workbench"

# Registers the fact-check, webhook and explainer pages, kept in their own modules.
from . import admin_factchecks, admin_publishing  # noqa: E402, F401
