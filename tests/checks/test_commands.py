"""The management commands that wrap the pure check code."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

from django.core.management import call_command

SAMPLE = Path(__file__).with_name("wikidata_sample.json")


def test_evaluate_checks_prints_precision_and_recall_per_check_as_json():
    out = StringIO()

    call_command("evaluate_checks", "--format", "json", stdout=out)

    report = json.loads(out.getvalue())
    assert set(report["checks"]) == {"role_in_office", "weekday_date"}
    assert report["checks"]["role_in_office"]["precision"] == 1.0
    assert report["sentences"] >= 100


def test_evaluate_checks_prints_a_table_with_the_mistakes_of_another_labelled_file(tmp_path):
    labelled = tmp_path / "set.jsonl"
    labelled.write_text(
        '{"sentence": "The fair opens on Friday, May 15.", "published_at": "2025-05-12", "expected": []}\n',
        encoding="utf-8",
    )
    out = StringIO()

    call_command("evaluate_checks", "--data", str(labelled), "--format", "table", stdout=out)

    table = out.getvalue()
    assert "weekday_date" in table and "0.000" in table
    assert "false_positive: weekday_date 'Friday, May 15'" in table


def test_import_offices_writes_a_knowledge_base_directory(tmp_path):
    out, err = StringIO(), StringIO()

    call_command(
        "import_offices", str(SAMPLE), "--output", str(tmp_path / "kb"), "--as-of", "2026-11-26", stdout=out, stderr=err
    )

    assert sorted(p.name for p in (tmp_path / "kb").iterdir()) == [
        "countries.csv", "offices.csv", "people.csv", "terms.csv",
    ]  # fmt: skip
    assert "3 people, 2 offices, 4 terms" in out.getvalue()
    assert "skipped row 5" in err.getvalue()
