"""The labelled sentences: the precision and recall targets the checks are held to."""

from __future__ import annotations

from collections import Counter

from lab.checks.evaluation import evaluate_checks, load_labelled_sentences
from lab.management.commands.evaluate_checks import DEFAULT_LABELLED_SETS

LABELLED = DEFAULT_LABELLED_SETS[0]


def test_the_labelled_set_is_large_and_varied_enough():
    sentences = load_labelled_sentences(LABELLED)
    expected = Counter(check for s in sentences for check, _span, _rating in s.expected)

    assert len(sentences) >= 100
    assert sum(1 for s in sentences if not s.expected) >= 40
    assert expected["role_in_office"] >= 30 and expected["weekday_date"] >= 10


def test_every_check_reaches_full_precision_and_the_recall_target():
    report = evaluate_checks(load_labelled_sentences(LABELLED))

    for name, score in report.scores.items():
        if name == "timeline":
            # No sentence of this set orders two dated events; the timeline articles hold that check.
            assert score.false_positives == 0, report.mistakes
            continue
        assert score.precision == 1.0, (name, report.mistakes)
        assert score.recall >= 0.95, (name, report.mistakes)


def test_the_evaluation_counts_a_wrong_rating_as_a_miss_and_a_false_alarm(tmp_path):
    labelled = tmp_path / "one.jsonl"
    labelled.write_text(
        '{"sentence": "Chancellor Angela Merkel spoke.", "published_at": "2022-03-01", '
        '"expected": [{"check": "role_in_office", "span_text": "Chancellor Angela Merkel", '
        '"suggested_rating": "Inaccurate"}]}\n',
        encoding="utf-8",
    )

    score = evaluate_checks(load_labelled_sentences(labelled)).scores["role_in_office"]

    assert (score.true_positives, score.false_positives, score.false_negatives) == (0, 1, 1)
