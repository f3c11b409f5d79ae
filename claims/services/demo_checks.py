"""Published checks for the demo: a few claims of the seed article taken through the desk's real
workflow (take, cite, draft, approve, publish; one reopened), so the public pages, feeds and
exports have something to show on a fresh install."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction

from ..choices import ClaimStatus
from ..errors import WorkbenchError
from ..models import Claim, Rating, Source
from ..roles import User
from . import review, verdicts
from .evidence import evidence_add


def demo_checks_publish(*, path: Path, reviewer: User, editor: User) -> int:
    """Publish the checks described in ``path`` (a JSON list). A claim that has a verdict already,
    or whose text is not in the database, is skipped, so running it again changes nothing."""
    published = 0
    for entry in json.loads(path.read_text(encoding="utf-8")):
        claim = Claim.objects.filter(text__startswith=entry["claim_starts_with"]).order_by("id").first()
        if claim is None or hasattr(claim, "verdict") or claim.status not in (ClaimStatus.NEW, ClaimStatus.CANDIDATE):
            continue
        try:
            with transaction.atomic():
                _publish(claim=claim, entry=entry, reviewer=reviewer, editor=editor)
        except WorkbenchError:
            continue
        published += 1
    return published


def _publish(*, claim: Claim, entry: dict[str, Any], reviewer: User, editor: User) -> None:
    if claim.status == ClaimStatus.CANDIDATE:
        review.claim_promote(user=reviewer, claim_id=claim.pk)
    review.review_take(user=reviewer, claim_id=claim.pk)
    for item in entry.get("evidence", []):
        source = Source.objects.filter(url=item["source_url"]).first()
        if source is not None:
            evidence_add(
                user=reviewer,
                claim_id=claim.pk,
                source_id=source.pk,
                stance=item["stance"],
                excerpt=item.get("excerpt", ""),
            )
    verdicts.verdict_draft(
        user=reviewer,
        claim_id=claim.pk,
        rating=Rating.objects.get(label=entry["rating"]),
        explanation=entry["explanation"],
        corrected_statement=entry.get("corrected_statement", ""),
    )
    verdicts.verdict_approve(user=editor, claim_id=claim.pk)
    verdicts.verdict_publish(user=editor, claim_id=claim.pk)
    if entry.get("reopen"):
        verdicts.verdict_reopen(user=editor, claim_id=claim.pk, reason=entry["reopen"])
