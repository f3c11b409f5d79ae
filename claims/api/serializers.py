"""Output serializers: how the API shows domain objects. They only read; writes go through services
with the input serializers of ``inputs.py``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..choices import ExtractionStatus
from ..extraction.language_neutral import model_reads
from ..models import (
    Appearance,
    Article,
    Claim,
    Evidence,
    ExternalFactCheck,
    Finding,
    Rating,
    Source,
    SourcePassage,
    Suggestion,
    Verdict,
)
from ..roles import can_review
from ..selectors import claim_suggestions


def iso_datetime(value: dt.datetime | None) -> str | None:
    """As DRF's DateTimeField writes it: ISO 8601 in the current time zone, UTC as "Z"."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class RatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rating
        fields = ["id", "label", "alternate_name", "value", "description", "colour", "position"]
        read_only_fields = fields


class RatingRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rating
        fields = ["id", "label", "alternate_name", "value"]
        read_only_fields = fields


class ArticleRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Article
        fields = ["id", "url", "title", "outlet", "author", "published_at"]
        read_only_fields = fields


class SourceSerializer(serializers.ModelSerializer):
    added_by = serializers.CharField(source="added_by.username", read_only=True, allow_null=True)

    class Meta:
        model = Source
        fields = ["id", "url", "title", "publisher", "published_at", "kind", "added_by", "created_at", "updated_at"]
        read_only_fields = fields


class SourceDetailSerializer(SourceSerializer):
    class Meta(SourceSerializer.Meta):
        fields = [*SourceSerializer.Meta.fields, "body"]
        read_only_fields = fields


class SourceRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ["id", "url", "title", "publisher", "kind"]
        read_only_fields = fields


class FactCheckRefSerializer(serializers.ModelSerializer):
    summary = serializers.CharField(read_only=True)

    class Meta:
        model = ExternalFactCheck
        fields = [
            "id",
            "url",
            "publisher",
            "rating_text",
            "rating_value",
            "reviewed_at",
            "claimant",
            "language",
            "summary",
        ]
        read_only_fields = fields


class PassageSerializer(serializers.ModelSerializer):
    source = SourceRefSerializer(read_only=True)
    factcheck = serializers.SerializerMethodField(
        help_text="When the passage is another organisation's fact-check: who checked it, when, and their rating."
    )

    class Meta:
        model = SourcePassage
        fields = ["id", "source", "position", "text", "factcheck"]
        read_only_fields = fields

    @extend_schema_field(FactCheckRefSerializer(allow_null=True))
    def get_factcheck(self, passage: SourcePassage) -> dict[str, Any] | None:
        factcheck = getattr(passage.source, "external_factcheck", None)
        return FactCheckRefSerializer(factcheck).data if factcheck is not None else None


class VerdictSummarySerializer(serializers.ModelSerializer):
    rating = serializers.CharField(source="rating.label", read_only=True)

    class Meta:
        model = Verdict
        fields = ["rating", "version", "published_at"]
        read_only_fields = fields


