"""Bar charts drawn as inline SVG on the server: no chart library, no script, and readable without CSS."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django import template

register = template.Library()

DEFAULT_COLOUR = "#4a6b8a"
# The colour lands in an SVG attribute; only a plain hex colour is let through.
_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$")


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    colour: str
    x: float
    y: float
    width: float
    height: float
    text_y: float = 0.0
    value_x: float = 0.0


def safe_colour(colour: str | None) -> str:
    return colour if colour and _HEX_COLOUR.match(colour) else DEFAULT_COLOUR


def horizontal_bars(
    *, rows: Sequence[tuple[str, int, str | None]], width: int = 420, label_width: int = 150, row_height: int = 22
) -> dict[str, object]:
    """One bar per (label, value, colour) row, longest bar filling the width left after labels and values."""
    largest = max((value for _, value, _ in rows), default=0) or 1
    span = width - label_width - 50
    bars = [
        Bar(
            label=label,
            value=value,
            colour=safe_colour(colour),
            x=label_width,
            y=index * row_height + 3,
            width=round(span * value / largest, 1),
            height=row_height - 6,
            text_y=index * row_height + 15,
            value_x=round(label_width + span * value / largest + 6, 1),
        )
        for index, (label, value, colour) in enumerate(rows)
    ]
    return {
        "bars": bars,
        "width": width,
        "height": max(1, len(rows)) * row_height,
        "label_x": label_width - 8,
    }


def vertical_bars(
    *, columns: Sequence[tuple[str, int]], width: int = 900, height: int = 160, axis_height: int = 20
) -> dict[str, object]:
    """One column per (label, value); only every seventh label, counted back from the last column,
    is printed so dates stay legible and the latest day is always named."""
    largest = max((value for _, value in columns), default=0) or 1
    plot_height = height - axis_height - 14
    step = width / max(1, len(columns))
    bars = []
    for index, (label, value) in enumerate(columns):
        bar_height = round(plot_height * value / largest, 1)
        bars.append(
            Bar(
                label=label if (len(columns) - 1 - index) % 7 == 0 else "",
                value=value,
                colour=DEFAULT_COLOUR,
                x=round(index * step + 1, 1),
                y=round(14 + plot_height - bar_height, 1),
                width=round(max(1.0, step - 2), 1),
                height=bar_height,
                text_y=height - 4,
            )
        )
    return {
        "bars": bars,
        "width": width,
        "height": height,
        "baseline": 14 + plot_height,
        "largest": largest,
        "total": sum(value for _, value in columns),
    }


@register.inclusion_tag("claims/partials/hbar_chart.html")
def hbar_chart(rows: Sequence[tuple[str, int, str | None]], title: str) -> dict[str, object]:
    return {**horizontal_bars(rows=rows), "title": title}


@register.inclusion_tag("claims/partials/vbar_chart.html")
def vbar_chart(columns: Sequence[tuple[str, int]], title: str) -> dict[str, object]:
    return {**vertical_bars(columns=columns), "title": title}
