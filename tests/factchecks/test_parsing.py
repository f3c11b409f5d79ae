"""Reading fact-checks from the formats real feeds use: each from a real record."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from claims.factchecks.parsing import parse_json_document, parse_text, record_from_claimreview

DATA = Path(__file__).parent / "data"
POLITIFACT_URL = "https://www.politifact.com/factchecks/2019/oct/30/gaydonna-vandergriff/vandergriff-inaccurately-describes-bill-would-have/"


def test_a_claimreview_in_a_pages_graph_is_read_with_publisher_rating_and_dates():
    parsed = list(parse_text((DATA / "claimreview_page.html").read_text(encoding="utf-8"), name="page.html"))

    records = [item.record for item in parsed if item.record]
    assert len(records) == 1
    record = records[0]
    assert record.url == POLITIFACT_URL
    assert record.publisher == "PolitiFact" and record.publisher_site == "politifact.com"
    assert record.claim_text.startswith("Schuyler VanValkenburg co-sponsored a bill")
    assert record.claimant == "GayDonna Vandergriff"
    assert (record.rating_text, record.rating_value) == ("False", 2.0)
    assert (record.claim_date, record.reviewed_at) == (dt.date(2019, 10, 22), dt.date(2019, 10, 30))
    # The page's lang stands in for a missing inLanguage; the whole JSON-LD node is kept.
    assert record.language == "en" and record.raw["@type"] == "ClaimReview"


def test_a_broken_claimreview_on_the_page_is_refused_on_its_own_with_where_it_was():
    parsed = list(parse_text((DATA / "claimreview_page.html").read_text(encoding="utf-8"), name="page.html"))

    errors = [(item.where, item.error) for item in parsed if item.error]
    assert errors == [("JSON-LD block 3, item 2", "datePublished is not a date (YYYY-MM-DD…): 'Oct 30'")]


@pytest.mark.parametrize(
    "document",
    [
        "single",
        "list",
        "graph",
    ],
)
def test_claimreview_json_ld_is_read_as_one_object_a_list_or_a_graph(document):
    node = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": POLITIFACT_URL,
        "claimReviewed": "A bill allowed abortion until the moment of birth.",
        "author": {"@type": "Organization", "name": "PolitiFact"},
        "reviewRating": {"@type": "Rating", "alternateName": "False"},
        "inLanguage": "en",
    }
    wrapped = {"single": node, "list": [node], "graph": {"@context": "https://schema.org", "@graph": [node]}}[document]

    records = [item.record for item in parse_text(json.dumps(wrapped), name="feed.json")]

    assert [(r.url, r.publisher, r.rating_text) for r in records] == [(POLITIFACT_URL, "PolitiFact", "False")]


def test_a_fact_check_tools_response_gives_one_record_per_review():
    document = json.loads((DATA / "factchecktools_response.json").read_text(encoding="utf-8"))

    records = [item.record for item in parse_json_document(document)]

    assert len(records) == 3  # two claims, the second reviewed twice
    first = records[0]
    assert first.publisher == "مسبار" and first.publisher_site == "misbar.com"
    assert first.rating_text == "misleading" and first.language == "ar"
    assert first.claimant == "www.facebook.com" and first.claim_date == dt.date(2025, 4, 28)
    assert first.url.startswith("https://www.misbar.com/factcheck/2025/04/28/")
    # Each record keeps its own review as provenance, not its sibling's.
    assert [r.raw["claimReview"][0]["url"] for r in records[1:]] == [r.url for r in records[1:]]


def test_json_lines_of_records_refuse_bad_lines_one_by_one_with_their_number():
    parsed = list(parse_text((DATA / "politifact_records.jsonl").read_text(encoding="utf-8"), name="r.jsonl"))

    assert [item.where for item in parsed if item.record] == ["line 1", "line 4"]
    assert [(item.where, item.error) for item in parsed if item.error] == [
        ("line 2", "a fact-check needs an http(s) URL (got '')"),
        ("line 3", "not JSON (Expecting property name enclosed in double quotes)"),
        ("line 6", "review_date is not a date (YYYY-MM-DD…): 'last tuesday'"),
    ]
    first = parsed[0].record
    assert first.url == POLITIFACT_URL and first.rating_text == "false" and first.claimant == "GayDonna Vandergriff"


def test_a_claimreview_without_a_claim_falls_back_to_its_headline():
    record = record_from_claimreview(
        {"@type": "ClaimReview", "url": "https://checks.example.org/a", "headline": "No, the moon is not cheese"}
    )

    assert record.claim_text == "No, the moon is not cheese"
