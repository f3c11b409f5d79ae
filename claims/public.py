"""What readers see: the public verdict pages, their index and the feeds. Reads only.

A claim has a public page from the moment its verdict is first published. When the verdict is
reopened, the page stays (links to it are out in the world) but says the claim is under review
again, and shows what was published, never the draft being worked on: the published wording is
read from the verdict's history, from the save that published it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.text import slugify

from .choices import ClaimStatus
from .errors import NotFoundError
from .exports.records import AppearanceRecord, EvidenceRecord, ExplainerRecord, PublishedClaimRecord
from .models import Appearance, Claim, Evidence, Explainer, Rating, Verdict
from .services.exports import explainer_records

SLUG_MAX_CHARS = 60
INDEX_PAGE_SIZE = 20


def claim_slug(text: str) -> str:
    """The claim's words for its address, cut at a word boundary."""
    slug = slugify(text)
    if len(slug) > SLUG_MAX_CHARS:
        cut = slug[: SLUG_MAX_CHARS + 1]
        slug = cut[: cut.rfind("-")] if "-" in cut else cut[:SLUG_MAX_CHARS]
    return slug.strip("-") or "claim"


def public_check_path(*, claim_id: int, text: str) -> str:
    return reverse("claims:public_check", kwargs={"claim_id": claim_id, "slug": claim_slug(text)})


def public_check_url(*, claim_id: int, text: str) -> str:
    """The absolute address of a claim's public page (PUBLIC_SITE_URL is where readers reach the site)."""
    return settings.PUBLIC_SITE_URL.rstrip("/") + public_check_path(claim_id=claim_id, text=text)


@dataclass(frozen=True)
class PublicRating:
    label: str
    alternate_name: str
    description: str
    colour: str
    value: int | None


@dataclass(frozen=True)
class PublicAppearance:
    outlet: str
    title: str
    url: str | None
    published_at: dt.datetime | None


@dataclass(frozen=True)
class PublicCheck:
    """One claim as readers see it: the verdict as it was published."""

    claim_id: int
    text: str
    speaker: str
    path: str
    url: str
    rating: PublicRating
    explanation: str
    corrected_statement: str
    published_at: dt.datetime
    updated_at: dt.datetime
    under_review: bool
    reviewer: str = ""
    approver: str = ""
    approved_at: dt.datetime | None = None
    appearances: tuple[PublicAppearance, ...] = ()
    evidence: tuple[EvidenceRecord, ...] = ()
    explainers: tuple[ExplainerRecord, ...] = field(default_factory=tuple)


# Every article a claim was seen in, first sighting first: one verdict covers them all.
APPEARANCES_WITH_ARTICLES = Prefetch(
    "appearances",
    queryset=Appearance.objects.select_related("article").defer("article__body").order_by("created_at", "id"),
)


def public_claims() -> QuerySet[Claim]:
    """Every claim whose verdict has been published at least once (published now, or reopened since)."""
    return (
        Claim.objects.filter(verdict__published_at__isnull=False)
        .exclude(status__in=[ClaimStatus.DISMISSED, ClaimStatus.CANDIDATE])
        .select_related("article", "verdict__rating", "verdict__author", "verdict__approver")
        .prefetch_related(APPEARANCES_WITH_ARTICLES)
        .defer("embedding", "article__body")
    )


def _person(user: object | None) -> str:
    if user is None:
        return ""
    full_name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return full_name or getattr(user, "username", "")


def _published_state(verdict: Verdict) -> Verdict | object:
    """The verdict as it read when it was last published. While the claim is published that is the
    verdict itself (a published verdict changes only by reopening); after a reopening it is the
    history row written by the publishing save: the first one carrying the current published_at."""
    if verdict.claim.status == ClaimStatus.PUBLISHED:
        return verdict
    record = verdict.history.filter(published_at=verdict.published_at).order_by("history_date", "history_id").first()
    return record if record is not None else verdict


