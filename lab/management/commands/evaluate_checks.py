"""Print precision and recall per automatic check on a labelled set of sentences."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lab.checks.evaluation import evaluate_checks, load_labelled_sentences

DEFAULT_LABELLED_SETS = (
    Path(__file__).resolve().parents[2] / "checks" / "labelled_sentences.jsonl",
    Path(__file__).resolve().parents[3] / "tests" / "checks" / "timeline_articles.jsonl",
)


def _ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


class Command(BaseCommand):
    help = "Run the automatic checks on a labelled set and print precision and recall per check."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data",
            type=Path,
            action="append",
            help="Labelled JSON Lines file (sentences or articles); repeat for several. Default: the "
            "sentence set and the timeline articles.",
        )
        parser.add_argument("--format", dest="output_format", choices=("json", "table"), default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            sentences = [
                sentence
                for path in options["data"] or DEFAULT_LABELLED_SETS
                for sentence in load_labelled_sentences(path)
            ]
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        report = evaluate_checks(sentences)
        if options["output_format"] == "json":
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
            return
        self.stdout.write(f"{'check':<16} {'precision':>9} {'recall':>7} {'tp':>4} {'fp':>4} {'fn':>4}")
        for name, score in report.scores.items():
            self.stdout.write(
                f"{name:<16} {_ratio(score.precision):>9} {_ratio(score.recall):>7} "
                f"{score.true_positives:>4} {score.false_positives:>4} {score.false_negatives:>4}"
            )
        self.stdout.write(f"{report.sentences} sentences, {report.milliseconds_per_sentence:.3f} ms per sentence")
        for mistake in report.mistakes:
            self.stdout.write(
                f"{mistake['kind']}: {mistake['check']} {mistake['span_text']!r} "
                f"({mistake['suggested_rating']}) in {mistake['sentence']!r}"
            )