class VerdictSerializer(serializers.ModelSerializer):
    claim = serializers.IntegerField(source="claim_id", read_only=True)
    rating = RatingRefSerializer(read_only=True)
    author = serializers.CharField(source="author.username", read_only=True)
    approver = serializers.CharField(source="approver.username", read_only=True, allow_null=True)

    class Meta:
        model = Verdict
        fields = [
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
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class EvidenceSerializer(serializers.ModelSerializer):
    claim = serializers.IntegerField(source="claim_id", read_only=True)
    source = SourceRefSerializer(read_only=True)
    passage = serializers.IntegerField(source="passage_id", read_only=True, allow_null=True)
    added_by = serializers.CharField(source="added_by.username", read_only=True)
    from_suggestion = serializers.IntegerField(source="from_suggestion_id", read_only=True, allow_null=True)

    class Meta:
        model = Evidence
        fields = [
            "id",
            "claim",
            "source",
            "passage",
            "excerpt",
            "stance",
            "note",
            "added_by",
            "from_suggestion",
            "created_at",
        ]
        read_only_fields = fields


class FindingSerializer(serializers.ModelSerializer):
    claim = serializers.IntegerField(source="claim_id", read_only=True)
    suggested_rating = RatingRefSerializer(read_only=True, allow_null=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, allow_null=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "claim",
            "check_name",
            "span_text",
            "start",
            "end",
            "message",
            "suggested_rating",
            "corrected_statement",
            "data",
            "state",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = fields


class EarlierClaimSerializer(serializers.ModelSerializer):
    verdict = VerdictSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Claim
        fields = ["id", "text", "speaker", "status", "verdict"]
        read_only_fields = fields


class SuggestionSerializer(serializers.ModelSerializer):
    claim = serializers.IntegerField(source="claim_id", read_only=True)
    target_passage = PassageSerializer(read_only=True, allow_null=True)
    target_claim = EarlierClaimSerializer(read_only=True, allow_null=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, allow_null=True)

    class Meta:
        model = Suggestion
        fields = [
            "id",
            "claim",
            "target_kind",
            "target_passage",
            "target_claim",
            "scores",
            "fused_score",
            "model_version",
            "state",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = fields


class ClaimSerializer(serializers.ModelSerializer):
    """A claim as lists show it. Call with claims from ``claim_list_for_user`` (article, assignee and
    verdict rating are joined there, so a page costs one query)."""

    article = ArticleRefSerializer(read_only=True, allow_null=True)
    assignee = serializers.CharField(source="assignee.username", read_only=True, allow_null=True)
    verdict = VerdictSummarySerializer(read_only=True, allow_null=True)
    checkworthiness_method = serializers.CharField(
        read_only=True,
        help_text='"model" (English only), or "language-neutral fallback" for a sentence in another '
        "language: then checkworthiness only orders such sentences (numbers, names, claim types).",
    )

    class Meta:
        model = Claim
        fields = [
            "id",
            "article",
            "text",
            "start",
            "end",
            "speaker",
            "claim_types",
            "entities",
            "dates",
            "language",
            "checkworthiness",
            "checkworthiness_method",
            "priority",
            "status",
            "assignee",
            "lease_expires_at",
            "version",
            "verdict",
            "appearance_count",
            "merged_into",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, claim: Claim) -> dict[str, Any]:
        # DRF's generic path walks every nested field through descriptors and costs more than the
        # query itself on a page of 50; this writes the same shape (tested against the generic one).
        article = claim.article
        try:
            verdict = claim.verdict
        except ObjectDoesNotExist:
            verdict = None
        return {
            "id": claim.pk,
            "article": None
            if article is None
            else {
                "id": article.pk,
                "url": article.url,
                "title": article.title,
                "outlet": article.outlet,
                "author": article.author,
                "published_at": iso_datetime(article.published_at),
            },
            "text": claim.text,
            "start": claim.start,
            "end": claim.end,
            "speaker": claim.speaker,
            "claim_types": claim.claim_types,
            "entities": claim.entities,
            "dates": claim.dates,
            "language": claim.language,
            "checkworthiness": claim.checkworthiness,
            "checkworthiness_method": claim.checkworthiness_method,
            "priority": claim.priority,
            "status": claim.status,
            "assignee": claim.assignee.username if claim.assignee_id is not None else None,
            "lease_expires_at": iso_datetime(claim.lease_expires_at),
            "version": claim.version,
            "verdict": None
            if verdict is None
            else {
                "rating": verdict.rating.label,
                "version": verdict.version,
                "published_at": iso_datetime(verdict.published_at),
            },
            "appearance_count": claim.appearance_count,
            "merged_into": claim.merged_into_id,
            "created_at": iso_datetime(claim.created_at),
            "updated_at": iso_datetime(claim.updated_at),
        }


class AppearanceSerializer(serializers.ModelSerializer):
    """Where a claim was seen: the article (its outlet, date and URL), the sentence and its offsets."""

    article = ArticleRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Appearance
        fields = ["id", "article", "text", "start", "end", "speaker", "match", "similarity", "created_at"]
        read_only_fields = fields


class ClaimDetailSerializer(ClaimSerializer):
    """A claim with its verdict and evidence. Findings and suggestions are the desk's working notes:
    they are null for readers without a role."""

    verdict = VerdictSerializer(read_only=True, allow_null=True)
    appearances = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()
    findings = serializers.SerializerMethodField()
    suggestions = serializers.SerializerMethodField()

    class Meta(ClaimSerializer.Meta):
        fields = [*ClaimSerializer.Meta.fields, "appearances", "evidence", "findings", "suggestions"]
        read_only_fields = fields

    def to_representation(self, claim: Claim) -> dict[str, Any]:
        return serializers.ModelSerializer.to_representation(self, claim)

    def _staff(self) -> bool:
        request = self.context.get("request")
        return request is not None and can_review(request.user)

    @extend_schema_field(AppearanceSerializer(many=True))
    def get_appearances(self, claim: Claim) -> list[dict[str, Any]]:
        appearances = claim.appearances.select_related("article").defer("article__body")
        return AppearanceSerializer(appearances, many=True, context=self.context).data

    @extend_schema_field(EvidenceSerializer(many=True))
    def get_evidence(self, claim: Claim) -> list[dict[str, Any]]:
        evidence = claim.evidence.select_related("source", "added_by")
        return EvidenceSerializer(evidence, many=True, context=self.context).data

    @extend_schema_field(FindingSerializer(many=True, allow_null=True))
    def get_findings(self, claim: Claim) -> list[dict[str, Any]] | None:
        if not self._staff():
            return None
        findings = claim.findings.select_related("suggested_rating", "decided_by")
        return FindingSerializer(findings, many=True, context=self.context).data

    @extend_schema_field(SuggestionSerializer(many=True, allow_null=True))
    def get_suggestions(self, claim: Claim) -> list[dict[str, Any]] | None:
        if not self._staff():
            return None
        return SuggestionSerializer(claim_suggestions(claim=claim), many=True, context=self.context).data


class ArticleSerializer(serializers.ModelSerializer):
    ingested_by = serializers.CharField(source="ingested_by.username", read_only=True, allow_null=True)
    api_url = serializers.SerializerMethodField(help_text="Where to follow the extraction: GET it until it is done.")
    claims = serializers.SerializerMethodField()
    checkworthiness_note = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "id",
            "url",
            "title",
            "outlet",
            "author",
            "published_at",
            "language",
            "body",
            "content_hash",
            "extraction_status",
            "extraction_progress",
            "extraction_error",
            "extraction_attempts",
            "api_url",
            "ingested_by",
            "created_at",
            "updated_at",
            "claims",
            "checkworthiness_note",
        ]
        read_only_fields = fields

    def _just_stored(self, article: Article) -> bool:
        """The article was stored by this request: its claims come from the job queued after commit,
        so it has none yet (and the answer stays one snapshot, "queued" with no claims, even when an
        in-process job is quick). Saves two queries in the ingest POST."""
        return bool(self.context.get("just_stored")) and article.extraction_status == ExtractionStatus.QUEUED

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_checkworthiness_note(self, article: Article) -> str | None:
        """Said when some sentences are in a language the check-worthiness model cannot read."""
        if self._just_stored(article):
            return None
        languages = {claim.language for claim in article.claims.all().only("language")}
        others = sorted(language for language in languages if not model_reads(language))
        if not others:
            return None
        return (
            f"The check-worthiness model reads English only; sentences in {', '.join(others)} are kept as "
            "candidates ranked by a language-neutral fallback (numbers, names, claim types), not by the model."
        )

    def get_api_url(self, article: Article) -> str:
        path = reverse("article-detail", args=[article.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    @extend_schema_field(ClaimSerializer(many=True))
    def get_claims(self, article: Article) -> list[dict[str, Any]]:
        if self._just_stored(article):
            return []
        claims = article.claims.select_related("assignee", "verdict__rating").defer("embedding").order_by("start", "id")
        return ClaimSerializer(claims, many=True, context=self.context).data


class SourceImportReportSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    passages = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.CharField())


class ExternalFactCheckSerializer(serializers.ModelSerializer):
    summary = serializers.CharField(read_only=True)

    class Meta:
        model = ExternalFactCheck
        fields = [
            "id",
            "url",
            "publisher",
            "publisher_site",
            "claim_text",
            "claimant",
            "claim_date",
            "title",
            "rating_text",
            "rating_value",
            "reviewed_at",
            "language",
            "summary",
            "source",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class FactCheckImportReportSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    refused = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.CharField())


class ClaimBulkRefusalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    message = serializers.CharField()


class ClaimBulkResultSerializer(serializers.Serializer):
    done = serializers.ListField(child=serializers.IntegerField())
    refused = ClaimBulkRefusalSerializer(many=True)