def public_check_from_claim(claim: Claim) -> PublicCheck:
    """Call with a claim from ``public_claims`` (evidence prefetched or not)."""
    verdict = claim.verdict
    published = _published_state(verdict)
    rating = verdict.rating if published is verdict else Rating.objects.get(pk=published.rating_id)
    seen_in = [appearance.article for appearance in claim.appearances.all() if appearance.article is not None]
    if not seen_in and claim.article is not None:
        seen_in = [claim.article]
    # An article that repeats the claim is one place it appeared, however often it repeats it.
    unique_articles = {article.pk: article for article in seen_in}.values()
    appearances = tuple(
        PublicAppearance(outlet=article.outlet, title=article.title, url=article.url, published_at=article.published_at)
        for article in unique_articles
    )
    approver = verdict.approver if published is verdict else None
    if published is not verdict and published.approver_id:
        approver = type(verdict.author).objects.filter(pk=published.approver_id).first()
    return PublicCheck(
        claim_id=claim.pk,
        text=claim.text,
        speaker=claim.speaker,
        path=public_check_path(claim_id=claim.pk, text=claim.text),
        url=public_check_url(claim_id=claim.pk, text=claim.text),
        rating=PublicRating(
            label=rating.label,
            alternate_name=rating.alternate_name,
            description=rating.description,
            colour=rating.colour,
            value=rating.value,
        ),
        explanation=published.explanation,
        corrected_statement=published.corrected_statement,
        published_at=verdict.published_at,
        updated_at=claim.updated_at,
        under_review=claim.status != ClaimStatus.PUBLISHED,
        reviewer=_person(verdict.author),
        approver=_person(approver),
        approved_at=published.approved_at,
        appearances=appearances,
        evidence=tuple(
            EvidenceRecord(
                source_url=item.source.url, source_title=item.source.title, stance=item.stance, excerpt=item.excerpt
            )
            for item in claim.evidence.all()
        ),
        explainers=explainer_records(claim),
    )


_EVIDENCE_WITH_SOURCES = Evidence.objects.select_related("source").defer("source__body")


def public_check_get(*, claim_id: int) -> PublicCheck:
    claim = (
        public_claims()
        .filter(pk=claim_id)
        .prefetch_related(
            Prefetch("evidence", queryset=_EVIDENCE_WITH_SOURCES),
            Prefetch("explainers", queryset=Explainer.objects.order_by("title", "id")),
        )
        .first()
    )
    if claim is None:
        raise NotFoundError("No published check here.", claim_id=claim_id)
    return public_check_from_claim(claim)


def public_check_record(check: PublicCheck) -> PublishedClaimRecord:
    """The check as the export writers read it, so the page's JSON-LD is the exports' ClaimReview."""
    article = check.appearances[0] if check.appearances else None
    return PublishedClaimRecord(
        claim_id=check.claim_id,
        text=check.text,
        claim_url=check.url,
        rating_label=check.rating.label,
        rating_alternate_name=check.rating.alternate_name,
        rating_value=check.rating.value,
        published_at=check.published_at,
        updated_at=check.updated_at,
        speaker=check.speaker,
        explanation=check.explanation,
        corrected_statement=check.corrected_statement,
        reviewer=check.reviewer,
        approver=check.approver,
        approved_at=check.approved_at,
        article_url=article.url if article else None,
        article_title=article.title if article else "",
        article_outlet=article.outlet if article else "",
        article_published_at=article.published_at if article else None,
        appearances=tuple(
            AppearanceRecord(url=seen.url, title=seen.title, outlet=seen.outlet, published_at=seen.published_at)
            for seen in check.appearances
        ),
        evidence=check.evidence,
        explainers=check.explainers,
    )


def public_index(*, query: str = "", rating_id: int | None = None) -> QuerySet[Claim]:
    """The index: newest publication first, narrowed by words in the claim or its explanation and by rating."""
    claims = public_claims()
    for word in query.split()[:10]:
        claims = claims.filter(
            Q(text__icontains=word) | Q(verdict__explanation__icontains=word) | Q(speaker__icontains=word)
        )
    if rating_id is not None:
        claims = claims.filter(verdict__rating_id=rating_id)
    return claims.order_by("-verdict__published_at", "-id")


def public_ratings() -> QuerySet[Rating]:
    """The ratings that some public check carries, for the index's filter."""
    return Rating.objects.filter(verdicts__published_at__isnull=False).distinct().order_by("position", "label")
