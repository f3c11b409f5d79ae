"""Queue priority: one function, the sum of parts that each say why, and one notion of "now".

Every place that ranks claims (extraction, the nightly re-ranking, a claim seen again) calls
``claim_priority``; the queue shows its explanation next to the number."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

# How much each claim type moves priority. Statistics and roles are the quickest to check against
# a record and the most often wrong; predictions cannot be checked until later.
CLAIM_TYPE_WEIGHTS = {
    "statistic": 0.15,
    "role": 0.10,
    "quote": 0.10,
    "law": 0.10,
    "causal": 0.05,
    "event": 0.05,
    "prediction": -0.15,
    "other": 0.0,
}
TYPE_RANGE = (-0.15, 0.25)
# Check-worthiness counts for this share: the classifier's scores crowd near 1 on news copy, and
# the other parts must still be able to tell those sentences apart.
SCORE_WEIGHT = 0.75
# A machine-detected error (a finding) lifts its claim this much: the cheapest check to make.
FINDING_BOOST = 0.25
# A claim seen again rises: this much per doubling of its appearances, up to RECURRENCE_MAX.
RECURRENCE_PER_DOUBLING = 0.05
RECURRENCE_MAX = 0.25
# Fresh articles first (a false claim does its harm while it is read): full weight for
# RECENCY_GRACE_DAYS, then halving every RECENCY_HALF_LIFE_DAYS, down to RECENCY_FLOOR. Age is
# counted in hours, so claims of the same day still differ.
RECENCY_GRACE_DAYS = 2.0
RECENCY_HALF_LIFE_DAYS = 14.0
RECENCY_FLOOR = 0.3
UNKNOWN_DATE_RECENCY = 0.6


def now() -> dt.datetime:
    """The one "now" the queue is ranked by."""
    return timezone.now()


@dataclass(frozen=True)
class PriorityPart:
    name: str
    value: float


@dataclass(frozen=True)
class Priority:
    score: float
    parts: tuple[PriorityPart, ...]

    def explanation(self) -> str:
        """ "0.93 = score 0.68 + statistic 0.15 − age 3 d 0.05 + seen 4× 0.10"."""
        terms = []
        for part in self.parts:
            if abs(part.value) < 0.005 and part.name != "score":
                continue
            sign = "−" if part.value < 0 else "+"
            terms.append(f"{sign} {part.name} {abs(part.value):.2f}")
        text = " ".join(terms).removeprefix("+ ")
        return f"{self.score:.2f} = {text}"


def recurrence_boost(appearances: int) -> float:
    if appearances <= 1:
        return 0.0
    return min(RECURRENCE_MAX, RECURRENCE_PER_DOUBLING * math.log2(appearances))


def _as_datetime(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else value.replace(tzinfo=dt.UTC)
    return dt.datetime(value.year, value.month, value.day, 12, 0, tzinfo=dt.UTC)


def claim_priority(
    *,
    checkworthiness: float,
    claim_types: Sequence[str],
    published_at: dt.date | dt.datetime | None,
    at: dt.datetime,
    flagged: bool = False,
    appearances: int = 1,
) -> Priority:
    """Priority as of ``at`` (pass ``now()``): (score + type) discounted by age, plus a finding's
    boost and recurrence. Never below 0."""
    score = SCORE_WEIGHT * min(1.0, max(0.0, checkworthiness))
    adjustment = min(TYPE_RANGE[1], max(TYPE_RANGE[0], sum(CLAIM_TYPE_WEIGHTS.get(kind, 0.0) for kind in claim_types)))
    type_name = "/".join(kind for kind in claim_types if CLAIM_TYPE_WEIGHTS.get(kind)) or "type"
    base = max(0.0, score + adjustment)
    if published_at is None:
        recency, age_name = UNKNOWN_DATE_RECENCY, "undated"
    else:
        age_days = max(0.0, (at - _as_datetime(published_at)).total_seconds() / 86400)
        recency = max(RECENCY_FLOOR, math.pow(0.5, max(0.0, age_days - RECENCY_GRACE_DAYS) / RECENCY_HALF_LIFE_DAYS))
        age_name = f"age {age_days:.0f} d" if age_days >= 1 else f"age {age_days * 24:.0f} h"
    parts = (
        PriorityPart("score", score),
        PriorityPart(type_name, adjustment),
        PriorityPart(age_name, -(1.0 - recency) * base),
        PriorityPart("finding", FINDING_BOOST if flagged else 0.0),
        PriorityPart(f"seen {appearances}×", recurrence_boost(appearances)),
    )
    total = max(0.0, sum(part.value for part in parts))
    return Priority(score=round(total, 4), parts=parts)
