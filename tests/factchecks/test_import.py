"""Importing fact-checks through the service, the command and the API; the rating map."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from claims.choices import SourceKind
from claims.errors import InvalidInputError, PermissionDeniedError
from claims.factchecks.parsing import parse_json_lines, parse_text
from claims.models import ExternalFactCheck, SourcePassage
from claims.services.factchecks import (
    factcheck_delete,
    factchecks_import,
    rating_for_factcheck,
    rating_map_load,
    rating_mapping_save,
)
from tests.factories import rating

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
POLITIFACT = DATA / "politifact_records.jsonl"


def _import(path: Path = POLITIFACT, **kwargs):
    return factchecks_import(records=parse_text(path.read_text(encoding="utf-8"), name=path.name), **kwargs)


def test_an_import_keeps_the_good_records_and_refuses_the_malformed_ones_by_line():
    report = _import()

    assert (report.created, report.refused) == (2, 3)
    assert [error.split(":")[0] for error in report.errors] == ["line 2", "line 3", "line 6"]
    factcheck = ExternalFactCheck.objects.get(rating_text="false")
    assert factcheck.publisher == "PolitiFact" and factcheck.raw["id"] == "vclaim-pol-00000"
    assert factcheck.summary == "Checked by PolitiFact on 2019-10-30: false"
    # Its library entry is what the suggestion job matches: one passage, headline then claim.
    assert factcheck.source.kind == SourceKind.FACT_CHECK and factcheck.source.url == factcheck.url
    assert list(factcheck.source.passages.values_list("text", flat=True)) == [
        "Vandergriff inaccurately describes bill that would have eased late-term abortion laws. " + factcheck.claim_text
    ]


def test_importing_the_same_feed_again_changes_nothing_and_keeps_the_passages():
    _import()
    passages = set(SourcePassage.objects.values_list("id", flat=True))

    report = _import()

    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert ExternalFactCheck.objects.count() == 2
    assert set(SourcePassage.objects.values_list("id", flat=True)) == passages


def test_a_changed_rating_updates_the_fact_check_and_a_changed_claim_replaces_its_passage():
    _import()
    line = json.loads(POLITIFACT.read_text(encoding="utf-8").splitlines()[0])
    passage_before = SourcePassage.objects.get(source__url=line["url"]).pk

    report = factchecks_import(records=parse_json_lines([json.dumps({**line, "rating": "half-true"})]))
    assert report.updated == 1
    assert SourcePassage.objects.get(source__url=line["url"]).pk == passage_before

    factchecks_import(records=parse_json_lines([json.dumps({**line, "claim": "A reworded claim."})]))
    passage = SourcePassage.objects.get(source__url=line["url"])
    assert passage.pk != passage_before and passage.text.endswith("A reworded claim.")
    assert ExternalFactCheck.objects.get(url=line["url"]).rating_text == "false"


def test_a_url_repeated_in_one_feed_is_imported_once():
    line = POLITIFACT.read_text(encoding="utf-8").splitlines()[0]

    report = factchecks_import(records=parse_json_lines([line, line]))

    assert (report.created, report.duplicates) == (1, 1)


def test_the_fact_check_tools_response_imports_each_review_with_its_language():
    report = _import(DATA / "factchecktools_response.json")

    assert report.created == 3
    assert set(ExternalFactCheck.objects.values_list("language", flat=True)) == {"ar"}


def test_a_record_without_a_language_gets_the_detected_one():
    factchecks_import(
        records=parse_json_lines(
            [
                json.dumps(
                    {
                        "url": "https://verificado.example.org/1",
                        "claim": "El gobierno dijo que la inflación bajó al 3% en marzo de este año.",
                        "rating": "Falso",
                    }
                )
            ]
        )
    )

    assert ExternalFactCheck.objects.get().language == "es"


def test_the_command_reports_counts_and_each_refused_line(capsys):
    out, err = io.StringIO(), io.StringIO()

    call_command("import_factchecks", str(POLITIFACT), stdout=out, stderr=err)

    assert "2 fact-checks added" in out.getvalue() and "3 records refused" in out.getvalue()
    assert "politifact_records.jsonl: line 6: review_date is not a date" in err.getvalue()


def test_only_editors_import(reviewer, editor):
    with pytest.raises(PermissionDeniedError):
        _import(user=reviewer)
    assert _import(user=editor).created == 2


def test_an_editor_imports_a_fact_check_page_through_the_api(client, editor):
    client.force_login(editor)

    response = client.post(
        "/api/v1/factchecks/import/",
        {"content": (DATA / "claimreview_page.html").read_text(encoding="utf-8"), "format": "html"},
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["created"] == 1 and response.json()["refused"] == 1
    listed = client.get("/api/v1/factchecks/").json()
    assert [item["summary"] for item in listed["results"]] == ["Checked by PolitiFact on 2019-10-30: False"]


def test_the_rating_map_prefers_the_publishers_own_mapping_and_ignores_case(editor):
    _import()
    factcheck = ExternalFactCheck.objects.get(rating_text="false")
    assert rating_for_factcheck(factcheck=factcheck) is None

    rating_mapping_save(user=editor, rating_text="FALSE", rating_id=rating("Misleading").pk)
    assert rating_for_factcheck(factcheck=factcheck) == rating("Misleading")

    rating_mapping_save(user=editor, publisher="PolitiFact", rating_text="false", rating_id=rating("Inaccurate").pk)
    assert rating_for_factcheck(factcheck=factcheck) == rating("Inaccurate")

    rating_mapping_save(user=editor, publisher="Snopes", rating_text="false", rating_id=rating("Outdated").pk)
    assert rating_for_factcheck(factcheck=factcheck) == rating("Inaccurate")
    with pytest.raises(InvalidInputError):
        rating_mapping_save(user=editor, publisher="politifact", rating_text=" False ", rating_id=rating("Outdated").pk)


def test_removing_a_fact_check_removes_its_library_entry(editor):
    _import()
    factcheck = ExternalFactCheck.objects.get(rating_text="false")

    factcheck_delete(user=editor, factcheck_id=factcheck.pk)

    assert not SourcePassage.objects.filter(source__url=factcheck.url).exists()


def test_the_starting_rating_map_reads_politifacts_ratings_and_keeps_an_editors_change(editor):
    starting_map = Path(settings.BASE_DIR) / "fixtures" / "rating_map.json"
    rows = json.loads(starting_map.read_text(encoding="utf-8"))["mappings"]
    _import()
    pants_fire = ExternalFactCheck.objects.get(rating_text="pants-fire")
    false = ExternalFactCheck.objects.filter(rating_text="false").first()
    rating_mapping_save(user=editor, publisher="PolitiFact", rating_text="false", rating_id=rating("Misleading").pk)

    # Every line but the one the editor already made is added, once.
    assert rating_map_load(rows=rows) == len(rows) - 1
    assert rating_map_load(rows=rows) == 0
    assert rating_for_factcheck(factcheck=pants_fire) == rating("Inaccurate")
    assert rating_for_factcheck(factcheck=false) == rating("Misleading")
