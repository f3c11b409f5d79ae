"""The demo article: the Trump title is wrong on its publication date (2025-05-12), and one sentence
reverses the article's own order of events (Putin's proposal "a direct response" to Zelensky's offer)."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from claims.checks import run_checks

SEED = (Path(__file__).resolve().parents[2] / "fixtures" / "seed_article.txt").read_text(encoding="utf-8")
PUBLISHED = datetime.date(2025, 5, 12)


def _sentences(text: str) -> list[str]:
    # Split after a lower-case word's full stop only, so "U.S. President" stays in one sentence.
    boundary = r"(?:(?<=[a-z0-9][.!?])|(?<=[.!?]”))\s+(?=[A-Z“])"
    return [s for paragraph in text.splitlines() for s in re.split(boundary, paragraph) if s.strip()]


def test_it_flags_only_the_former_president_title_and_the_reversed_order_in_the_seed_article():
    findings = [
        finding
        for sentence in _sentences(SEED)
        for finding in run_checks(text=sentence, published_at=PUBLISHED, context=SEED)
    ]

    assert [(f.check, f.span_text, f.suggested_rating) for f in findings] == [
        ("timeline", "response to Zelensky’s offer", "Misleading"),
        ("role_in_office", "Former U.S. President Donald Trump", "Outdated"),
    ]


def test_it_proposes_the_current_title_and_names_the_dates_for_trump():
    sentence = next(s for s in _sentences(SEED) if s.startswith("Former U.S. President"))

    (finding,) = run_checks(text=sentence, published_at=PUBLISHED, context=SEED)

    assert finding.corrected_text.startswith("U.S. President Donald Trump, in support of a potential ceasefire")
    assert "2025-01-20" in finding.message and "2017-01-20" in finding.message
    assert finding.data["office"] == "President of the United States"
    assert finding.data["holder"] == "Donald Trump"
    assert finding.data["source_url"].startswith("https://")
    assert sentence[finding.start : finding.end] == finding.span_text


def test_it_gives_the_same_answer_when_the_whole_article_is_one_claim():
    findings = run_checks(text=SEED, published_at=PUBLISHED, context=SEED)

    assert [(f.span_text, f.suggested_rating) for f in findings] == [
        ("response to Zelensky’s offer", "Misleading"),
        ("Former U.S. President Donald Trump", "Outdated"),
    ]
    assert SEED[findings[1].start : findings[1].end] == "Former U.S. President Donald Trump"


def test_it_accepts_the_four_weekday_dates_of_the_seed_article():
    for date_text in ("Thursday, May 15", "Sunday, May 11", "Saturday, May 10", "Monday, May 12"):
        assert date_text in SEED
        assert run_checks(text=f"It happened on {date_text}.", published_at=PUBLISHED) == []


def test_it_flags_a_seed_weekday_once_it_is_wrong():
    (finding,) = run_checks(text="They will meet on Friday, May 15.", published_at=PUBLISHED)

    assert finding.check == "weekday_date"
    assert finding.message == "May 15, 2025 is a Thursday, not a Friday."
