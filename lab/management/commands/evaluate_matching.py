"""Score claim matching on a claim-retrieval benchmark folder (queries ranked against its vclaims.jsonl)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims.errors import WorkbenchError
from claims.similarity.config import similarity_setting
from claims.similarity.embedder import EMBEDDER_BACKENDS, load_encoder, packaged_embedder, read_encoder_manifest
from claims.similarity.retrieval import DENSE_METHOD, FUSION_METHODS, LEXICAL_METHOD, FusionConfig
from lab.matching.evaluation import run_retrieval_benchmark, write_trec_run
from lab.matching.through_service import matching_evaluate_through_service
from lab.throwaway import BACKENDS, DEFAULT_POSTGRES_SERVER, run_in_throwaway_database

METHOD_CHOICES = ("hybrid", DENSE_METHOD, LEXICAL_METHOD)


class Command(BaseCommand):
    help = (
        "Rank the verified claims of a claim-retrieval folder for each query of a split and print "
        "MAP@5, MRR, Recall@5 (CheckThat! semantics) and the query throughput."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data", required=True, type=Path, help="Folder with vclaims.jsonl and <split>.jsonl.")
        parser.add_argument("--split", required=True, choices=["dev", "test"])
        parser.add_argument("--format", default="json", choices=["json", "text"])
        parser.add_argument(
            "--embedder", choices=EMBEDDER_BACKENDS, help="Runtime of the packaged model (implies --encoder packaged)."
        )
        parser.add_argument(
            "--encoder",
            default="configured",
            help='"configured" (the product\'s, SIMILARITY_ENCODER_DIR), "packaged" (the plain model), '
            '"multilingual" (the encoder non-English claims are matched with) or the '
            "folder of a fine-tuned ONNX encoder (see train_matching).",
        )
        parser.add_argument("--methods", default="hybrid", choices=METHOD_CHOICES)
        parser.add_argument("--fusion", default=FusionConfig.method, choices=FUSION_METHODS)
        parser.add_argument("--bm25-weight", type=float, help="Weight of BM25 against the cosine (default: tuned).")
        parser.add_argument("--rrf-k", type=float, default=FusionConfig.rrf_k)
        parser.add_argument("--limit", type=int, help="Only the first N queries (smoke runs).")
        parser.add_argument("--run-file", type=Path, help="Also write the rankings as a TREC run file.")
        parser.add_argument(
            "--details", action="store_true", help="Add scores per official split and the model versions."
        )
        parser.add_argument(
            "--through-service",
            action="store_true",
            help="Measure the product's own path instead: the verified claims become source passages in a "
            "throwaway database, and each query goes through the suggestion job as a new claim.",
        )
        parser.add_argument(
            "--as-factchecks",
            action="store_true",
            help="With --through-service: the verified claims come in through the fact-check importer.",
        )
        parser.add_argument("--database", default="sqlite", choices=BACKENDS, help="With --through-service.")
        parser.add_argument("--postgres-server", default=DEFAULT_POSTGRES_SERVER, help="With --database postgresql.")
        parser.add_argument("--in-place", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        data_dir = Path(str(options["data"]))
        split = str(options["split"])
        if not (data_dir / "vclaims.jsonl").exists() or not (data_dir / f"{split}.jsonl").exists():
            raise CommandError(f"{data_dir} must hold vclaims.jsonl and {split}.jsonl.")
        if options["in_place"]:
            self._write(self._through_service_in_place(data_dir=data_dir, split=split, options=options), options)
            return
        if options["through_service"]:
            self._write(self._through_service(data_dir=data_dir, split=split, options=options), options)
            return
        methods = str(options["methods"])
        embedders = {}
        bm25_weight = FusionConfig().weights[LEXICAL_METHOD]
        if methods != LEXICAL_METHOD:
            encoder = self._encoder(options)
            if encoder == "packaged":
                embedders[DENSE_METHOD] = packaged_embedder(backend=options["embedder"] or "onnx")
            elif encoder == "multilingual":
                from claims.similarity.multilingual import get_multilingual_embedder

                embedders[DENSE_METHOD] = get_multilingual_embedder()
            else:
                embedders[DENSE_METHOD] = load_encoder(Path(encoder))
                # A fine-tuned encoder's cosines spread differently; its folder records the weight tuned for it.
                bm25_weight = read_encoder_manifest(Path(encoder)).get("bm25_weight", bm25_weight)
        if options["bm25_weight"] is not None:
            bm25_weight = float(options["bm25_weight"])
        weights = {DENSE_METHOD: 1.0, LEXICAL_METHOD: bm25_weight}
        if methods == DENSE_METHOD:
            weights[LEXICAL_METHOD] = 0.0
        elif methods == LEXICAL_METHOD:
            weights = {LEXICAL_METHOD: 1.0}
        fusion = FusionConfig(method=str(options["fusion"]), weights=weights, rrf_k=float(options["rrf_k"]))
        run = run_retrieval_benchmark(
            data_dir=data_dir,
            split=split,
            embedders=embedders,
            fusion=fusion,
            limit=options["limit"],
        )
        if options["run_file"] is not None:
            write_trec_run(run.rankings, Path(options["run_file"]), tag="claim-workbench")
        self._write(run.as_dict(details=bool(options["details"])), options)

    def _through_service(self, *, data_dir: Path, split: str, options: dict[str, Any]) -> dict[str, object]:
        # The service path uses the product's settings; options that change the in-memory ranking do not apply.
        defaults = {"methods": "hybrid", "fusion": FusionConfig.method, "bm25_weight": None, "run_file": None}
        for option, default in {**defaults, "embedder": None}.items():
            if options[option] != default:
                raise CommandError(f"--{option.replace('_', '-')} does not apply with --through-service.")
        arguments = ["evaluate_matching", "--in-place", "--data", str(data_dir.resolve()), "--split", split]
        arguments += ["--format", "json"] + (["--details"] if options["details"] else [])
        arguments += ["--as-factchecks"] if options["as_factchecks"] else []
        if options["limit"] is not None:
            arguments += ["--limit", str(options["limit"])]
        encoder = self._encoder(options)
        environment = {"SIMILARITY_ENCODER_DIR": "" if encoder == "packaged" else str(Path(encoder).resolve())}
        result = run_in_throwaway_database(
            backend=options["database"],
            arguments=arguments,
            postgres_server=options["postgres_server"],
            name="evaluate_matching",
            environment=environment,
        )
        return {**result, "path": f"service ({options['database']})"}

    @staticmethod
    def _encoder(options: dict[str, Any]) -> str:
        """ "packaged" or an encoder folder; "configured" resolves to what the settings name."""
        encoder = str(options["encoder"])
        if encoder == "configured":
            # --embedder chooses the runtime of the packaged model, so it implies that model.
            configured = str(similarity_setting("SIMILARITY_ENCODER_DIR") or "")
            encoder = configured if configured and not options["embedder"] else "packaged"
        return encoder

    def _through_service_in_place(self, *, data_dir: Path, split: str, options: dict[str, Any]) -> dict[str, object]:
        call_command("migrate", verbosity=0)
        try:
            run = matching_evaluate_through_service(
                data_dir=data_dir, split=split, limit=options["limit"], as_factchecks=options["as_factchecks"]
            )
        except WorkbenchError as error:
            raise CommandError(str(error)) from error
        return run.as_dict(details=bool(options["details"]))

    def _write(self, summary: dict[str, object], options: dict[str, Any]) -> None:
        if options["format"] == "json":
            self.stdout.write(json.dumps(summary))
            return
        for key, value in summary.items():
            self.stdout.write(f"{key:>20}: {value}")
