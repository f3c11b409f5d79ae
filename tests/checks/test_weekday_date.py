"""weekday_date as a specification."""

from __future__ import annotations

import datetime

import pytest

from claims.checks import weekday_date

D = datetime.date


def _findings(text: str, published_at: datetime.date | None, context: str | None = None):
    return weekday_date.check(text=text, published_at=published_at, context=context)


def test_it_names_the_real_weekday_in_the_year_nearest_publication():
    (finding,) = _findings("The summit opens on Friday, May 15, officials said.", D(2025, 5, 12))

    assert finding.span_text == "Friday, May 15"
    assert finding.suggested_rating == "Inaccurate"
    assert finding.message == "May 15, 2025 is a Thursday, not a Friday."
    assert finding.corrected_text == "The summit opens on Thursday, May 15, officials said."
    assert finding.data == {
        "date": "2025-05-15",
        "weekday_as_written": "Friday",
        "weekday": "Thursday",
        "year_basis": "publication_date",
        "published_at": "2025-05-12",
    }


def test_it_uses_the_year_written_with_the_date():
    (finding,) = _findings("It began on Wednesday, February 24, 2022.", D(2024, 2, 24))

    assert finding.message == "February 24, 2022 was a Thursday, not a Wednesday."
    assert finding.data["year_basis"] == "stated"


def test_it_uses_a_year_the_sentence_mentions():
    assert _findings("In 2019, the truce began on Friday, July 5.", D(2025, 5, 12)) == []
    (finding,) = _findings("In 2019, the truce began on Thursday, July 5.", D(2025, 5, 12))
    assert finding.data["date"] == "2019-07-05"


def test_it_looks_back_into_the_previous_year_early_in_january():
    (finding,) = _findings("Accounts closed on Thursday, December 31.", D(2026, 1, 5))

    assert finding.data["date"] == "2025-12-31"


@pytest.mark.parametrize(
    ("text", "weekday"),
    [
        ("Voting ends on Saturday, Sept. 14.", "Sunday"),
        ("The hearing is on Fri., Oct. 2.", "Thu."),
        ("They met on Friday the 15th of May.", "Thursday"),
        ("Parliament reconvenes on Monday (Sept. 2).", "Tuesday"),
        ("Ministers meet on Tuesday, 3 March 2025.", "Monday"),
    ],
)
def test_it_reads_the_usual_date_formats(text, weekday):
    published = D(2025, 5, 16) if "May" in text else D(2025, 9, 10) if "Sept. 14" in text else D(2025, 8, 25)
    if "Oct." in text:
        published = D(2025, 9, 28)
    if "March" in text:
        published = D(2025, 2, 25)

    (finding,) = _findings(text, published)

    assert weekday in finding.corrected_text


@pytest.mark.parametrize(
    ("text", "published_at"),
    [
        ("Rallies are planned on Thursday and Friday, May 15 and 16.", D(2025, 5, 1)),
        ("The fair runs Friday, May 15-16 in Lviv.", D(2025, 5, 1)),
        ("The strike began on Friday, May 15.", None),
        ("The leap-day rally on Saturday, February 29 drew thousands.", D(2025, 2, 20)),
        ("Results are expected on Thursday, June 5.", D(2025, 12, 10)),
        ("He left on Thursday. May 15 was the deadline.", D(2025, 5, 12)),
        ("The shop is closed on Sundays, May to September.", D(2025, 5, 12)),
    ],
)
def test_it_stays_silent_when_the_date_is_a_range_or_the_year_is_open(text, published_at):
    assert _findings(text, published_at) == []


def test_it_works_without_a_publication_date_when_the_year_is_written():
    assert _findings("The strike began on Friday, May 15, 2020.", None) == []
    (finding,) = _findings("The strike began on Thursday, May 15, 2020.", None)
    assert finding.message == "May 15, 2020 is a Friday, not a Thursday."


def test_it_takes_the_year_from_the_article_when_there_is_no_publication_date():
    (finding,) = _findings("The strike began on Thursday, May 15.", None, context="The 2020 strike ... ")

    assert finding.data == {
        "date": "2020-05-15",
        "weekday_as_written": "Thursday",
        "weekday": "Friday",
        "year_basis": "context",
        "published_at": None,
    }
