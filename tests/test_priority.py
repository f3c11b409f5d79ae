"""Priority is one function, the sum of parts it names; age counts in hours, so claims of one day differ."""

from __future__ import annotations

import datetime as dt

from claims.priority import claim_priority

NOW = dt.datetime(2025, 5, 12, 18, 0, tzinfo=dt.UTC)


def test_the_parts_add_up_to_the_score_and_the_explanation_names_them():
    priority = claim_priority(
        checkworthiness=0.8,
        claim_types=["statistic"],
        published_at=NOW - dt.timedelta(days=20),
        at=NOW,
        flagged=True,
        appearances=8,
    )
    assert priority.score == round(sum(part.value for part in priority.parts), 4)
    text = priority.explanation()
    assert text.startswith(f"{priority.score:.2f} = score 0.60 + statistic 0.15 − age 20 d")
    assert "+ finding 0.25" in text and "+ seen 8× 0.15" in text


def test_old_articles_keep_their_claims_apart_and_a_recurring_claim_rises():
    old = NOW - dt.timedelta(days=120)
    scores = {
        cw: claim_priority(checkworthiness=cw, claim_types=["statistic"], published_at=old, at=NOW).score
        for cw in (0.93, 0.97, 1.0)
    }
    assert len(set(scores.values())) == 3
    once = claim_priority(checkworthiness=0.9, claim_types=[], published_at=old, at=NOW)
    often = claim_priority(checkworthiness=0.9, claim_types=[], published_at=old, at=NOW, appearances=16)
    assert often.score > once.score


def test_claims_published_hours_apart_on_one_day_do_not_collapse():
    morning = claim_priority(
        checkworthiness=0.9, claim_types=[], published_at=dt.datetime(2025, 5, 1, 6, tzinfo=dt.UTC), at=NOW
    )
    evening = claim_priority(
        checkworthiness=0.9, claim_types=[], published_at=dt.datetime(2025, 5, 1, 20, tzinfo=dt.UTC), at=NOW
    )
    assert evening.score > morning.score
