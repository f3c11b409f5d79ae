"""Checks taken all the way through the desk's services (take, evidence, draft, approve, publish),
so the history the public pages read is the one real use writes."""

from __future__ import annotations

import pytest

from claims.models import Claim
from claims.services import review, verdicts
from claims.services.evidence import evidence_add
from tests.factories import ArticleFactory, ClaimFactory, SourceFactory, UserFactory, rating


@pytest.fixture
def desk(db):
    return {
        "reviewer": UserFactory(username="rita", first_name="Rita", last_name="Reviewer", roles=["reviewer"]),
        "editor": UserFactory(username="emma", first_name="Emma", last_name="Editor", roles=["editor"]),
    }


def publish_check(
    desk,
    *,
    text: str = "Former U.S. President Donald Trump met the chancellor on Monday.",
    rating_label: str = "Outdated",
    explanation: str = "He has held the office again since 20 January 2025.",
    corrected_statement: str = "U.S. President Donald Trump met the chancellor on Monday.",
    speaker: str = "The newspaper",
    **claim_fields,
) -> Claim:
    if "article" not in claim_fields:
        article = ArticleFactory(outlet="Daily News")
        article.url = f"https://news.example.org/articles/{article.pk}"
        article.save(update_fields=["url"])
        claim_fields["article"] = article
    claim = ClaimFactory(text=text, speaker=speaker, **claim_fields)
    review.review_take(user=desk["reviewer"], claim_id=claim.pk)
    source = SourceFactory(title="The White House: the President", url=f"https://www.whitehouse.gov/p/{claim.pk}")
    evidence_add(
        user=desk["reviewer"], claim_id=claim.pk, source_id=source.pk, stance="refutes", excerpt="Sworn in 2025."
    )
    verdicts.verdict_draft(
        user=desk["reviewer"],
        claim_id=claim.pk,
        rating=rating(rating_label),
        explanation=explanation,
        corrected_statement=corrected_statement,
    )
    verdicts.verdict_approve(user=desk["editor"], claim_id=claim.pk)
    verdicts.verdict_publish(user=desk["editor"], claim_id=claim.pk)
    claim.refresh_from_db()
    return claim
