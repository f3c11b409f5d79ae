"""Helpers for the public check pages."""

from __future__ import annotations

from django import template

from .charts import safe_colour

register = template.Library()


@register.filter(name="rating_colour")
def rating_colour(colour: str | None) -> str:
    """The rating's colour when it is a plain hex colour (it lands in an SVG attribute), else a grey."""
    return safe_colour(colour)
