"""Rows written through COPY are the rows bulk_create writes, history included."""

from __future__ import annotations

import pytest
from simple_history.utils import bulk_create_with_history

from claims.choices import ClaimStatus
from claims.extraction.text import claim_key
from claims.models import Appearance, Claim
from claims.services.copy_rows import rows_copy_create, rows_copy_create_with_history
from tests.factories import ArticleFactory, UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

# Text that COPY's text format has to escape: tabs, line breaks, backslashes, quotes, non-Latin letters.
AWKWARD_TEXTS = [
    'He said: "Unemployment fell by 3\tpercent."',
    "Line one\nline two\r\nand a backslash \\N that is not a null",
    "Zürich’s budget rose to 40 million francs — «a record».",
    "",
]
SET_BY_THE_DATABASE_OR_THE_CLOCK = {"id", "article_id", "created_at", "updated_at", "history_id", "history_date"}


def _claims(article, user) -> list[Claim]:
    return [
        Claim(
            article=article,
            text=text,
            start=position * 10,
            end=position * 10 + len(text),
            speaker="Jane Doe" if position % 2 else "",
            claim_types=["statistic", "quote"][: position % 3],
            entities=[{"text": "Zürich", "label": "GPE", "start": 0, "end": 6, "nested": {"a": [1, None, "\\"]}}],
            dates=[{"text": "May", "start": 3, "end": 6, "value": None}],
            checkworthiness=0.125 * position,
            priority=1.5 + position,
            status=ClaimStatus.NEW if position % 2 else ClaimStatus.CANDIDATE,
            created_by=user if position % 2 else None,
            language="en",
            text_key=claim_key(text),
        )
        for position, text in enumerate(AWKWARD_TEXTS)
    ]


def _values(queryset) -> list[dict]:
    return [
        {name: value for name, value in row.items() if name not in SET_BY_THE_DATABASE_OR_THE_CLOCK}
        for row in queryset.order_by("id").values()
    ]


def test_claims_and_their_history_are_written_as_bulk_create_with_history_writes_them():
    user = UserFactory()
    by_insert, by_copy = ArticleFactory(), ArticleFactory()
    inserted = bulk_create_with_history(
        _claims(by_insert, user), Claim, default_user=user, default_change_reason="extracted"
    )
    copied = rows_copy_create_with_history(_claims(by_copy, user), default_user=user, default_change_reason="extracted")

    assert _values(Claim.objects.filter(article=by_copy)) == _values(Claim.objects.filter(article=by_insert))
    assert _values(Claim.history.filter(article=by_copy)) == _values(Claim.history.filter(article=by_insert))
    assert [claim.lexical_terms for claim in copied] == [claim.lexical_terms for claim in inserted]
    assert Claim.objects.get(pk=copied[1].pk).text == AWKWARD_TEXTS[1]
    assert Claim.history.get(id=copied[0].pk).history_change_reason == "extracted"


def test_copied_rows_get_ascending_ids_in_the_given_order_and_count_as_saved():
    article = ArticleFactory()
    copied = rows_copy_create(_claims(article, None))

    assert [claim.pk for claim in copied] == sorted(claim.pk for claim in copied)
    assert list(Claim.objects.filter(article=article).order_by("id").values_list("text", flat=True)) == AWKWARD_TEXTS
    assert all(not claim._state.adding for claim in copied)
    # Rows written afterwards by an ordinary INSERT take ids after them.
    assert Claim.objects.create(article=article, text="later").pk > copied[-1].pk


def test_appearances_are_written_as_bulk_create_writes_them():
    article = ArticleFactory()
    claims = rows_copy_create(_claims(article, None))

    def appearances() -> list[Appearance]:
        return [
            Appearance(
                claim=claim,
                article=article,
                text=claim.text,
                start=claim.start,
                end=claim.end,
                speaker=claim.speaker,
                match="similar" if position else "first",
                similarity=0.93 if position else None,
            )
            for position, claim in enumerate(claims)
        ]

    inserted = Appearance.objects.bulk_create(appearances())
    copied = rows_copy_create(appearances())

    assert _values(Appearance.objects.filter(pk__in=[row.pk for row in copied])) == _values(
        Appearance.objects.filter(pk__in=[row.pk for row in inserted])
    )


def test_it_refuses_rows_that_already_have_an_id():
    article = ArticleFactory()
    (claim,) = rows_copy_create(_claims(article, None)[:1])
    with pytest.raises(ValueError):
        rows_copy_create([claim])
