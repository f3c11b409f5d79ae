"""Publication dates are accepted inside a window: from PUBLISHED_AT_EARLIEST to a day from now."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from claims.errors import InvalidInputError
from claims.models import Article
from claims.services.articles import article_ingest

TEXT = "The unemployment rate fell to 3.9 percent in March, the statistics office said on Friday."


@pytest.mark.django_db
@pytest.mark.parametrize(
    "published_at",
    [dt.date(9999, 12, 31), dt.date(1, 1, 1), dt.date(1899, 12, 31), timezone.now().date() + dt.timedelta(days=2)],
)
def test_a_date_outside_the_window_is_refused_and_nothing_is_stored(published_at):
    with pytest.raises(InvalidInputError, match="published_at must be between"):
        article_ingest(text=TEXT, published_at=published_at)
    assert not Article.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("published_at", [dt.date(1900, 1, 1), timezone.now().date() + dt.timedelta(days=1)])
def test_the_edges_of_the_window_are_accepted(published_at):
    assert article_ingest(text=TEXT, published_at=published_at).created


@pytest.mark.django_db
@override_settings(PUBLISHED_AT_EARLIEST=dt.date(2000, 1, 1))
def test_the_earliest_date_is_a_setting():
    with pytest.raises(InvalidInputError):
        article_ingest(text=TEXT, published_at=dt.date(1999, 12, 31))
