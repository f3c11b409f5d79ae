"""Fine-tune the check-worthiness classifier and write its trained weights (the ONNX file is built from them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lab.checkworthiness.training import TrainingConfig


class Command(BaseCommand):
    help = (
        "Fine-tune the check-worthiness classifier on DIR/train.jsonl and part of DIR/dev.jsonl; the epoch and "
        "the thresholds are chosen on the rest of DIR/dev.jsonl (by default its dev-test sentences). "
        "Writes lab/checkworthiness/weights/ (or --output); then run build_checkworthiness_onnx. Takes about "
        "15 minutes per epoch on one core."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = TrainingConfig()
        parser.add_argument("--data", type=Path, required=True, help="Folder with train.jsonl and dev.jsonl.")
        parser.add_argument(
            "--output", type=Path, default=None, help="Weights folder (default: lab/checkworthiness/weights)."
        )
        parser.add_argument("--epochs", type=int, default=defaults.epochs)
        parser.add_argument("--learning-rate", type=float, default=defaults.learning_rate)
        parser.add_argument("--batch-size", type=int, default=defaults.batch_size)
        parser.add_argument("--lora-rank", type=int, default=defaults.lora_rank)
        parser.add_argument("--lora-alpha", type=float, default=defaults.lora_alpha)
        parser.add_argument("--max-length", type=int, default=defaults.max_length)
        parser.add_argument("--seed", type=int, default=defaults.seed)
        parser.add_argument("--threads", type=int, default=defaults.threads)
        parser.add_argument(
            "--selection-split",
            default=defaults.selection_split,
            help="official_split of the dev sentences that pick epoch and thresholds (the rest of dev is trained on); "
            "'' picks on all of dev and trains on train.jsonl only.",
        )
        parser.add_argument(
            "--prune-with",
            type=Path,
            default=None,
            help="Weights folder of an earlier model: training sentences it scores confidently against their label "
            "are left out.",
        )
        parser.add_argument(
            "--prune-margin",
            type=float,
            default=defaults.prune_margin,
            help="Distance from the label beyond which a sentence is pruned.",
        )
        parser.add_argument(
            "--init-from", type=Path, default=None, help="Weights folder (same LoRA rank) to resume training from."
        )
        parser.add_argument(
            "--train-share", type=float, default=defaults.train_share, help="Share of train.jsonl to sample."
        )
        parser.add_argument(
            "--select-every",
            type=int,
            default=defaults.select_every,
            help="Also pick among checkpoints every N steps within an epoch.",
        )
        parser.add_argument("--full-finetune", action="store_true", help="Train every encoder weight, not LoRA.")

    def handle(self, *args: Any, **options: Any) -> None:
        from lab.checkworthiness.training import train_checkworthiness

        data_dir: Path = options["data"]
        for split in ("train", "dev"):
            if not (data_dir / f"{split}.jsonl").exists():
                raise CommandError(f"{data_dir}/{split}.jsonl not found")
        config = TrainingConfig(
            epochs=options["epochs"],
            learning_rate=options["learning_rate"],
            batch_size=options["batch_size"],
            lora_rank=options["lora_rank"],
            lora_alpha=options["lora_alpha"],
            max_length=options["max_length"],
            seed=options["seed"],
            threads=options["threads"],
            selection_split=options["selection_split"],
            prune_margin=options["prune_margin"],
            full_finetune=options["full_finetune"],
            train_share=options["train_share"],
            select_every=options["select_every"],
        )
        try:
            report = train_checkworthiness(
                data_dir=data_dir,
                config=config,
                output_dir=options["output"],
                prune_with=options["prune_with"],
                init_from=options["init_from"],
                log=lambda line: self.stderr.write(line),
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(json.dumps(report, indent=2))
