import datetime

import pytest

from claims.extraction.dates import find_dates

PUBLISHED = datetime.date(2025, 5, 12)


def _found(sentence: str, published_at: datetime.date | None = PUBLISHED) -> list[tuple[str, str | None]]:
    return [(mention.text, mention.value) for mention in find_dates(sentence, published_at=published_at)]


def test_it_takes_the_year_of_a_weekday_and_month_day_from_the_publication_date() -> None:
    assert _found("He will meet Putin in Turkey on Thursday, May 15, after talks.") == [
        ("Thursday, May 15", "2025-05-15")
    ]


def test_it_picks_the_year_closest_to_publication_across_new_year() -> None:
    assert _found("The vote was on December 30.", datetime.date(2025, 1, 3)) == [("December 30", "2024-12-30")]


def test_it_keeps_an_explicit_year() -> None:
    assert _found("The riot of Jan. 6, 2021 and the 10 May 2024 vote.") == [
        ("Jan. 6, 2021", "2021-01-06"),
        ("10 May 2024", "2024-05-10"),
    ]


def test_it_gives_month_precision_for_a_month_and_year() -> None:
    assert _found("Russia invaded in February 2022 and talks stalled since March 2022.") == [
        ("February 2022", "2022-02"),
        ("March 2022", "2022-03"),
    ]


def test_it_reads_a_bare_year_only_after_a_preposition() -> None:
    assert _found("They broke off in 2022, and 2022 people marched.") == [("2022", "2022")]


def test_it_resolves_relative_days_against_publication() -> None:
    assert _found("A ceasefire starting from tomorrow.") == [("tomorrow", "2025-05-13")]
    assert _found("A ceasefire starting from tomorrow.", None) == [("tomorrow", None)]


def test_it_keeps_a_bare_weekday_without_a_value() -> None:
    assert _found("I will be waiting for Putin on Thursday.") == [("Thursday", None)]


def test_it_skips_impossible_dates() -> None:
    assert _found("Filed on 2024-02-30.") == []


@pytest.mark.parametrize("sentence", ["You may go.", "The march was long.", "We met 15 people."])
def test_it_does_not_mistake_ordinary_words_for_dates(sentence: str) -> None:
    assert _found(sentence) == []


def test_its_offsets_point_into_the_sentence() -> None:
    sentence = "In the early hours of Sunday, May 11, Putin spoke."
    for mention in find_dates(sentence, published_at=PUBLISHED):
        assert sentence[mention.start : mention.end] == mention.text
