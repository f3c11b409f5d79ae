"""Precision and recall of the checks on a labelled set of sentences.

The set is JSON Lines, one sentence a line: ``{"sentence", "published_at" (YYYY-MM-DD or null),
"context"?, "expected": [{"check", "span_text", "suggested_rating"}], "note"?}``; or one article a
line: ``{"body", "published_at", "expected": [...], "title"?, "note"?}``, which is split into its
sentences (each checked with the whole body as context, each expected finding belonging to the
sentence that contains its span text). A finding counts as right when its check, exact span text
and suggested rating all match an expected one.
"""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claims.checks import CHECKS, run_checks
from claims.extraction.sentences import split_sentences


@dataclass(frozen=True)
class LabelledSentence:
    sentence: str
    published_at: datetime.date | None
    expected: frozenset[tuple[str, str, str]]
    context: str | None = None
    note: str = ""


@dataclass
class CheckScore:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def precision(self) -> float | None:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else None

    @property
    def recall(self) -> float | None:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "true_positives": self.true_positives,
            "false_positives": self.false_positives,
            "false_negatives": self.false_negatives,
        }


@dataclass
class EvaluationReport:
    scores: dict[str, CheckScore]
    sentences: int
    milliseconds_per_sentence: float
    mistakes: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "checks": {name: score.as_dict() for name, score in self.scores.items()},
            "sentences": self.sentences,
            "milliseconds_per_sentence": round(self.milliseconds_per_sentence, 4),
            "mistakes": self.mistakes,
        }


def load_labelled_sentences(path: str | Path) -> list[LabelledSentence]:
    sentences = []
    with Path(path).open(encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                published_at = row.get("published_at")
                if "body" in row:
                    sentences.extend(_article_sentences(row))
                    continue
                sentences.append(
                    LabelledSentence(
                        sentence=row["sentence"],
                        published_at=datetime.date.fromisoformat(published_at) if published_at else None,
                        expected=frozenset(
                            (e["check"], e["span_text"], e["suggested_rating"]) for e in row.get("expected", [])
                        ),
                        context=row.get("context"),
                        note=row.get("note", ""),
                    )
                )
            except (KeyError, TypeError, ValueError) as error:
                raise ValueError(f"{path}:{line_number}: {error}") from error
    return sentences


def _article_sentences(row: dict[str, Any]) -> list[LabelledSentence]:
    body = row["body"]
    published_at = datetime.date.fromisoformat(row["published_at"]) if row.get("published_at") else None
    spans = [span.text for span in split_sentences(body)]
    expected: list[set[tuple[str, str, str]]] = [set() for _ in spans]
    for item in row.get("expected", []):
        holders = [index for index, text in enumerate(spans) if item["span_text"] in text]
        if len(holders) != 1:
            raise ValueError(
                f"{item['span_text']!r} is in {len(holders)} sentences of {row.get('title', 'an article')!r}"
            )
        expected[holders[0]].add((item["check"], item["span_text"], item["suggested_rating"]))
    return [
        LabelledSentence(
            sentence=text,
            published_at=published_at,
            expected=frozenset(found),
            context=body,
            note=row.get("title", ""),
        )
        for text, found in zip(spans, expected, strict=True)
    ]


def evaluate_checks(sentences: Iterable[LabelledSentence]) -> EvaluationReport:
    scores = {name: CheckScore() for name in CHECKS}
    mistakes: list[dict[str, Any]] = []
    count = 0
    elapsed = 0.0
    # Load the knowledge base and the parser and compile the patterns first: the timing is about steady-state checks.
    run_checks(text="President", published_at=datetime.date(2000, 1, 1))
    run_checks(text="The talks began after the vote on Monday, May 12.", published_at=datetime.date(2025, 5, 12))
    for item in sentences:
        count += 1
        started = time.perf_counter()
        findings = run_checks(text=item.sentence, published_at=item.published_at, context=item.context)
        elapsed += time.perf_counter() - started
        found = {(f.check, f.span_text, f.suggested_rating) for f in findings}
        for check, span_text, rating in found | item.expected:
            score = scores.setdefault(check, CheckScore())
            if (check, span_text, rating) in found and (check, span_text, rating) in item.expected:
                score.true_positives += 1
                continue
            if (check, span_text, rating) in found:
                score.false_positives += 1
                kind = "false_positive"
            else:
                score.false_negatives += 1
                kind = "false_negative"
            mistakes.append(
                {
                    "kind": kind,
                    "check": check,
                    "span_text": span_text,
                    "suggested_rating": rating,
                    "sentence": item.sentence,
                    "published_at": item.published_at.isoformat() if item.published_at else None,
                }
            )
    return EvaluationReport(
        scores=scores,
        sentences=count,
        milliseconds_per_sentence=1000 * elapsed / count if count else 0.0,
        mistakes=mistakes,
    )
