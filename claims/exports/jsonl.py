"""JSON Lines: one published claim per line, with the verdict's provenance and its evidence."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from .records import Desk, PublishedClaimRecord, iso_datetime

CONTENT_TYPE = "application/jsonl"
FILE_EXTENSION = "jsonl"


def as_dict(record: PublishedClaimRecord) -> dict[str, Any]:
    return {
        "id": record.claim_id,
        "url": record.claim_url,
        "claim": record.text,
        "speaker": record.speaker,
        "rating": record.rating_label,
        "rating_alternate_name": record.rating_alternate_name,
        "rating_value": record.rating_value,
        "explanation": record.explanation,
        "corrected_statement": record.corrected_statement,
        "reviewer": record.reviewer,
        "approver": record.approver,
        "drafted_at": iso_datetime(record.drafted_at) or None,
        "approved_at": iso_datetime(record.approved_at) or None,
        "published_at": iso_datetime(record.published_at),
        "updated_at": iso_datetime(record.updated_at),
        "article": {
            "url": record.article_url,
            "title": record.article_title,
            "outlet": record.article_outlet,
            "published_at": iso_datetime(record.article_published_at) or None,
        },
        "evidence": [
            {"url": item.source_url, "title": item.source_title, "stance": item.stance, "excerpt": item.excerpt}
            for item in record.evidence
        ],
        "explainers": [
            {"title": item.title, "body": item.body, "sources": list(item.sources)} for item in record.explainers
        ],
        # Every place the claim was seen, first first; one verdict covers them all.
        "appearances": [
            {
                "url": item.url,
                "title": item.title,
                "outlet": item.outlet,
                "published_at": iso_datetime(item.published_at) or None,
            }
            for item in record.appearances
        ],
    }


def write(records: Iterable[PublishedClaimRecord], *, desk: Desk) -> Iterator[str]:
    for record in records:
        yield json.dumps(as_dict(record), ensure_ascii=False) + "\n"
