"""The server-side SVG charts: geometry and what may reach an SVG attribute."""

from __future__ import annotations

from claims.templatetags.charts import DEFAULT_COLOUR, horizontal_bars, safe_colour, vertical_bars


def test_it_scales_the_longest_bar_to_the_room_left_after_labels():
    chart = horizontal_bars(rows=[("New", 40, None), ("Published", 10, "#1a7f37")], width=400, label_width=150)
    new, published = chart["bars"]
    assert new.width == 200
    assert published.width == 50
    assert published.colour == "#1a7f37"
    assert published.y > new.y


def test_it_draws_empty_bars_when_everything_is_zero():
    chart = horizontal_bars(rows=[("Accurate", 0, None)])
    assert chart["bars"][0].width == 0


def test_it_lets_only_hex_colours_into_the_svg():
    assert safe_colour("#abc") == "#abc"
    assert safe_colour("#8250df") == "#8250df"
    assert safe_colour('red" onload="alert(1)') == DEFAULT_COLOUR
    assert safe_colour("url(javascript:alert(1))") == DEFAULT_COLOUR
    assert safe_colour(None) == DEFAULT_COLOUR


def test_it_names_the_last_day_and_every_seventh_day_before_it():
    columns = [(f"day {index}", index % 3) for index in range(30)]
    labels = [bar.label for bar in vertical_bars(columns=columns)["bars"]]
    assert [label for label in labels if label] == ["day 1", "day 8", "day 15", "day 22", "day 29"]


def test_it_grows_day_columns_up_from_the_baseline():
    chart = vertical_bars(columns=[("a", 0), ("b", 5), ("c", 10)], height=160)
    zero, half, full = chart["bars"]
    assert zero.height == 0
    assert full.height == 2 * half.height
    assert full.y + full.height == chart["baseline"]
    assert chart["total"] == 15
