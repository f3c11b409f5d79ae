"""The desk at a glance: queue size by status, verdicts by rating, claims reviewed per day."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..choices import ClaimStatus
from ..services.desk_stats import desk_stats
from .base import page


@page
def dashboard(request: HttpRequest) -> HttpResponse:
    stats = desk_stats(user=request.user)
    by_status = [
        (label, stats.claims_by_status.get(status, 0), None)
        for status, label in ClaimStatus.choices
        if status != ClaimStatus.CANDIDATE
    ]
    by_rating = [(row.label, row.count, row.colour) for row in stats.verdicts_by_rating]
    per_day = [(f"{row.day:%b %d}", row.count) for row in stats.reviewed_per_day]
    return render(
        request,
        "claims/dashboard.html",
        {
            "by_status": by_status,
            "by_rating": by_rating,
            "per_day": per_day,
            "reviewed_total": sum(row.count for row in stats.reviewed_per_day),
            "days": len(stats.reviewed_per_day),
            "nav": "dashboard",
        },
    )
