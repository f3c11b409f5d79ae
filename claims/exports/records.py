"""Plain data the export writers read. The service fills these from the database; the writers never
touch the ORM, so each format can be tested (and reused) on its own."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class EvidenceRecord:
    source_url: str
    source_title: str
    stance: str
    excerpt: str = ""


@dataclass(frozen=True)
class ExplainerRecord:
    title: str
    body: str
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class AppearanceRecord:
    url: str | None
    title: str = ""
    outlet: str = ""
    published_at: dt.datetime | None = None


@dataclass(frozen=True)
class PublishedClaimRecord:
    """One claim with its published verdict and the provenance an external reader needs to trust it."""

    claim_id: int
    text: str
    claim_url: str
    rating_label: str
    rating_alternate_name: str
    published_at: dt.datetime
    updated_at: dt.datetime
    speaker: str = ""
    rating_value: int | None = None
    explanation: str = ""
    corrected_statement: str = ""
    reviewer: str = ""
    approver: str = ""
    drafted_at: dt.datetime | None = None
    approved_at: dt.datetime | None = None
    article_url: str | None = None
    article_title: str = ""
    article_outlet: str = ""
    article_published_at: dt.datetime | None = None
    evidence: tuple[EvidenceRecord, ...] = field(default_factory=tuple)
    explainers: tuple[ExplainerRecord, ...] = field(default_factory=tuple)
    # Every place the claim was seen, first first (the claim's own article among them).
    appearances: tuple[AppearanceRecord, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Desk:
    """The publishing desk, as ClaimReview names it, and the ends of its rating scale."""

    name: str
    url: str
    best_rating: int | None = None
    worst_rating: int | None = None


def iso_datetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
        return value.isoformat().replace("+00:00", "Z")
    return value.isoformat()


def iso_date(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return value.date().isoformat()
