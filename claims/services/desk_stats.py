"""Figures for the desk's dashboard: how big the queue is, how verdicts split by rating, and how many
claims were reviewed each day. Reads only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from ..models import Rating, Verdict
from ..roles import User, require_reviewer
from ..selectors import queue_counts


@dataclass(frozen=True)
class RatingCount:
    label: str
    colour: str
    count: int


@dataclass(frozen=True)
class DayCount:
    day: dt.date
    count: int


@dataclass(frozen=True)
class DeskStats:
    claims_by_status: dict[str, int]
    verdicts_by_rating: list[RatingCount]
    reviewed_per_day: list[DayCount]


def desk_stats(*, user: User, days: int = 30) -> DeskStats:
    """``reviewed_per_day`` counts claims whose verdict was first drafted on each of the last ``days``
    days (today included), with zero for quiet days so a chart shows gaps as gaps."""
    require_reviewer(user)
    by_rating = dict(Verdict.objects.values_list("rating").annotate(n=Count("id")).values_list("rating", "n"))
    ratings = [
        RatingCount(label=rating.label, colour=rating.colour, count=by_rating.get(rating.pk, 0))
        for rating in Rating.objects.order_by("position", "label")
        if rating.is_active or by_rating.get(rating.pk)
    ]
    today = timezone.localdate()
    first_day = today - dt.timedelta(days=days - 1)
    since = dt.datetime.combine(first_day, dt.time.min, tzinfo=timezone.get_current_timezone())
    drafted = dict(
        Verdict.objects.filter(created_at__gte=since)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    per_day = [
        DayCount(day=first_day + dt.timedelta(days=offset), count=drafted.get(first_day + dt.timedelta(days=offset), 0))
        for offset in range(days)
    ]
    return DeskStats(claims_by_status=queue_counts(user=user), verdicts_by_rating=ratings, reviewed_per_day=per_day)
