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
    assert set(report["checks"]) == {"role_in_office", "weekday_date", "timeline"}
    assert report["checks"]["role_in_office"]["precision"] == 1.0
    assert report["checks"]["timeline"]["precision"] >= 0.95 and report["checks"]["timeline"]["recall"] >= 0.70
    # Both labelled sets by default: the sentences and the timeline articles.
    assert report["sentences"] >= 200


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


def test_evaluate_checks_takes_several_labelled_files(tmp_path):
    sentences = tmp_path / "sentences.jsonl"
    sentences.write_text(
        '{"sentence": "The fair opens on Friday, May 15.", "published_at": "2025-05-12", "expected": []}\n',
        encoding="utf-8",
    )
    articles = tmp_path / "articles.jsonl"
    articles.write_text(
        '{"body": "The union called a strike on June 2. The operator made a pay offer on June 6. '
        'The union called the strike in response to the operator\'s pay offer.", "published_at": "2025-06-14", '
        '"expected": [{"check": "timeline", "span_text": "in response to the operator\'s pay offer", '
        '"suggested_rating": "Misleading"}]}\n',
        encoding="utf-8",
    )
    out = StringIO()

    call_command("evaluate_checks", "--data", str(sentences), "--data", str(articles), "--format", "json", stdout=out)

    report = json.loads(out.getvalue())
    assert report["sentences"] == 4
    assert report["checks"]["timeline"]["true_positives"] == 1
    assert report["checks"]["weekday_date"]["false_positives"] == 1


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
