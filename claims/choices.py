from django.db import models


class ClaimStatus(models.TextChoices):
    # Stored but below the check-worthiness threshold: not in the queue until a reviewer promotes it.
    CANDIDATE = "candidate", "Candidate (not queued)"
    NEW = "new", "New"
    IN_REVIEW = "in_review", "In review"
    DRAFTED = "drafted", "Verdict drafted"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"
    DISMISSED = "dismissed", "Dismissed"
    REOPENED = "reopened", "Reopened"


# Claims a reviewer can be handed by "take next" (when nobody holds a live lease on them).
QUEUE_STATUSES = (ClaimStatus.NEW, ClaimStatus.IN_REVIEW, ClaimStatus.REOPENED)


class ClaimType(models.TextChoices):
    STATISTIC = "statistic", "Statistic / quantity"
    QUOTE = "quote", "Quote"
    CAUSAL = "causal", "Causal"
    PREDICTION = "prediction", "Prediction"
    LAW = "law", "Law / rule"
    ROLE = "role", "Role / title"
    EVENT = "event", "Event"
    OTHER = "other", "Other"


class ExtractionStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for extraction"
    EXTRACTING = "extracting", "Extracting"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


# An article in these states still has its claims to come: its page refreshes itself.
EXTRACTION_UNFINISHED = (ExtractionStatus.QUEUED, ExtractionStatus.EXTRACTING)


class SourceKind(models.TextChoices):
    OFFICIAL_RECORD = "official_record", "Official record"
    NEWS_REPORT = "news_report", "News report"
    FACT_CHECK = "fact_check", "Fact-check"
    DATASET = "dataset", "Dataset"
    STATEMENT = "statement", "Statement"


class Stance(models.TextChoices):
    SUPPORTS = "supports", "Supports"
    REFUTES = "refutes", "Refutes"
    CONTEXT = "context", "Context"


class SuggestionTarget(models.TextChoices):
    PASSAGE = "passage", "Source passage"
    CLAIM = "claim", "Earlier verdict"


class SuggestionState(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    AUTO_LINKED = "auto_linked", "Auto-linked"


class FindingState(models.TextChoices):
    OPEN = "open", "Open"
    CONFIRMED = "confirmed", "Confirmed"
    DISMISSED = "dismissed", "Dismissed"


class TokenScope(models.TextChoices):
    READ = "read", "Read"
    WRITE = "write", "Read and write"


class Role(models.TextChoices):
    REVIEWER = "reviewer", "Reviewer"
    EDITOR = "editor", "Editor"
    ADMIN = "admin", "Admin"


class WebhookEventType(models.TextChoices):
    CLAIM_PUBLISHED = "claim.published", "A claim's verdict was published"
    CLAIM_REOPENED = "claim.reopened", "A published verdict was reopened"
    VERDICT_APPROVED = "verdict.approved", "An editor approved a verdict"
    VERDICT_SENT_BACK = "verdict.sent_back", "An editor sent a verdict back"
    ARTICLE_INGESTED = "article.ingested", "An article was ingested"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Delivered"
    FAILED = "failed", "Failed (gave up)"
