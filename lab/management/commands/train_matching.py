"""Fine-tune the packaged encoder on a claim-retrieval folder and write an int8 ONNX encoder folder."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lab.matching.training import TrainingConfig, train_matching_encoder


class Command(BaseCommand):
    help = (
        "Fine-tune the packaged sentence encoder on (query, verified claim) pairs of a claim-retrieval folder "
        "(multiple-negatives ranking loss with one mined hard negative per query) and export it as int8 ONNX. "
        "Evaluate the result with `evaluate_matching --encoder OUTPUT`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = TrainingConfig()
        parser.add_argument("--data", required=True, type=Path, help="Folder with vclaims.jsonl and <split>.jsonl.")
        parser.add_argument("--split", default="dev", help="Never a split you report.")
        parser.add_argument(
            "--official-splits", default="", help="Comma-separated official_split values to keep (default: all)."
        )
        parser.add_argument("--output", required=True, type=Path, help="Folder for model.onnx and manifest.json.")
        parser.add_argument("--name", required=True, help="Model name recorded in every vector's model version.")
        parser.add_argument("--epochs", type=int, default=defaults.epochs)
        parser.add_argument("--batch-size", type=int, default=defaults.batch_size)
        parser.add_argument("--learning-rate", type=float, default=defaults.learning_rate)
        parser.add_argument("--seed", type=int, default=defaults.seed)
        parser.add_argument("--threads", type=int, default=defaults.threads)
        parser.add_argument("--no-hard-negatives", action="store_true")
        parser.add_argument("--work-dir", type=Path, help="Keep the full-precision torch model here.")
        parser.add_argument(
            "--bm25-weight",
            type=float,
            default=0.2,
            help="BM25 fusion weight to record for this encoder (0.2: chosen on the CheckThat! 2020 official dev "
            "posts with an encoder trained on its official train posts).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        logging.getLogger("lab.matching.training").setLevel(logging.INFO)
        if not logging.getLogger().handlers:
            logging.basicConfig(format="%(asctime)s %(message)s")
        data_dir = Path(str(options["data"]))
        split = str(options["split"])
        if not (data_dir / f"{split}.jsonl").exists():
            raise CommandError(f"{data_dir} has no {split}.jsonl.")
        official_splits = [name for name in str(options["official_splits"]).split(",") if name]
        config = TrainingConfig(
            epochs=int(options["epochs"]),
            batch_size=int(options["batch_size"]),
            learning_rate=float(options["learning_rate"]),
            seed=int(options["seed"]),
            threads=int(options["threads"]),
        )
        manifest = train_matching_encoder(
            data_dir=data_dir,
            split=split,
            official_splits=official_splits or None,
            output_dir=Path(str(options["output"])),
            model_name=str(options["name"]),
            config=config,
            hard_negatives=not options["no_hard_negatives"],
            work_dir=options["work_dir"],
            bm25_weight=float(options["bm25_weight"]),
        )
        self.stdout.write(json.dumps(manifest, indent=2))
