"""schema.org ClaimReview as JSON-LD, following Google's fact-check markup guidelines.

Required there: ``claimReviewed``, ``reviewRating`` (with ``alternateName``) and ``url``; recommended:
``author``, ``datePublished`` and ``itemReviewed`` (a Claim with its author, date and appearance)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from .records import AppearanceRecord, Desk, PublishedClaimRecord, iso_date

CONTENT_TYPE = "application/ld+json"
FILE_EXTENSION = "jsonld"

# Google shows claimReviewed in a snippet and asks for under 75 characters so it does not wrap on phones.
CLAIM_REVIEWED_MAX_CHARS = 74
_ELLIPSIS = "…"


def short_claim(text: str, *, max_chars: int = CLAIM_REVIEWED_MAX_CHARS) -> str:
    """The claim in at most ``max_chars`` characters, cut at a word boundary when it must be cut."""
    text = " ".join(text.split())
    if len(text) <= max_chars:
        return text
    room = max_chars - len(_ELLIPSIS)
    cut = text[: room + 1]
    boundary = cut.rfind(" ")
    # A single very long word (a URL, say) has no boundary to cut at; cut it mid-word then.
    shortened = cut[:boundary] if boundary > room // 2 else cut[:room]
    return shortened.rstrip(" ,;:.-–—") + _ELLIPSIS


def review_rating(record: PublishedClaimRecord, *, desk: Desk) -> dict[str, Any]:
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": record.rating_alternate_name}
    # A rating outside the numeric scale (e.g. "Unproven") carries only its name.
    if record.rating_value is not None and desk.best_rating is not None and desk.worst_rating is not None:
        rating["ratingValue"] = record.rating_value
        rating["bestRating"] = desk.best_rating
        rating["worstRating"] = desk.worst_rating
    return rating


def item_reviewed(record: PublishedClaimRecord) -> dict[str, Any]:
    item: dict[str, Any] = {"@type": "Claim"}
    if record.speaker:
        item["author"] = {"@type": "Person", "name": record.speaker}
    elif record.article_outlet:
        # No named speaker: the claim is the outlet's own, as printed.
        item["author"] = {"@type": "Organization", "name": record.article_outlet}
    if record.article_published_at is not None:
        item["datePublished"] = iso_date(record.article_published_at)
    seen = record.appearances or (
        AppearanceRecord(
            url=record.article_url,
            title=record.article_title,
            outlet=record.article_outlet,
            published_at=record.article_published_at,
        ),
    )
    works = [_creative_work(appearance) for appearance in seen if appearance.url or appearance.title]
    if works:
        # One verdict covers every appearance; the first is where the claim was first seen.
        item["appearance"] = works
        item["firstAppearance"] = works[0]
    return item


def _creative_work(appearance: AppearanceRecord) -> dict[str, Any]:
    work: dict[str, Any] = {"@type": "CreativeWork"}
    if appearance.url:
        work["url"] = appearance.url
    if appearance.title:
        work["headline"] = appearance.title
    if appearance.outlet:
        work["publisher"] = {"@type": "Organization", "name": appearance.outlet}
    if appearance.published_at is not None:
        work["datePublished"] = iso_date(appearance.published_at)
    return work


def claim_review(record: PublishedClaimRecord, *, desk: Desk) -> dict[str, Any]:
    """One ClaimReview object (without ``@context``, which the document carries once)."""
    review: dict[str, Any] = {
        "@type": "ClaimReview",
        "url": record.claim_url,
        "claimReviewed": short_claim(record.text),
        "reviewRating": review_rating(record, desk=desk),
        "author": {"@type": "Organization", "name": desk.name, "url": desk.url},
        "datePublished": iso_date(record.published_at),
        "itemReviewed": item_reviewed(record),
    }
    return review


# Characters escaped so the document can be pasted into <script type="application/ld+json"> as it is:
# a claim quoting "</script>" or "<!--" would otherwise end or change the element. The escapes are
# plain JSON (\u003c), so every JSON-LD reader reads the same text.
_EMBEDDING_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def embeddable_json(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    for character, escape in _EMBEDDING_ESCAPES.items():
        text = text.replace(character, escape)
    return text


def write(records: Iterable[PublishedClaimRecord], *, desk: Desk) -> Iterator[str]:
    """A JSON-LD document: a list of ClaimReview objects, produced piece by piece so a caller can
    stream it without holding every review in memory."""
    yield '{"@context": "https://schema.org", "@graph": ['
    separator = "\n"
    for record in records:
        yield separator + embeddable_json(claim_review(record, desk=desk))
        separator = ",\n"
    yield "\n]}\n"
