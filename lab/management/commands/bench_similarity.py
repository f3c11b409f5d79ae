"""Print embedder throughput per backend and batch size, agreement with the reference, and exact-search latency."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from claims.similarity.embedder import Embedder, OnnxEmbedder, TorchEmbedder
from claims.similarity.onnx_export import load_agreement_sentences
from claims.similarity.passages import split_sentence_spans
from lab.matching.benchmark import measure_embedders, measure_exact_search
from lab.matching.evaluation import load_queries, load_verified_claims

SEED_ARTICLE = Path(__file__).resolve().parents[3] / "fixtures" / "seed_article.txt"


def benchmark_sentences(*, data_dir: Path | None, count: int) -> list[str]:
    """Realistic text: a claim-retrieval folder's verdicts and posts when given, else the packaged
    agreement sentences and the seed article, repeated up to `count`."""
    if data_dir is not None:
        claims = load_verified_claims(data_dir=data_dir)
        queries = load_queries(data_dir=data_dir, split="dev")
        pool = [claim.claim for claim in claims[: count // 2]] + [query.text for query in queries[: count // 2]]
    else:
        pool = load_agreement_sentences()
        if SEED_ARTICLE.exists():
            text = SEED_ARTICLE.read_text(encoding="utf-8")
            pool += [text[start:end] for start, end in split_sentence_spans(text)]
    return [pool[position % len(pool)] for position in range(count)]


class Command(BaseCommand):
    help = "Benchmark the embedder backends (sentences/s at batch 1/32/128, cosine to torch) and exact search."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sentences", type=int, default=1024, help="How many sentences each pass embeds.")
        parser.add_argument("--data", type=Path, help="A claim-retrieval folder to take sentences from.")
        parser.add_argument("--threads", type=int, default=1, help="Threads per backend (torch and onnxruntime).")
        parser.add_argument("--repeats", type=int, default=2, help="Timed passes per cell; the best is kept.")
        parser.add_argument("--batch-sizes", default="1,32,128")
        parser.add_argument("--format", default="text", choices=["text", "json"])

    def handle(self, *args: Any, **options: Any) -> None:
        threads = int(options["threads"])
        batch_sizes = [int(size) for size in str(options["batch_sizes"]).split(",")]
        sentences = benchmark_sentences(data_dir=options["data"], count=int(options["sentences"]))
        embedders: dict[str, Embedder] = {
            "torch": TorchEmbedder(threads=threads),
            "onnx": OnnxEmbedder.from_packaged_model(threads=threads),
            "onnx-fp32": OnnxEmbedder.from_packaged_model(threads=threads, full_precision=True),
        }
        measurements = measure_embedders(
            embedders=embedders,
            reference="torch",
            sentences=sentences,
            batch_sizes=batch_sizes,
            repeats=int(options["repeats"]),
        )
        searches = measure_exact_search()
        if options["format"] == "json":
            self.stdout.write(
                json.dumps(
                    {
                        "threads": threads,
                        "sentences": len(sentences),
                        "embedders": [vars(measurement) for measurement in measurements],
                        "exact_search": [vars(search) for search in searches],
                    }
                )
            )
            return
        torch_speed = measurements[0].sentences_per_second
        self.stdout.write(f"{len(sentences)} sentences, {threads} thread(s) per backend; sentences/s, best pass")
        header = "".join(f"{'batch ' + str(size):>12}" for size in batch_sizes)
        self.stdout.write(f"{'backend':<12}{header}{'vs torch@32':>13}{'mean cos':>10}{'min cos':>9}  model version")
        for measurement in measurements:
            speeds = "".join(f"{measurement.sentences_per_second[size]:>12.0f}" for size in batch_sizes)
            ratio = ""
            if 32 in torch_speed:
                ratio = f"{measurement.sentences_per_second[32] / torch_speed[32]:.2f}x"
            self.stdout.write(
                f"{measurement.name:<12}{speeds}{ratio:>13}{measurement.mean_cosine_to_reference:>10.4f}"
                f"{measurement.min_cosine_to_reference:>9.4f}  {measurement.model_version}"
            )
        self.stdout.write("")
        self.stdout.write(f"{'exact search':<14}{'median ms':>10}{'p95 ms':>10}")
        for search in searches:
            self.stdout.write(
                f"{search.vectors:>10} vec{search.median_milliseconds:>10.2f}{search.p95_milliseconds:>10.2f}"
            )
