"""Fine-tuning the check-worthiness classifier (CPU, a quarter of an hour per epoch on one core).

Training reads `train.jsonl`, chooses the epoch and the decision thresholds on `dev.jsonl` only,
and writes the artefact the scorer ships with. The test split is never read here.
"""

import math
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import torch
from torch import nn
from transformers import AutoTokenizer

from claims.extraction import classifier as network
from claims.extraction.checkworthiness import base_model_path, base_model_version
from claims.extraction.evaluation import LabelledSentence, best_threshold, binary_metrics, load_split


@dataclass(frozen=True)
class TrainingConfig:
    epochs: int = 2
    learning_rate: float = 5e-4
    batch_size: int = 32
    lora_rank: int = 16
    lora_alpha: float = 32.0
    max_length: int = 96
    warmup_share: float = 0.06
    weight_decay: float = 0.01
    seed: int = 13
    threads: int = 1


def train_checkworthiness(
    *,
    data_dir: Path,
    config: TrainingConfig,
    output_dir: Path | None = None,
    log: Callable[[str], None] = print,
) -> dict:
    """Train, pick the best epoch and thresholds on dev, save weights; return the dev report."""
    output_dir = output_dir or network.WEIGHTS_DIR
    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    random.seed(config.seed)
    np.random.seed(config.seed)

    train = load_split(data_dir, "train")
    dev = load_split(data_dir, "dev")
    tokenizer = AutoTokenizer.from_pretrained(str(base_model_path()))
    model = network.CheckworthinessClassifier(network.load_encoder())
    parameters = network.add_lora(model, rank=config.lora_rank, alpha=config.lora_alpha)
    log(f"train {len(train)} sentences, dev {len(dev)}; {sum(p.numel() for p in parameters)} trainable parameters")

    def encode(texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        batch = tokenizer(texts, padding=True, truncation=True, max_length=config.max_length, return_tensors="pt")
        return batch["input_ids"], batch["attention_mask"]

    def predict(sentences: list[LabelledSentence]) -> np.ndarray:
        model.eval()
        scores = np.zeros(len(sentences), dtype=np.float32)
        order = np.argsort([len(sentence.text) for sentence in sentences])
        with torch.no_grad():
            for start in range(0, len(order), 128):
                indexes = order[start : start + 128]
                logits = model(*encode([sentences[index].text for index in indexes]))
                scores[indexes] = torch.sigmoid(logits).numpy()
        model.train()
        return scores

    steps_per_epoch = math.ceil(len(train) / config.batch_size)
    total_steps = steps_per_epoch * config.epochs
    warmup = max(1, int(config.warmup_share * total_steps))
    optimizer = torch.optim.AdamW(parameters, lr=config.learning_rate, weight_decay=config.weight_decay)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, step / warmup) * max(0.0, (total_steps - step) / (total_steps - warmup))
    )
    loss_function = nn.BCEWithLogitsLoss()
    dev_labels = np.array([sentence.label for sentence in dev])
    best: dict = {"f1": -1.0}
    started = time.monotonic()
    model.train()
    for epoch in range(1, config.epochs + 1):
        for step, batch in enumerate(_length_bucketed_batches(train, config.batch_size), start=1):
            input_ids, attention_mask = encode([sentence.text for sentence in batch])
            targets = torch.tensor([float(sentence.label) for sentence in batch])
            loss = loss_function(model(input_ids, attention_mask), targets)
            loss.backward()
            nn.utils.clip_grad_norm_(parameters, 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            if step % 100 == 0:
                elapsed = time.monotonic() - started
                log(f"epoch {epoch} step {step}/{steps_per_epoch} loss {loss.item():.3f} {elapsed:.0f}s")
        dev_scores = predict(dev)
        threshold, f1 = best_threshold(labels=dev_labels, scores=dev_scores)
        log(f"epoch {epoch}: dev F1 {f1:.4f} at threshold {threshold:.2f}")
        if f1 > best["f1"]:
            best = {"f1": f1, "threshold": threshold, "epoch": epoch, "tensors": network.trained_tensors(model)}

    network.restore_trained_tensors(model, best["tensors"])
    metrics = binary_metrics(labels=dev_labels, predictions=predict(dev) >= best["threshold"])
    metadata = network.Metadata(
        threshold=best["threshold"],
        threshold_int8=best["threshold"],
        max_length=config.max_length,
        lora_rank=config.lora_rank,
        lora_alpha=config.lora_alpha,
        base_model=base_model_version(),
        training={
            "config": asdict(config),
            "data": str(data_dir),
            "best_epoch": best["epoch"],
            "dev_fp32": {name: round(value, 4) for name, value in metrics.items()},
            "seconds": round(time.monotonic() - started),
        },
    )
    network.save_artefact(model, metadata, directory=output_dir)
    metadata = _pick_int8_threshold(metadata, dev=dev, weights_dir=output_dir, log=log)
    return metadata.training


def _length_bucketed_batches(sentences: list[LabelledSentence], batch_size: int) -> list[list[LabelledSentence]]:
    """Shuffled batches of similar-length sentences: padding to the longest costs little."""
    order = np.random.permutation(len(sentences))
    batches: list[list[LabelledSentence]] = []
    pool = batch_size * 50
    for start in range(0, len(order), pool):
        chunk = sorted(order[start : start + pool], key=lambda index: len(sentences[index].text))
        batches += [[sentences[index] for index in chunk[i : i + batch_size]] for i in range(0, len(chunk), batch_size)]
    random.shuffle(batches)
    return batches


def _pick_int8_threshold(
    metadata: network.Metadata, *, dev: list[LabelledSentence], weights_dir: Path, log: Callable[[str], None]
) -> network.Metadata:
    """Quantising moves scores a little; the served int8 model gets its own threshold, also from dev."""
    from claims.extraction.checkworthiness import OnnxScorer

    with tempfile.TemporaryDirectory() as model_dir:
        scorer = OnnxScorer(model_dir=Path(model_dir), quantized=True, threads=1, weights_dir=weights_dir)
        scores = scorer.score([sentence.text for sentence in dev])
    labels = np.array([sentence.label for sentence in dev])
    threshold, f1 = best_threshold(labels=labels, scores=scores)
    metrics = binary_metrics(labels=labels, predictions=scores >= threshold)
    log(f"int8 export: dev F1 {f1:.4f} at threshold {threshold:.2f}")
    training = {**metadata.training, "dev_int8": {name: round(value, 4) for name, value in metrics.items()}}
    updated = replace(metadata, threshold_int8=threshold, training=training)
    updated.write(weights_dir / "checkworthiness.json")
    return updated
