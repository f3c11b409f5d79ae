"""role_in_office as a specification: what it flags, what it proposes, and when it stays silent."""

from __future__ import annotations

import datetime

import pytest

from claims.checks import role_in_office

D = datetime.date


def _findings(text: str, published_at: datetime.date | None, context: str | None = None):
    return role_in_office.check(text=text, published_at=published_at, context=context)


def test_it_flags_a_current_title_once_the_term_has_ended_and_proposes_former():
    (finding,) = _findings("German Chancellor Olaf Scholz will travel to Kyiv.", D(2025, 6, 10))

    assert finding.suggested_rating == "Outdated"
    assert finding.span_text == "German Chancellor Olaf Scholz"
    assert finding.corrected_text == "Former German Chancellor Olaf Scholz will travel to Kyiv."
    assert "2025-05-06" in finding.message and "Friedrich Merz" in finding.message
    assert finding.data["holder"] == "Friedrich Merz"
    assert finding.data["reason"] == "no_longer_in_office"


def test_it_keeps_former_lower_case_in_the_middle_of_a_sentence():
    (finding,) = _findings("The talks were hosted by Chancellor Angela Merkel in Berlin.", D(2023, 3, 3))

    assert finding.corrected_text == "The talks were hosted by former Chancellor Angela Merkel in Berlin."


def test_it_flags_former_for_someone_in_a_first_term_as_inaccurate():
    (finding,) = _findings("Former French President Emmanuel Macron spoke in Lyon.", D(2023, 6, 1))

    assert finding.suggested_rating == "Inaccurate"
    assert finding.corrected_text == "French President Emmanuel Macron spoke in Lyon."


def test_it_flags_former_for_someone_back_in_office_as_outdated():
    (finding,) = _findings("He met former Russian President Vladimir Putin.", D(2015, 2, 2))

    assert finding.suggested_rating == "Outdated"
    assert finding.corrected_text == "He met Russian President Vladimir Putin."


def test_it_flags_a_country_title_given_before_the_person_took_office():
    (finding,) = _findings("German Chancellor Friedrich Merz said Europe must do more.", D(2024, 11, 20))

    assert finding.suggested_rating == "Inaccurate"
    assert finding.corrected_text is None
    assert "Olaf Scholz" in finding.message


def test_it_reads_an_appositive_title_after_the_name():
    (finding,) = _findings("Angela Merkel, the German chancellor, praised the deal.", D(2023, 3, 3))

    assert finding.span_text == "Angela Merkel, the German chancellor"
    assert finding.corrected_text == "Angela Merkel, the former German chancellor, praised the deal."


def test_it_resolves_a_bare_generic_title_through_the_person():
    (finding,) = _findings("President Medvedev said the vote was illegal.", D(2015, 6, 2))

    assert finding.data["office"] == "President of Russia"


def test_it_uses_the_article_to_tell_which_person_a_shared_surname_means():
    sentence = "Premier Li told delegates that growth would pick up."

    assert _findings(sentence, D(2024, 3, 5)) == []
    (finding,) = _findings(sentence, D(2024, 3, 5), context="Chinese Premier Li Keqiang opened the session.")
    assert finding.data["person"] == "Li Keqiang"


def test_it_matches_ascii_spellings_of_names_with_diacritics():
    (finding,) = _findings("Turkish Prime Minister Recep Tayyip Erdogan said Ankara would respond.", D(2016, 1, 8))

    assert finding.data["person"] == "Recep Tayyip Erdoğan"


@pytest.mark.parametrize(
    ("text", "published_at"),
    [
        ("President Joe Biden met the families.", D(2025, 1, 21)),
        ("Former President Joe Biden met the families.", D(2025, 1, 20)),
        ("German Chancellor Olaf Scholz spoke with his successor.", D(2025, 5, 6)),
    ],
)
def test_it_stays_silent_around_a_change_of_office(text, published_at):
    assert _findings(text, published_at) == []


@pytest.mark.parametrize(
    "text",
    [
        "Then-President Barack Obama signed the law.",
        "In 2018, President Trump imposed tariffs on steel.",
        "During his first term, President Trump cut taxes.",
        "A former aide to President Barack Obama said the plan would fail.",
        "The judge was appointed by President Trump.",
        "Vice President Joe Biden visited Kyiv.",
        "President-elect Donald Trump named his chief of staff.",
        "The late Queen Elizabeth was remembered at the service.",
        "Patients were moved to Queen Elizabeth Hospital.",
        "President Donald Trump Jr. is not a title anyone holds.",
        "A President Obama would have vetoed it.",
    ],
)
def test_it_stays_silent_when_the_title_describes_another_time_or_person(text):
    assert _findings(text, D(2023, 7, 1)) == []


def test_it_stays_silent_for_people_and_offices_it_does_not_know():
    assert _findings("Finnish President Alexander Stubb met Prime Minister Jacinda Ardern.", D(2025, 4, 4)) == []


def test_it_stays_silent_after_the_office_was_last_verified():
    assert _findings("Former President Donald Trump spoke.", D(2026, 11, 20)) == []


def test_it_stays_silent_while_an_office_is_vacant():
    assert _findings("Zelensky's chief of staff, Andriy Yermak, went to Washington.", D(2025, 12, 5)) == []


def test_it_stays_silent_without_a_publication_date():
    assert _findings("Former President Donald Trump spoke.", None) == []


def test_it_accepts_a_datetime_as_the_publication_date():
    (finding,) = _findings("Former President Donald Trump spoke.", datetime.datetime(2025, 5, 12, 9, 30))

    assert finding.data["published_at"] == "2025-05-12"


def test_it_reports_offsets_of_the_span_in_the_text():
    text = "On Monday, talks resumed. Prime Minister Rishi Sunak visited Leeds."

    (finding,) = _findings(text, D(2024, 8, 20))

    assert text[finding.start : finding.end] == finding.span_text == "Prime Minister Rishi Sunak"
