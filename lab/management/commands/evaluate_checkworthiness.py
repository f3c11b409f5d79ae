"""Score a check-worthiness benchmark split and print positive-class F1, precision and recall."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims.extraction.checkworthiness import CheckworthinessScorer, get_scorer
from claims.extraction.errors import ExtractionError
from lab.checkworthiness.evaluation import evaluate_scores, load_split


class Command(BaseCommand):
    help = (
        "Evaluate the check-worthiness classifier on DIR/<split>.jsonl (text + label_binary). "
        "Prints f1, precision, recall (positive class) and n, plus accuracy and average precision."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data", type=Path, required=True, help="Benchmark folder holding <split>.jsonl.")
        parser.add_argument("--split", choices=("dev", "test", "train"), default="dev")
        parser.add_argument("--format", dest="output_format", choices=("json", "table"), default="table")
        parser.add_argument(
            "--backend",
            choices=("onnx", "onnx-fp32", "torch"),
            default=None,
            help="Scorer: the shipped int8 ONNX file (default), an fp32 export of the trained weights made for "
            "this run, or the torch network (both need torch).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            sentences = load_split(options["data"], options["split"])
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        if not sentences:
            raise CommandError(f"{options['data']}/{options['split']}.jsonl holds no sentences")
        try:
            scorer = _scorer(options["backend"] or "onnx")
        except ExtractionError as error:
            raise CommandError(str(error)) from error
        scores = scorer.score([sentence.text for sentence in sentences])
        report = evaluate_scores(sentences=sentences, scores=scores, threshold=scorer.threshold)
        report["model_version"] = scorer.model_version
        if options["output_format"] == "json":
            self.stdout.write(json.dumps(report))
            return
        for name, value in report.items():
            self.stdout.write(f"{name:<36} {value}")


def _scorer(backend: str) -> CheckworthinessScorer:
    if backend == "onnx":
        return get_scorer()
    if backend == "onnx-fp32":
        from lab.checkworthiness.export import build_scorer

        return build_scorer(variant="fp32")
    from lab.checkworthiness.export import TorchScorer

    return TorchScorer(threads=1)
