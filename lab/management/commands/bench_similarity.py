"""Embedding throughput per backend, batch size and thread count, agreement with torch, and exact-search latency.

Every backend embeds the same sentences in the same batches: sorted by token length as the
production runner sorts them, one `encode` call per batch. Ratios are to torch in the same run
(same threads, same batch size); on a shared machine only ratios within one run compare.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from claims.similarity.embedder import Embedder, OnnxEmbedder, TorchEmbedder, create_embedder, packaged_model_path
from lab.matching.benchmark import (
    agreement,
    benchmark_sentences,
    encode_batches,
    load_int8_onnx_weights,
    measure_exact_search,
    runner_batches,
    time_batches,
)

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
REFERENCE = "torch"


def batched_copy(embedder: OnnxEmbedder) -> OnnxEmbedder:
    """The same int8 file run in batches, which the runner does not do for int8 files (a text's
    vector would depend on its batch-mates); shown for what batching would buy."""
    return OnnxEmbedder(
        model_file=embedder.model_file,
        tokenizer_file=embedder.tokenizer_file,
        model_version=embedder.model_version,
        threads=embedder.threads,
        quantized=False,
    )


class Command(BaseCommand):
    help = (
        "Benchmark the embedders (sentences/s at batch 1 and 32 on one and two threads, ratio to torch, "
        "cosine to torch) and exact search."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sentences", type=int, default=1024, help="How many distinct sentences each pass embeds.")
        parser.add_argument("--news", type=Path, default=DATA / "news" / "bbc_news_2225" / "articles.jsonl")
        parser.add_argument("--claims", type=Path, default=DATA / "claim_retrieval" / "clef2022_task2a_en")
        parser.add_argument("--threads", default="1,2", help="Thread counts (torch.set_num_threads, intra_op).")
        parser.add_argument("--batch-sizes", default="1,32")
        parser.add_argument("--repeats", type=int, default=1, help="Timed passes per cell; the best is kept.")
        parser.add_argument("--skip-search", action="store_true", help="Leave out the exact-search timings.")
        parser.add_argument("--format", default="text", choices=["text", "json"])

    def handle(self, *args: Any, **options: Any) -> None:
        import torch

        thread_counts = [int(count) for count in str(options["threads"]).split(",")]
        batch_sizes = [int(size) for size in str(options["batch_sizes"]).split(",")]
        sentences = benchmark_sentences(
            news_file=options["news"], claims_dir=options["claims"], count=int(options["sentences"])
        )
        tokenizer_file = packaged_model_path() / "tokenizer.json"
        batches = {
            size: runner_batches(sentences, tokenizer_file=tokenizer_file, batch_size=size) for size in batch_sizes
        }
        # Agreement is measured on the vectors of the largest batches at the first thread count.
        agreement_batches = batches[max(batch_sizes)]

        torch_embedder = TorchEmbedder(threads=thread_counts[0])
        rows: list[dict[str, Any]] = []
        agreements = []
        for threads in thread_counts:
            # Process-wide for torch; each ONNX session gets its own intra-op thread count.
            torch.set_num_threads(threads)
            served = create_embedder(backend="onnx", threads=threads)
            packaged = OnnxEmbedder.from_packaged_model(threads=threads)
            backends: list[tuple[str, Embedder, str]] = [
                (REFERENCE, torch_embedder, "packaged model, sentence-transformers")
            ]
            backends.append(("served", served, "what SIMILARITY_EMBEDDER=onnx serves"))
            if isinstance(served, OnnxEmbedder) and served.quantized:
                backends.append(("served, batched", batched_copy(served), "not served: vectors depend on batch-mates"))
            if served.model_version != packaged.model_version:
                backends.append(("packaged onnx", packaged, "packaged model exported to ONNX, as the runner runs it"))
                if packaged.quantized:
                    backends.append(("packaged, batched", batched_copy(packaged), "not served"))
            torch_speeds: dict[int, float] = {}
            for name, embedder, note in backends:
                for size in batch_sizes:
                    if size == 1 and name.endswith("batched"):
                        continue  # a batch of one is one text per run: the row above
                    speed = time_batches(embedder, batches[size], repeats=int(options["repeats"]))
                    if name == REFERENCE:
                        torch_speeds[size] = speed
                    self.stderr.write(f"{name}, {threads} thread(s), batch {size}: {speed:.1f} sentences/s")
                    rows.append(
                        {
                            "backend": name,
                            "note": note,
                            "model_version": embedder.model_version,
                            "threads": threads,
                            "batch_size": size,
                            "sentences_per_second": round(speed, 1),
                            "ratio_to_torch": round(speed / torch_speeds[size], 3),
                        }
                    )
                if threads == thread_counts[0]:
                    agreements.append((name, embedder))

        # Reference vectors: torch on the packaged weights, and for an int8 fine-tuned encoder
        # torch on its own weights dequantized (its fp32 weights were not kept).
        torch.set_num_threads(thread_counts[0])
        reference_vectors = {REFERENCE: encode_batches(torch_embedder, agreement_batches)}
        references = {}
        served = next(embedder for name, embedder in agreements if name == "served")
        packaged_version = OnnxEmbedder.from_packaged_model(threads=thread_counts[0]).model_version
        served_reference = REFERENCE
        if isinstance(served, OnnxEmbedder) and served.model_version != packaged_version and served.quantized:
            served_reference = "torch, same weights dequantized"
            fine_tuned = TorchEmbedder(threads=thread_counts[0])
            load_int8_onnx_weights(fine_tuned.model, model_file=served.model_file)
            reference_vectors[served_reference] = encode_batches(fine_tuned, agreement_batches)
        for name, embedder in agreements:
            references[name] = served_reference if name.startswith("served") else REFERENCE
            vectors = encode_batches(embedder, agreement_batches)
            agreements_row = agreement(
                name, vectors, reference=references[name], reference_vectors=reference_vectors[references[name]]
            )
            for row in rows:
                if row["backend"] == name:
                    row.update(
                        cosine_reference=agreements_row.reference,
                        mean_cosine=round(agreements_row.mean_cosine, 5),
                        min_cosine=round(agreements_row.min_cosine, 5),
                    )
        searches = [] if options["skip_search"] else measure_exact_search()
        if options["format"] == "json":
            payload = {
                "sentences": len(sentences),
                "embedders": rows,
                "exact_search": [vars(search) for search in searches],
            }
            self.stdout.write(json.dumps(payload, indent=2))
            return
        self.print_table(rows, sentences=len(sentences), batch_sizes=batch_sizes, thread_counts=thread_counts)
        if searches:
            self.stdout.write("")
            self.stdout.write(f"{'exact search':<14}{'median ms':>10}{'p95 ms':>10}")
            for search in searches:
                self.stdout.write(
                    f"{search.vectors:>10} vec{search.median_milliseconds:>10.2f}{search.p95_milliseconds:>10.2f}"
                )

    def print_table(
        self, rows: list[dict[str, Any]], *, sentences: int, batch_sizes: list[int], thread_counts: list[int]
    ) -> None:
        self.stdout.write(
            f"{sentences} sentences sorted by token length as the runner sorts them, sentences/s "
            "(ratio to torch in this run), warm-up excluded"
        )
        header = "".join(f"{'batch ' + str(size):>20}" for size in batch_sizes)
        self.stdout.write(f"{'backend':<19}{'thr':>4}{header}{'mean cos':>10}{'min cos':>9}  cosine against")
        names = list(dict.fromkeys(row["backend"] for row in rows))
        for name in names:
            for threads in thread_counts:
                cells = {row["batch_size"]: row for row in rows if row["backend"] == name and row["threads"] == threads}
                if not cells:
                    continue
                speeds = "".join(
                    f"{cells[size]['sentences_per_second']:>11.0f} ({cells[size]['ratio_to_torch']:.2f}x)"
                    if size in cells
                    else f"{'—':>20}"
                    for size in batch_sizes
                )
                first = next(iter(cells.values()))
                self.stdout.write(
                    f"{name:<19}{threads:>4}{speeds}{first['mean_cosine']:>10.4f}{first['min_cosine']:>9.4f}"
                    f"  {first['cosine_reference']}"
                )
        self.stdout.write("")
        for name in names:
            first = next(row for row in rows if row["backend"] == name)
            self.stdout.write(f"{name}: {first['note']}; {first['model_version']}")
