"""timeline: a sentence that puts two events of its article in the order the article itself denies."""

from __future__ import annotations

import datetime
from collections import Counter
from pathlib import Path

from claims.checks import run_checks, timeline
from claims.checks.timeline_events import ORDER_WORDS
from claims.extraction.sentences import split_sentences
from lab.checks.evaluation import evaluate_checks, load_labelled_sentences

HERE = Path(__file__).resolve().parent
LABELLED = HERE / "timeline_articles.jsonl"
HELD_OUT = HERE / "timeline_heldout_articles.jsonl"
SEED = (HERE.parents[1] / "fixtures" / "seed_article.txt").read_text(encoding="utf-8")
SEED_PUBLISHED = datetime.date(2025, 5, 12)


def _findings(article: str, published_at: datetime.date) -> list[tuple[str, str]]:
    return [
        (span.text, finding.span_text)
        for span in split_sentences(article)
        for finding in timeline.check(text=span.text, published_at=published_at, context=article)
    ]


def test_it_raises_only_the_reversed_causality_in_the_seed_article():
    findings = [
        finding
        for span in split_sentences(SEED)
        for finding in run_checks(text=span.text, published_at=SEED_PUBLISHED, context=SEED)
        if finding.check == timeline.NAME
    ]

    assert [(f.span_text, f.suggested_rating) for f in findings] == [("response to Zelensky’s offer", "Misleading")]
    (finding,) = findings
    assert "Putin’s suggestion" in finding.message and "Zelensky’s offer" in finding.message
    assert '"following a proposal by the Kremlin"' in finding.message
    assert "Sunday, May 11, 2025" in finding.message
    assert finding.data["basis"] == "earlier_sentence"
    assert finding.data["earlier_sentence_span"] == "following a proposal by the Kremlin"
    assert finding.data["later"]["date"] == "2025-05-11"


def test_the_seed_sentence_is_flagged_when_the_whole_article_is_one_claim():
    findings = [f for f in run_checks(text=SEED, published_at=SEED_PUBLISHED, context=SEED) if f.check == timeline.NAME]

    assert [SEED[f.start : f.end] for f in findings] == ["response to Zelensky’s offer"]


def test_it_names_both_events_and_their_dates_when_the_dates_run_the_other_way():
    article = (
        "The Ministry of Health published its audit of hospital waiting lists on Monday, March 17. "
        "Health Minister Clara Voss resigned on Wednesday, March 19. "
        "The audit was published in response to Voss's resignation."
    )
    sentence = "The audit was published in response to Voss's resignation."

    (finding,) = timeline.check(text=sentence, published_at=datetime.date(2025, 3, 20), context=article)

    assert sentence[finding.start : finding.end] == finding.span_text == "in response to Voss's resignation"
    assert finding.suggested_rating == "Misleading"
    assert "Monday, March 17, 2025" in finding.message and "Wednesday, March 19, 2025" in finding.message
    assert "2 days later" in finding.message
    assert finding.data["later"]["date"] == "2025-03-17" and finding.data["earlier"]["date"] == "2025-03-19"


def test_it_resolves_relative_dates_and_weekdays_against_the_article():
    article = (
        "Prime Minister Ana Ruiz announced a snap election on Monday, February 3. "
        "Two days later, the opposition leader Marco Levi resigned. "
        "The electoral commission set the date of the vote on Friday. "
        "Ruiz announced the election in response to Levi's resignation. "
        "The commission set the date before Ruiz announced the election."
    )

    assert _findings(article, datetime.date(2025, 2, 10)) == [
        ("Ruiz announced the election in response to Levi's resignation.", "in response to Levi's resignation"),
        ("The commission set the date before Ruiz announced the election.", "before Ruiz announced"),
    ]


def test_it_stays_silent_on_equal_dates_undated_events_and_hedged_or_ambiguous_sentences():
    article = (
        "The central bank cut interest rates on September 18. "
        "The Treasury published its budget forecast on September 18. "
        "The forecast followed the rate cut. "
        "The city council met on August 4 and again on September 20. "
        "The cut came after the council's meeting. "
        "Markets rallied after the announcement. "
        "The cut could come before the forecast is published."
    )

    assert _findings(article, datetime.date(2024, 9, 30)) == []


def test_it_says_nothing_without_an_order_phrase_and_keeps_the_other_checks_as_they_were():
    assert timeline.check(text="Putin spoke on Sunday, May 11.", published_at=SEED_PUBLISHED, context=SEED) == []
    sentence = "Former U.S. President Donald Trump called for talks after the meeting."
    assert [f.check for f in run_checks(text=sentence, published_at=SEED_PUBLISHED)] == ["role_in_office"]


def test_the_labelled_articles_are_many_and_varied():
    sentences = load_labelled_sentences(LABELLED)
    articles = {s.context for s in sentences}
    expected = Counter(check for s in sentences for check, _span, _rating in s.expected)

    assert len(articles) >= 12 and len(sentences) >= 80
    assert expected["timeline"] >= 20
    assert sum(1 for s in sentences if not s.expected and ORDER_WORDS.search(s.sentence)) >= 30


def test_it_meets_the_precision_and_recall_targets_on_the_labelled_and_held_out_articles():
    for path in (LABELLED, HELD_OUT):
        report = evaluate_checks(load_labelled_sentences(path))
        score = report.scores["timeline"]

        assert score.precision is not None and score.precision >= 0.95, (path.name, report.mistakes)
        assert score.recall is not None and score.recall >= 0.70, (path.name, report.mistakes)
        assert all(m["check"] == "timeline" for m in report.mistakes), report.mistakes
