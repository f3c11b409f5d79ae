"""The writers alone: plain records in, text out. No database."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from claims.exports import claimreview, jsonl
from claims.exports import csv as csv_writer
from claims.exports.records import Desk, EvidenceRecord, PublishedClaimRecord

DESK = Desk(name="Example Fact Desk", url="https://factcheck.example.org", best_rating=5, worst_rating=1)
PUBLISHED = dt.datetime(2025, 5, 14, 9, 30, tzinfo=dt.UTC)


def record(**changes) -> PublishedClaimRecord:
    values = dict(
        claim_id=7,
        text="Former U.S. President Donald Trump met the chancellor in Washington on Thursday.",
        claim_url="https://factcheck.example.org/claims/7",
        speaker="Example News",
        rating_label="Outdated",
        rating_alternate_name="Outdated",
        rating_value=2,
        explanation="Trump has held the office again since 20 January 2025.",
        corrected_statement="U.S. President Donald Trump",
        reviewer="Rita Reviewer",
        approver="Emma Editor",
        drafted_at=PUBLISHED - dt.timedelta(hours=3),
        approved_at=PUBLISHED - dt.timedelta(hours=1),
        published_at=PUBLISHED,
        updated_at=PUBLISHED,
        article_url="https://news.example.org/2025/05/12/summit",
        article_title="Summit coverage",
        article_outlet="Example News",
        article_published_at=dt.datetime(2025, 5, 12, 12, 0, tzinfo=dt.UTC),
        evidence=(
            EvidenceRecord(
                source_url="https://www.whitehouse.gov/administration/",
                source_title="The Administration",
                stance="refutes",
            ),
            EvidenceRecord(
                source_url="https://records.example.org/inauguration", source_title="Inauguration", stance="context"
            ),
        ),
    )
    values.update(changes)
    return PublishedClaimRecord(**values)


def test_claimreview_has_googles_required_and_recommended_properties():
    review = claimreview.claim_review(record(), desk=DESK)
    assert review["@type"] == "ClaimReview"
    assert review["url"] == "https://factcheck.example.org/claims/7"
    assert review["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "Outdated",
        "ratingValue": 2,
        "bestRating": 5,
        "worstRating": 1,
    }
    assert review["author"] == {
        "@type": "Organization",
        "name": "Example Fact Desk",
        "url": "https://factcheck.example.org",
    }
    assert review["datePublished"] == "2025-05-14"
    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["author"] == {"@type": "Person", "name": "Example News"}
    assert item["datePublished"] == "2025-05-12"
    assert item["appearance"][0]["url"] == "https://news.example.org/2025/05/12/summit"


def test_claim_reviewed_is_under_75_characters_and_cut_at_a_word():
    long_text = record().text
    assert len(long_text) > 75
    short = claimreview.claim_review(record(), desk=DESK)["claimReviewed"]
    assert len(short) < 75
    assert short.endswith("…")
    assert long_text.startswith(short[:-1])
    assert long_text[len(short) - 1] == " "


def test_a_short_claim_is_kept_as_it_is():
    assert claimreview.short_claim("Unemployment fell  by 3 percent.") == "Unemployment fell by 3 percent."


def test_a_single_long_word_is_cut_mid_word_rather_than_emptied():
    short = claimreview.short_claim("x" * 200)
    assert 0 < len(short) < 75


def test_a_rating_off_the_numeric_scale_carries_only_its_name():
    review = claimreview.claim_review(record(rating_value=None, rating_alternate_name="Unproven"), desk=DESK)
    assert review["reviewRating"] == {"@type": "Rating", "alternateName": "Unproven"}


def test_a_claim_without_article_or_speaker_omits_them_instead_of_writing_blanks():
    bare = record(article_url=None, article_title="", article_outlet="", article_published_at=None, speaker="")
    item = claimreview.claim_review(bare, desk=DESK)["itemReviewed"]
    assert item == {"@type": "Claim"}


def test_the_claimreview_document_is_json_ld_with_every_review():
    document = json.loads("".join(claimreview.write([record(claim_id=1), record(claim_id=2)], desk=DESK)))
    assert document["@context"] == "https://schema.org"
    assert [review["url"] for review in document["@graph"]] == [record().claim_url] * 2
    assert json.loads("".join(claimreview.write([], desk=DESK)))["@graph"] == []


def test_csv_has_one_row_per_claim_with_provenance_and_aligned_evidence():
    text = "".join(csv_writer.write([record(explanation="Line one.\nLine two, with a comma.")], desk=DESK))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1
    row = rows[0]
    assert row["reviewer"] == "Rita Reviewer" and row["approver"] == "Emma Editor"
    assert row["published_at"] == "2025-05-14T09:30:00Z"
    assert row["explanation"] == "Line one.\nLine two, with a comma."
    urls = row["evidence_urls"].split(" | ")
    stances = row["evidence_stances"].split(" | ")
    assert list(zip(urls, stances, strict=True)) == [
        ("https://www.whitehouse.gov/administration/", "refutes"),
        ("https://records.example.org/inauguration", "context"),
    ]


def test_csv_keeps_a_claim_that_looks_like_a_formula_as_text():
    text = "".join(csv_writer.write([record(text='=HYPERLINK("http://evil.example")')], desk=DESK))
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["claim"].startswith("'=")


def test_csv_cells_stay_whole_in_a_spreadsheet_that_separates_with_semicolons():
    text = "".join(csv_writer.write([record(explanation="Context;=1+1", speaker="  =cmd|' /C calc'!A0")], desk=DESK))
    data_line = text.splitlines()[1]
    # Opened where cells are separated by ";", "|" or tab, no piece of a cell begins a formula.
    for separator in (";", "|", "\t", ","):
        cells = next(csv.reader(io.StringIO(data_line), delimiter=separator, quoting=csv.QUOTE_NONE))
        assert not any(cell.lstrip(' "').startswith(("=", "+", "-", "@")) for cell in cells), separator
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["explanation"] == "Context;'=1+1"
    assert row["speaker"].startswith("'")


def test_claimreview_can_be_pasted_into_a_script_element():
    hostile = 'He said "</script><script>alert(1)</script>" & <!-- then\u2028left'
    document = "".join(claimreview.write([record(text=hostile, explanation=hostile)], desk=DESK))

    assert "<" not in document and ">" not in document and "&" not in document
    assert "\u2028" not in document
    assert json.loads(document)["@graph"][0]["claimReviewed"].startswith('He said "</script>')


def test_jsonl_has_one_json_object_per_line_with_evidence():
    lines = "".join(jsonl.write([record(claim_id=1), record(claim_id=2)], desk=DESK)).splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert first["id"] == 1
    assert first["rating"] == "Outdated"
    assert first["approver"] == "Emma Editor"
    assert first["article"]["url"] == "https://news.example.org/2025/05/12/summit"
    assert [item["stance"] for item in first["evidence"]] == ["refutes", "context"]


def test_a_claim_without_speaker_or_url_names_its_outlet_and_the_article_it_appeared_in():
    plain = record(article_url=None, speaker="", article_title="Talks in Istanbul", article_outlet="Demo Wire")
    item = claimreview.claim_review(plain, desk=DESK)["itemReviewed"]
    assert item["author"] == {"@type": "Organization", "name": "Demo Wire"}
    assert item["appearance"][0]["headline"] == "Talks in Istanbul"
    assert "url" not in item["appearance"][0]
