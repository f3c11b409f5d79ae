from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from .choices import (
    ClaimStatus,
    DeliveryStatus,
    ExtractionStatus,
    FindingState,
    SourceKind,
    Stance,
    SuggestionState,
    SuggestionTarget,
    TokenScope,
    WebhookEventType,
)
from .fields import EmbeddingField, LexicalTermsField

# A URL is bounded in characters (what the forms say) and in UTF-8 bytes: 2,000 CJK characters are
# 6 kB. Uniqueness is enforced on a digest of the URL, because PostgreSQL cannot put a value over
# about 2.7 kB into a b-tree index, and a unique constraint on the URL itself would turn a long
# (valid) address into a server error.
MAX_URL_CHARS = 2000
MAX_URL_BYTES = 4096


def url_digest(url: str | None) -> str | None:
    """What URL uniqueness and URL lookups use: SHA-256 of the URL's UTF-8 bytes, in hex."""
    if not url:
        return None
    return hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()


class UrlDigestMixin(models.Model):
    """Keeps ``url_digest`` in step with ``url`` on every save (services, admin, fixtures)."""

    url: Any
    url_digest: Any

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.url_digest = url_digest(self.url)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "url" in update_fields and "url_digest" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "url_digest"]
        super().save(*args, **kwargs)


class LexicalTermsMixin(models.Model):
    """A save limited to ``update_fields`` that names a lexical field's source column writes the
    field too, so the words BM25 ranks on never go stale (as ``UrlDigestMixin`` does for urls)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            derived = [
                model_field.attname
                for model_field in self._meta.concrete_fields
                if isinstance(model_field, LexicalTermsField)
                and model_field.source in update_fields
                and model_field.attname not in update_fields
            ]
            if derived:
                kwargs["update_fields"] = [*update_fields, *derived]
        super().save(*args, **kwargs)


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True


class Article(UrlDigestMixin, TimestampedModel):
    url = models.URLField(max_length=MAX_URL_CHARS, null=True, blank=True)
    url_digest = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
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


class Claim(LexicalTermsMixin, TimestampedModel):
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
    # Detected at ingest (ISO 639-1, "und" when too short to tell); the check-worthiness model reads English only.
    language = models.CharField(max_length=16, blank=True)
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
    # `text` as BM25 reads it; the database's full-text index is built on it (see lexical_stores).
    lexical_terms = LexicalTermsField(source="text")

    history = HistoricalRecords(
        excluded_fields=[
            "embedding",
            "embedding_model",
            "suggested_at",
            "updated_at",
            "appearance_count",
            "lexical_terms",
        ]
    )

    class Meta:
        indexes = [
            models.Index(fields=["status", "-priority"], name="claim_queue_idx"),
            models.Index(fields=["assignee", "status"], name="claim_assignee_idx"),
            # The claim list's sorts (the API pages on them with id as the tie-break).
            models.Index(fields=["-priority", "-id"], name="claim_priority_idx"),
            models.Index(fields=["-appearance_count", "-id"], name="claim_repeats_idx"),
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

    @property
    def checkworthiness_method(self) -> str:
        """How ``checkworthiness`` was found: by the English-only model, or by the language-neutral
        fallback (claim types, numbers, names) for a sentence in another language."""
        from .extraction.language_neutral import FALLBACK_METHOD, MODEL_METHOD, model_reads

        return MODEL_METHOD if model_reads(self.language) else FALLBACK_METHOD


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


class Source(UrlDigestMixin, TimestampedModel):
    url = models.URLField(max_length=MAX_URL_CHARS)
    url_digest = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
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


class SourcePassage(LexicalTermsMixin, models.Model):
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="passages")
    position = models.PositiveIntegerField()
    text = models.TextField()
    start = models.PositiveIntegerField(default=0)
    end = models.PositiveIntegerField(default=0)
    embedding = EmbeddingField(null=True, blank=True)
    embedding_model = models.CharField(max_length=200, blank=True, db_index=True)
    # `text` as BM25 reads it; the database's full-text index is built on it (see lexical_stores).
    lexical_terms = LexicalTermsField(source="text")

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


class WebhookEndpoint(TimestampedModel):
    """Where events are delivered. The secret signs every delivery (Standard Webhooks); it is shown
    to the admin who registers the endpoint and kept to sign, so it is stored as given."""

    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    secret = models.CharField(max_length=100)
    events = models.JSONField(default=list, help_text="Event types delivered here.")
    is_active = models.BooleanField(default=True)
    # Set when the endpoint kept failing for a whole retry window; an admin turns it on again.
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.TextField(blank=True)
    # The first failed attempt since the last success; cleared by a success.
    failing_since = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["url", "id"]

    def __str__(self) -> str:
        return self.description or self.url


class WebhookEvent(models.Model):
    """Something that happened, once. Its ``event_id`` is the webhook-id header of every delivery
    of it, so a receiver that sees it twice (a retry after a lost answer) can tell."""

    event_id = models.CharField(max_length=64, unique=True)
    event_type = models.CharField(max_length=32, choices=WebhookEventType.choices, db_index=True)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class WebhookDelivery(models.Model):
    """One event on its way to one endpoint, with its attempts so far."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # When the next attempt is due (None once delivered or given up). A sender that takes the
    # delivery pushes it forward by the send timeout first, so no other sender takes it meanwhile.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # The last attempts, newest last: [{"at", "status", "error", "ms"}].
    attempt_log = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due_idx")]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.event} -> {self.endpoint}"


