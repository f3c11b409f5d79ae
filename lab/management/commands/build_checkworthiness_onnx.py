"""Build the shipped check-worthiness model: the trained weights exported to int8 ONNX, with a manifest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from claims.extraction.checkworthiness import WEIGHTS_DIR, OnnxScorer
from lab.checkworthiness.export import TRAINED_WEIGHTS_DIR, VARIANTS, build_onnx

# A few sentences whose scores the build prints, to compare with the test that pins them.
REFERENCE_SENTENCES = (
    "The unemployment rate fell to 3.5 percent in September, the lowest in fifty years.",
    "Thank you all for coming tonight.",
)


class Command(BaseCommand):
    help = (
        "Export the trained check-worthiness weights (lab/checkworthiness/weights) to ONNX, quantise them to "
        "int8 and write the model file and its manifest into claims/extraction/weights/ (or --output). "
        "Run once after training; commit the result. Needs torch (about 20 s)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--weights", type=Path, default=TRAINED_WEIGHTS_DIR, help="Folder of the trained weights.")
        parser.add_argument("--output", type=Path, default=WEIGHTS_DIR, help="Folder to write the model into.")
        parser.add_argument("--variant", choices=VARIANTS, default="int8")

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"])
        manifest = build_onnx(weights_dir=Path(options["weights"]), output_dir=output, variant=options["variant"])
        self.stdout.write(json.dumps(manifest, indent=2))
        scorer = OnnxScorer(folder=output)
        for sentence, value in zip(REFERENCE_SENTENCES, scorer.score(list(REFERENCE_SENTENCES)), strict=True):
            self.stdout.write(f"{value:.4f}  {sentence}")
