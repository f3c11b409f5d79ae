"""Importing a Wikidata-style "position held" extract into the knowledge-base format."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from claims.checks import role_in_office
from claims.checks.office_kb import DEFAULT_KB_DIR, load_office_kb, read_office_kb
from claims.checks.wikidata_import import convert_extract, read_extract_rows, write_kb_directory

SAMPLE = Path(__file__).with_name("wikidata_sample.json")
AS_OF = datetime.date(2026, 11, 26)


def _convert(rows):
    return convert_extract(rows, as_of=AS_OF, known=load_office_kb([DEFAULT_KB_DIR]))


def test_it_reads_sparql_json_results():
    rows = read_extract_rows(SAMPLE)

    assert rows[0]["personLabel"] == "Viktor Orbán"
    assert rows[0]["start"] == "1998-07-06T00:00:00Z"


def test_it_reads_json_lines_and_csv(tmp_path):
    row = {"personLabel": "Ada Ex", "positionLabel": "President of France", "start": "+2040-01-01T00:00:00Z"}
    (tmp_path / "extract.jsonl").write_text(json.dumps(row) + "\n" + json.dumps(row) + "\n", encoding="utf-8")
    (tmp_path / "extract.csv").write_text("personLabel,positionLabel,start\nAda Ex,President of France,2040-01-01\n")

    assert read_extract_rows(tmp_path / "extract.jsonl")[1]["personLabel"] == "Ada Ex"
    assert read_extract_rows(tmp_path / "extract.csv")[0]["start"] == "2040-01-01"


def test_it_converts_people_offices_and_terms_with_ids_that_merge_with_the_fixtures():
    extract = _convert(read_extract_rows(SAMPLE))

    assert extract.people["viktor-orban"]["aliases"] == "Orbán|Viktor Orban|Orban"
    assert extract.offices["prime-minister-of-hungary"]["generic_roles"] == "Prime Minister"
    assert extract.offices["prime-minister-of-hungary"]["verified_through"] == "2026-11-26"
    assert "president-of-the-united-states" in extract.offices
    assert extract.skipped == ["row 5: needs a person label, a position label and a start date"]


def test_it_closes_an_open_term_at_the_successors_start_and_marks_it_uncertain():
    extract = _convert(read_extract_rows(SAMPLE))

    (second_term,) = [t for t in extract.terms if t["person_id"] == "viktor-orban" and t["start"] == "2010-05-29"]
    assert second_term["end"] == "2030-01-15"
    assert int(second_term["uncertainty_days"]) >= 30


def test_it_turns_coarse_wikidata_dates_into_uncertainty():
    rows = [
        {"personLabel": "Ada Ex", "positionLabel": "President of France", "start": "2040-00-00T00:00:00Z",
         "startPrecision": "9"},
    ]  # fmt: skip

    (term,) = _convert(rows).terms

    assert term["start"] == "2040-01-01"
    assert term["uncertainty_days"] == "366"


def test_the_written_files_load_beside_the_fixtures_and_drive_the_check(tmp_path):
    write_kb_directory(_convert(read_extract_rows(SAMPLE)), tmp_path / "imported")

    kb = read_office_kb([DEFAULT_KB_DIR, tmp_path / "imported"])
    findings = role_in_office.check(
        text="Former Prime Minister Viktor Orbán addressed parliament.", published_at=datetime.date(2015, 3, 1), kb=kb
    )

    assert [(f.span_text, f.suggested_rating) for f in findings] == [("Former Prime Minister Viktor Orbán", "Outdated")]
    assert kb.people["donald-trump"].aliases[-2:] == ("Donald John Trump", "DJT")
