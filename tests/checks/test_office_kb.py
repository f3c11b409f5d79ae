"""The knowledge base: fixture coverage, file merging, and what the check does with coverage dates."""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

import pytest

from claims.checks import role_in_office
from claims.checks.office_kb import DEFAULT_KB_DIR, OfficeKBError, load_office_kb, office_kb_paths, read_office_kb

G20_AND_EU_COUNTRIES = {
    "AR", "AU", "BR", "CA", "CN", "FR", "DE", "IN", "ID", "IT", "JP", "MX", "RU", "SA", "ZA", "KR", "TR",
    "GB", "US", "ES", "PL", "NL", "UA", "EU",
}  # fmt: skip


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def tiny_kb_dir(tmp_path: Path) -> Path:
    _write(tmp_path / "countries.csv", ["country", "names", "adjectives"], [["XL", "Examplia", "Examplian"]])
    _write(
        tmp_path / "offices.csv",
        ["office_id", "label", "country", "kind", "roles", "generic_roles", "titles", "covered_from"]
        + ["verified_through", "source_url"],
        [["president-of-examplia", "President of Examplia", "XL", "head_of_state", "President", "President", "",
          "", "2024-12-31", "https://example.org/presidents"]],
    )  # fmt: skip
    _write(
        tmp_path / "people.csv",
        ["person_id", "name", "aliases", "wikidata_url"],
        [["ada-ex", "Ada Ex", "Ex", ""], ["bo-why", "Bo Why", "Why", ""]],
    )
    _write(
        tmp_path / "terms.csv",
        ["person_id", "office_id", "start", "end", "uncertainty_days", "source_url", "note"],
        [
            ["ada-ex", "president-of-examplia", "2010-01-01", "2020-01-01", "10", "https://example.org/a", ""],
            ["bo-why", "president-of-examplia", "2020-01-01", "", "0", "https://example.org/b", ""],
        ],
    )
    return tmp_path


def test_it_covers_heads_of_state_and_government_of_the_g20_and_the_eu_largest_members():
    kb = load_office_kb([DEFAULT_KB_DIR])

    assert {office.country for office in kb.offices.values()} >= G20_AND_EU_COUNTRIES
    for office in kb.offices.values():
        terms = kb.terms_by_office[office.office_id]
        assert terms, office.office_id
        assert office.verified_through is not None
        assert all(t.source_url.startswith("https://") for t in terms)


def test_it_records_every_us_president_since_2000_with_dates():
    kb = load_office_kb([DEFAULT_KB_DIR])

    holders = [
        (kb.people[t.person_id].name, t.start.isoformat())
        for t in kb.terms_by_office["president-of-the-united-states"]
        if t.start.year >= 2000
    ]
    assert holders == [
        ("George W. Bush", "2001-01-20"),
        ("Barack Obama", "2009-01-20"),
        ("Donald Trump", "2017-01-20"),
        ("Joe Biden", "2021-01-20"),
        ("Donald Trump", "2025-01-20"),
    ]


def test_it_records_yermak_as_head_of_the_presidential_office_from_2020_02_11():
    kb = load_office_kb([DEFAULT_KB_DIR])

    (term,) = kb.terms_by_holder[("andriy-yermak", "head-of-the-office-of-the-president-of-ukraine")]
    assert term.start == datetime.date(2020, 2, 11)


def test_it_has_no_overlapping_terms_except_the_documented_ones():
    kb = load_office_kb([DEFAULT_KB_DIR])

    overlaps = []
    for terms in kb.terms_by_office.values():
        for earlier, later in zip(terms, terms[1:], strict=False):
            if earlier.end is None or later.start < earlier.end:
                overlaps.append((earlier.person_id, later.person_id))
    # Michel Temer acted as president while Dilma Rousseff was suspended; kings of Saudi Arabia
    # and Mohammed bin Salman are recorded in separate offices, so they never overlap here.
    assert overlaps == [("dilma-rousseff", "michel-temer")]


def test_it_loads_a_directory_and_indexes_aliases_titles_and_countries(tiny_kb_dir):
    kb = read_office_kb([tiny_kb_dir])

    assert kb.people_by_alias["Ex"] == {"ada-ex"}
    assert kb.country_by_qualifier["examplian"] == "XL"
    assert kb.country_by_qualifier["examplia's"] == "XL"
    assert kb.offices_by_generic_role["president"] == {"president-of-examplia"}


def test_a_later_file_extends_an_office_and_adds_aliases(tiny_kb_dir, tmp_path_factory):
    extra = tmp_path_factory.mktemp("extra")
    _write(extra / "people.csv", ["person_id", "name", "aliases", "wikidata_url"], [["bo-why", "", "B. Why", ""]])
    _write(
        extra / "offices.csv",
        ["office_id", "label", "verified_through"],
        [["president-of-examplia", "", "2026-06-30"]],
    )

    kb = read_office_kb([tiny_kb_dir, extra])

    assert kb.people["bo-why"].aliases == ("Why", "B. Why")
    assert kb.offices["president-of-examplia"].verified_through == datetime.date(2026, 6, 30)
    assert kb.offices["president-of-examplia"].label == "President of Examplia"


def test_the_check_judges_only_inside_the_verified_period(tiny_kb_dir):
    kb = read_office_kb([tiny_kb_dir])

    inside = role_in_office.check(text="President Ada Ex spoke.", published_at=datetime.date(2024, 6, 1), kb=kb)
    after = role_in_office.check(text="President Ada Ex spoke.", published_at=datetime.date(2025, 6, 1), kb=kb)

    assert [f.suggested_rating for f in inside] == ["Outdated"]
    assert after == []


def test_the_check_widens_the_silent_window_by_a_rows_uncertainty(tiny_kb_dir):
    kb = read_office_kb([tiny_kb_dir])

    def flagged(day: datetime.date) -> bool:
        return bool(role_in_office.check(text="President Ada Ex spoke.", published_at=day, kb=kb))

    assert not flagged(datetime.date(2020, 1, 10))
    assert flagged(datetime.date(2020, 1, 13))


def test_it_refuses_a_term_for_an_unknown_person(tiny_kb_dir):
    _write(
        tiny_kb_dir / "terms.csv",
        ["person_id", "office_id", "start", "end"],
        [["nobody", "president-of-examplia", "2010-01-01", ""]],
    )

    with pytest.raises(OfficeKBError, match="unknown person or office"):
        read_office_kb([tiny_kb_dir])


def test_it_refuses_a_malformed_date_naming_the_file_and_line(tiny_kb_dir):
    _write(
        tiny_kb_dir / "terms.csv",
        ["person_id", "office_id", "start", "end"],
        [["ada-ex", "president-of-examplia", "2010-13-01", ""]],
    )

    with pytest.raises(OfficeKBError, match=r"terms\.csv:2"):
        read_office_kb([tiny_kb_dir])


def test_it_reads_the_files_named_in_the_django_setting(settings, tiny_kb_dir):
    settings.CHECKS_OFFICE_KB_FILES = [str(tiny_kb_dir)]

    assert office_kb_paths() == (tiny_kb_dir,)
    assert "ada-ex" in load_office_kb().people


def test_it_falls_back_to_the_fixtures_without_the_setting(settings):
    if hasattr(settings, "CHECKS_OFFICE_KB_FILES"):
        del settings.CHECKS_OFFICE_KB_FILES

    assert office_kb_paths() == (DEFAULT_KB_DIR,)
