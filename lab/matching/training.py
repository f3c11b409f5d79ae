"""Fine-tuning the packaged sentence encoder on (query, matching verdict) pairs.

The loss is multiple-negatives ranking (in-batch softmax over cosine similarities, scale 20):
every other verdict in the batch, plus one mined hard negative per query, is a negative. It
needs only positive pairs, which is what claim-retrieval data provide. The loop is plain torch
so training needs nothing beyond the runtime dependencies.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import random
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from claims.similarity.embedder import MODEL_NAME, PACKAGE_NAME
from claims.similarity.onnx_export import MANIFEST_NAME, export_transformer_to_onnx, quantize_onnx_int8
from claims.similarity.text import clean_query
from lab.matching.evaluation import RetrievalQuery, VerifiedClaim, load_queries, load_verified_claims

logger = logging.getLogger(__name__)

FINE_TUNED_MODEL_FILE = "model.onnx"


@dataclass(frozen=True)
class TrainingPair:
    query: str
    positive_id: str
    positive: str
    hard_negative_id: str | None = None
    hard_negative: str | None = None


@dataclass(frozen=True)
class TrainingConfig:
    epochs: int = 2
    batch_size: int = 32
    learning_rate: float = 6e-5
    warmup_fraction: float = 0.1
    scale: float = 20.0
    weight_decay: float = 0.01
    seed: int = 13
    threads: int = 1
    max_seq_length: int = 128


def pick_hard_negative(*, ranked_ids: Sequence[str], relevant_ids: frozenset[str], skip_top: int = 0) -> str | None:
    """The best-ranked non-relevant document after `skip_top` ranks.

    Skipping the very top guards against unlabelled duplicates: the collections hold several
    near-identical verdicts, and the first "wrong" hit is often a second right answer.
    """
    wrong = [document_id for document_id in ranked_ids if document_id not in relevant_ids]
    return wrong[skip_top] if len(wrong) > skip_top else None


def fine_tune_encoder(
    *, pairs: Sequence[TrainingPair], base_model_path: Path, output_dir: Path, config: TrainingConfig
) -> Path:
    """Train from `base_model_path` on `pairs`; save a sentence-transformers model to `output_dir`."""
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)
    model = SentenceTransformer(str(base_model_path), device="cpu")
    model.max_seq_length = config.max_seq_length
    model.train()
    optimiser = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    steps_per_epoch = math.ceil(len(pairs) / config.batch_size)
    total_steps = steps_per_epoch * config.epochs
    warmup_steps = max(1, int(total_steps * config.warmup_fraction))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimiser,
        lambda step: min((step + 1) / warmup_steps, max(0.0, (total_steps - step) / (total_steps - warmup_steps))),
    )

    def embed(texts: list[str]) -> torch.Tensor:
        features = model.tokenize(texts)
        output = model(features)["sentence_embedding"]
        return torch.nn.functional.normalize(output, dim=-1)

    started = time.monotonic()
    for epoch in range(config.epochs):
        order = list(pairs)
        rng.shuffle(order)
        for step in range(steps_per_epoch):
            batch = order[step * config.batch_size : (step + 1) * config.batch_size]
            if len(batch) < 2:
                continue
            positive_ids = [pair.positive_id for pair in batch]
            documents = [pair.positive for pair in batch]
            document_ids = list(positive_ids)
            for pair in batch:
                if (
                    pair.hard_negative is not None
                    and pair.hard_negative_id is not None
                    and pair.hard_negative_id not in positive_ids
                ):
                    documents.append(pair.hard_negative)
                    document_ids.append(pair.hard_negative_id)
            query_vectors = embed([pair.query for pair in batch])
            document_vectors = embed(documents)
            logits = config.scale * query_vectors @ document_vectors.T
            # A second query about the same verdict in the batch must not count that verdict as a negative.
            same_document = torch.zeros_like(logits, dtype=torch.bool)
            for row, document_id in enumerate(positive_ids):
                for column, other in enumerate(document_ids):
                    same_document[row, column] = other == document_id and column != row
            logits = logits.masked_fill(same_document, float("-inf"))
            loss = torch.nn.functional.cross_entropy(logits, torch.arange(len(batch)))
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            scheduler.step()
            if step % 10 == 0:
                logger.info(
                    "epoch %d step %d/%d loss %.4f (%.0f s)",
                    epoch + 1,
                    step,
                    steps_per_epoch,
                    loss.item(),
                    time.monotonic() - started,
                )
    model.eval()
    output_dir.mkdir(parents=True, exist_ok=True)
    model.save(str(output_dir), create_model_card=False)
    (output_dir / "training.json").write_text(
        json.dumps({"config": asdict(config), "pairs": len(pairs)}, indent=2), encoding="utf-8"
    )
    return output_dir


def export_encoder_to_onnx(
    *,
    model_dir: Path,
    onnx_path: Path,
    quantize: bool = True,
    quantize_embeddings: bool = True,
    quantize_feed_forward_outputs: bool = True,
) -> Path:
    """Write `model_dir`'s transformer as ONNX at `onnx_path` (int8 unless `quantize` is false).

    By default everything is quantised, so a fine-tuned encoder kept in the repository stays small.
    """
    onnx_path.parent.mkdir(parents=True, exist_ok=True)
    if not quantize:
        export_transformer_to_onnx(source_model_path=model_dir, onnx_path=onnx_path)
        return onnx_path
    fp32_path = onnx_path.with_name(onnx_path.stem + ".fp32.onnx")
    export_transformer_to_onnx(source_model_path=model_dir, onnx_path=fp32_path)
    try:
        quantize_onnx_int8(
            fp32_path=fp32_path,
            int8_path=onnx_path,
            quantize_embeddings=quantize_embeddings,
            quantize_feed_forward_outputs=quantize_feed_forward_outputs,
        )
    finally:
        fp32_path.unlink(missing_ok=True)
    return onnx_path


def training_fingerprint(pairs: Sequence[TrainingPair]) -> str:
    """A short digest of the training pairs, recorded next to the weights they produced."""
    digest = hashlib.sha256()
    for pair in pairs:
        digest.update(f"{pair.query}\t{pair.positive_id}\t{pair.hard_negative_id}\n".encode())
    return digest.hexdigest()[:16]


def build_training_pairs(
    *,
    queries: Sequence[RetrievalQuery],
    claims: Sequence[VerifiedClaim],
    hard_negative_rankings: Mapping[str, Sequence[str]] | None = None,
) -> list[TrainingPair]:
    """One pair per (query, relevant claim), the query cleaned as at search time."""
    text_of = {claim.vclaim_id: claim.document_text for claim in claims}
    pairs = []
    for query in queries:
        hard_negative_id = None
        if hard_negative_rankings is not None:
            hard_negative_id = pick_hard_negative(
                ranked_ids=hard_negative_rankings.get(query.query_id, ()), relevant_ids=query.relevant_ids
            )
        for relevant_id in sorted(query.relevant_ids):
            pairs.append(
                TrainingPair(
                    query=clean_query(query.text),
                    positive_id=relevant_id,
                    positive=text_of[relevant_id],
                    hard_negative_id=hard_negative_id,
                    hard_negative=text_of.get(hard_negative_id) if hard_negative_id else None,
                )
            )
    return pairs


def train_matching_encoder(
    *,
    data_dir: Path,
    split: str,
    official_splits: Sequence[str] | None,
    output_dir: Path,
    model_name: str,
    config: TrainingConfig,
    hard_negatives: bool = True,
    work_dir: Path | None = None,
    bm25_weight: float | None = None,
) -> dict[str, object]:
    """Fine-tune the packaged encoder on a claim-retrieval split and write an int8 ONNX encoder folder.

    Hard negatives come from the plain hybrid retriever (packaged encoder + BM25). The folder holds
    `model.onnx` and `manifest.json` (model name, variant, training settings, data fingerprint);
    `embedder.load_encoder` reads it. The full-precision torch model stays in `work_dir` if given.
    `bm25_weight`, the fusion weight chosen for this recipe on held-out data, is recorded for
    the retrievers that use the encoder.
    """
    from claims.similarity.embedder import get_embedder, packaged_model_path
    from claims.similarity.retrieval import DENSE_METHOD, HybridRetriever

    queries = load_queries(data_dir=data_dir, split=split)
    if official_splits:
        queries = [query for query in queries if query.official_split in official_splits]
    if not queries:
        raise ValueError(f"No training queries in {data_dir / split} for official splits {official_splits}.")
    claims = load_verified_claims(data_dir=data_dir)
    rankings = None
    if hard_negatives:
        retriever = HybridRetriever(
            ids=[claim.vclaim_id for claim in claims],
            texts=[claim.document_text for claim in claims],
            embedders={DENSE_METHOD: get_embedder(backend="onnx")},
        )
        results = retriever.search_many([query.text for query in queries], k=10)
        rankings = {
            query.query_id: [str(result.id) for result in ranking]
            for query, ranking in zip(queries, results, strict=True)
        }
    pairs = build_training_pairs(queries=queries, claims=claims, hard_negative_rankings=rankings)
    output_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        torch_dir = work_dir or Path(scratch) / "torch"
        started = time.monotonic()
        fine_tune_encoder(pairs=pairs, base_model_path=packaged_model_path(), output_dir=torch_dir, config=config)
        training_seconds = time.monotonic() - started
        export_encoder_to_onnx(model_dir=torch_dir, onnx_path=output_dir / FINE_TUNED_MODEL_FILE)
    manifest: dict[str, object] = {
        "model_name": model_name,
        "model_file": FINE_TUNED_MODEL_FILE,
        "variant": "int8",
        "base_model": f"{PACKAGE_NAME}=={metadata.version(PACKAGE_NAME)}/{MODEL_NAME}",
        "training_data": {
            "folder": data_dir.name,
            "split": split,
            "official_splits": list(official_splits or []),
            "queries": len(queries),
            "pairs": len(pairs),
            "fingerprint": training_fingerprint(pairs),
            "hard_negatives": hard_negatives,
        },
        "training": asdict(config),
        "training_seconds": round(training_seconds),
    }
    if bm25_weight is not None:
        manifest["bm25_weight"] = bm25_weight
    (output_dir / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest
