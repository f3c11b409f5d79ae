"""Small template helpers for the reviewer UI: roles, labels, and scores."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from .. import roles
from ..choices import ClaimType

register = template.Library()

_CLAIM_TYPE_LABELS = dict(ClaimType.choices)


@register.filter
def can_review(user: Any) -> bool:
    return roles.can_review(user)


@register.filter
def can_edit(user: Any) -> bool:
    return roles.can_edit(user)


@register.filter
def claim_type_labels(values: Iterable[str] | None) -> str:
    return ", ".join(_CLAIM_TYPE_LABELS.get(value, value) for value in values or [])


@register.filter
def shorten(text: str | None, length: int) -> str:
    """Plain text cut to ``length`` characters at most, with an ellipsis. The queue shows fifty of
    these per page; Django's truncatechars scans every character and cost 3 ms a page."""
    text = text or ""
    if len(text) <= length:
        return text
    return text[: length - 1].rstrip() + "…"


@register.filter
def score(value: float | None) -> str:
    """Scores are shown with two decimals: enough to rank, not so many that they look exact."""
    if value is None:
        return "–"
    return f"{value:.2f}"


@register.filter
def score_items(scores: dict[str, Any] | None) -> list[tuple[str, str]]:
    items = []
    for name, value in sorted((scores or {}).items()):
        items.append((name, f"{value:.3f}" if isinstance(value, int | float) else str(value)))
    return items
