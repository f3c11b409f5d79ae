from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from .choices import (
    ClaimStatus,
    ExtractionStatus,
    FindingState,
    SourceKind,
    Stance,
    SuggestionState,
    SuggestionTarget,
    TokenScope,
)
from .fields import EmbeddingField


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True


class Article(TimestampedModel):
    url = models.URLField(max_length=2000, null=True, blank=True, unique=True)
    title = models.CharField(max_length=500, blank=True)
    outlet = models.CharField(max_length=200, blank=True, db_index=True)
    author = models.CharField(max_length=300, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    language = models.CharField(max_length=16, default="en")
    body = models.TextField()
    content_hash = models.CharField(max_length=64, unique=True)
    ingested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Extraction runs as a background job: the article is stored first, its claims follow.
    extraction_status = models.CharField(
        max_length=16, choices=ExtractionStatus.choices, default=ExtractionStatus.QUEUED, db_index=True
    )
    # Percent done while extracting, so the article's page can show how far the job has got.
    extraction_progress = models.PositiveSmallIntegerField(default=0)
    # Why the last attempt failed, in words a reviewer can act on.
    extraction_error = models.TextField(blank=True)
    extraction_attempts = models.PositiveSmallIntegerField(default=0)
    extraction_started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title or f"Article {self.pk}"


class Claim(TimestampedModel):
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.CASCADE, related_name="claims")
    text = models.TextField()
    # Offsets into article.body, so the UI can highlight the claim in place.
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    speaker = models.CharField(max_length=200, blank=True)
    claim_types = models.JSONField(default=list, blank=True)
    entities = models.JSONField(default=list, blank=True)
    dates = models.JSONField(default=list, blank=True)
    checkworthiness = models.FloatField(default=0.0, db_index=True)
    priority = models.FloatField(default=0.0)
    status = models.CharField(max_length=16, choices=ClaimStatus.choices, default=ClaimStatus.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_claims",
    )
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # Optimistic lock: every write through a service bumps it; a write that names an older one is refused.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    embedding = EmbeddingField(null=True, blank=True)
    embedding_model = models.CharField(max_length=200, blank=True)
    # When the suggestion job last finished for this claim (None: not yet), so the UI knows
    # "still computing" from "nothing matched".
    suggested_at = models.DateTimeField(null=True, blank=True)
    # The normalised text's hash (extraction.text.claim_key): a repeat of the sentence is found by it.
    text_key = models.CharField(max_length=64, blank=True, db_index=True)
    # How many times the claim was seen (its appearances), kept here so the queue can sort on it.
    appearance_count = models.PositiveIntegerField(default=1)
    # A claim merged into another keeps its row (and history) but hands over its appearances.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_claims"
    )

    history = HistoricalRecords(
        excluded_fields=["embedding", "embedding_model", "suggested_at", "updated_at", "appearance_count"]
    )

    class Meta:
        indexes = [
            models.Index(fields=["status", "-priority"], name="claim_queue_idx"),
            models.Index(fields=["assignee", "status"], name="claim_assignee_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(checkworthiness__gte=0) & Q(checkworthiness__lte=1),
                name="claim_score_in_unit_range",
            ),
            models.CheckConstraint(
                condition=Q(start__isnull=True) | Q(end__isnull=True) | Q(start__lte=F("end")),
                name="claim_offsets_ordered",
            ),
            # A lease is an assignee plus an expiry: never one without the other.
            models.CheckConstraint(
                condition=Q(assignee__isnull=True, lease_expires_at__isnull=True)
                | Q(assignee__isnull=False, lease_expires_at__isnull=False),
                name="claim_lease_complete",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="claim_version_positive"),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class Appearance(models.Model):
    """Where a claim was seen: one sentence of one article. A claim repeated across outlets (or within
    one article) is one Claim with many appearances, and one verdict covers them all."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="appearances")
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.CASCADE, related_name="appearances")
    text = models.TextField()
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    speaker = models.CharField(max_length=200, blank=True)
    # How the sentence was matched to the claim: "first", "exact" or "similar" (with its cosine).
    match = models.CharField(max_length=16, default="first")
    similarity = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["claim", "created_at"], name="appearance_claim_idx")]

    def __str__(self) -> str:
        return f"{self.text[:60]} (article {self.article_id})"


class Source(TimestampedModel):
    url = models.URLField(max_length=2000, unique=True)
    title = models.CharField(max_length=500)
    publisher = models.CharField(max_length=200, blank=True)
    published_at = models.DateField(null=True, blank=True)
    kind = models.CharField(max_length=32, choices=SourceKind.choices, default=SourceKind.NEWS_REPORT)
    body = models.TextField(blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A retired source has no passages, so it is neither searched nor suggested; evidence citing it stays.
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class SourcePassage(models.Model):
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="passages")
    position = models.PositiveIntegerField()
    text = models.TextField()
    start = models.PositiveIntegerField(default=0)
    end = models.PositiveIntegerField(default=0)
    embedding = EmbeddingField(null=True, blank=True)
    embedding_model = models.CharField(max_length=200, blank=True, db_index=True)

    class Meta:
        ordering = ["source_id", "position"]
        constraints = [models.UniqueConstraint(fields=["source", "position"], name="passage_unique_position")]

    def __str__(self) -> str:
        return self.text[:80]


class Rating(models.Model):
    label = models.CharField(max_length=64, unique=True)
    description = models.TextField(blank=True)
    # ClaimReview's reviewRating.alternateName: the human-readable verdict others display.
    alternate_name = models.CharField(max_length=64)
    value = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="ClaimReview ratingValue, 1 (worst) to 5 (best); empty when the scale does not apply.",
    )
    colour = models.CharField(max_length=7, default="#777777")
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "label"]

    def __str__(self) -> str:
        return self.label


class Verdict(TimestampedModel):
    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, related_name="verdict")
    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="verdicts")
    explanation = models.TextField(blank=True)
    corrected_statement = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="authored_verdicts")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approved_verdicts",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The editor's note when a draft is sent back.
    review_comment = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            # Four eyes: nobody approves their own verdict.
            models.CheckConstraint(
                condition=Q(approver__isnull=True) | ~Q(approver=F("author")),
                name="verdict_not_self_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating} — {self.claim}"


class Evidence(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="evidence")
    passage = models.ForeignKey(SourcePassage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    excerpt = models.TextField(blank=True)
    stance = models.CharField(max_length=16, choices=Stance.choices)
    note = models.TextField(blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_suggestion = models.ForeignKey(
        "Suggestion", null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "evidence"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_stance_display()}: {self.source}"


class Suggestion(TimestampedModel):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="suggestions")
    target_kind = models.CharField(max_length=16, choices=SuggestionTarget.choices)
    target_passage = models.ForeignKey(
        SourcePassage, null=True, blank=True, on_delete=models.CASCADE, related_name="suggestions"
    )
    target_claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="suggested_for"
    )
    scores = models.JSONField(default=dict, blank=True)
    fused_score = models.FloatField(default=0.0)
    model_version = models.CharField(max_length=200)
    state = models.CharField(max_length=16, choices=SuggestionState.choices, default=SuggestionState.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-fused_score", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        target_kind=SuggestionTarget.PASSAGE,
                        target_passage__isnull=False,
                        target_claim__isnull=True,
                    )
                    | Q(
                        target_kind=SuggestionTarget.CLAIM,
                        target_claim__isnull=False,
                        target_passage__isnull=True,
                    )
                ),
                name="suggestion_exactly_one_target",
            ),
            models.CheckConstraint(condition=~Q(target_claim=F("claim")), name="suggestion_not_self"),
            # Jobs upsert on these, so re-running a job never duplicates a suggestion.
            models.UniqueConstraint(
                fields=["claim", "target_passage", "model_version"],
                condition=Q(target_passage__isnull=False),
                name="suggestion_unique_passage",
            ),
            models.UniqueConstraint(
                fields=["claim", "target_claim", "model_version"],
                condition=Q(target_claim__isnull=False),
                name="suggestion_unique_claim",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_target_kind_display()} for claim {self.claim_id} ({self.fused_score:.2f})"


class Finding(TimestampedModel):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="findings")
    check_name = models.CharField(max_length=64)
    span_text = models.CharField(max_length=500)
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    message = models.TextField()
    suggested_rating = models.ForeignKey(Rating, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    corrected_statement = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=16, choices=FindingState.choices, default=FindingState.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["claim_id", "start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "check_name", "span_text"], name="finding_unique_per_span"),
        ]

    def __str__(self) -> str:
        return f"{self.check_name}: {self.span_text}"


class ApiToken(models.Model):
    """A token for an external tool. Only a hash of the secret is stored; the secret is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=128, unique=True)
    scope = models.CharField(max_length=8, choices=TokenScope.choices, default=TokenScope.READ)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class IdempotencyRecord(models.Model):
    """Remembers what an API write with an Idempotency-Key produced, so a retried request returns it again.

    A record without a response is a reservation: a request with this key is being processed now
    (since ``created_at``), and a concurrent one with the same key is told to retry later."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    request_fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_key")]

    def __str__(self) -> str:
        return self.key


class SavedFilter(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters")
    name = models.CharField(max_length=100)
    query = models.CharField(max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_filter_unique_name")]

    def __str__(self) -> str:
        return self.name