class Explainer(TimestampedModel):
    """A reusable context article ("How presidential terms work") that reviewers attach to many
    claims; readers see it on those claims' public pages, and exports carry it."""

    title = models.CharField(max_length=300)
    body = models.TextField()
    # Links readers can follow, in the order shown.
    sources = models.JSONField(default=list, blank=True)
    claims = models.ManyToManyField(Claim, blank=True, related_name="explainers")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class ExternalFactCheck(UrlDigestMixin, TimestampedModel):
    """Another organisation's published fact-check (ClaimReview), kept with the record it came from.

    It is matched through its library entry (``source``: a fact-check source whose one passage is
    the headline and the claim), so it is searched and suggested like any passage, and cited as
    evidence like any source."""

    url = models.URLField(max_length=MAX_URL_CHARS)
    url_digest = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    publisher = models.CharField(max_length=200, blank=True, db_index=True)
    publisher_site = models.CharField(max_length=200, blank=True)
    claim_text = models.TextField()
    claimant = models.CharField(max_length=300, blank=True)
    claim_date = models.DateField(null=True, blank=True)
    title = models.CharField(max_length=500, blank=True)
    rating_text = models.CharField(max_length=500, blank=True, db_index=True)
    # ClaimReview reviewRating.ratingValue on the publisher's own scale (best/worst kept in raw).
    rating_value = models.FloatField(null=True, blank=True)
    reviewed_at = models.DateField(null=True, blank=True, db_index=True)
    language = models.CharField(max_length=16, blank=True, db_index=True)
    # The record exactly as imported (JSON-LD object, API review, JSON line), for provenance.
    raw = models.JSONField(default=dict, blank=True)
    source = models.OneToOneField(
        Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="external_factcheck"
    )

    class Meta:
        ordering = ["-reviewed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.publisher or self.publisher_site}: {self.claim_text[:60]}"

    @property
    def summary(self) -> str:
        """'Checked by PolitiFact on 2021-03-02: False' (parts that are unknown are left out)."""
        text = f"Checked by {self.publisher or self.publisher_site or 'another organisation'}"
        if self.reviewed_at:
            text += f" on {self.reviewed_at.isoformat()}"
        return f"{text}: {self.rating_text}" if self.rating_text else text


class RatingMapping(models.Model):
    """How a publisher's rating text reads on the desk's scale ("pants-fire" at PolitiFact → Inaccurate).

    An empty publisher applies to every publisher that has no mapping of its own for that text."""

    publisher = models.CharField(max_length=200, blank=True)
    rating_text = models.CharField(max_length=500, help_text="Compared without regard to case or surrounding spaces.")
    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["publisher", "rating_text"]
        constraints = [
            models.UniqueConstraint(fields=["publisher", "rating_text"], name="rating_mapping_unique_text"),
        ]

    def __str__(self) -> str:
        return f"{self.publisher or 'any publisher'}: {self.rating_text} → {self.rating}"


class MultilingualPassageVector(models.Model):
    """A passage in the multilingual encoder's own vector space (``similarity.multilingual``), where a
    claim in any language is matched against it. Never compared with the English encoder's vectors."""

    passage = models.ForeignKey(SourcePassage, on_delete=models.CASCADE, related_name="multilingual_vectors")
    model_version = models.CharField(max_length=200, db_index=True)
    embedding = EmbeddingField(dimensions=512)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["passage", "model_version"], name="multilingual_vector_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.model_version} vector of passage {self.passage_id}"
