"""Fine-tuning the check-worthiness classifier (CPU, a quarter of an hour per epoch on one core).

Training reads `train.jsonl` and `dev.jsonl` and writes the artefact the scorer ships with. By
default the epoch and the decision thresholds are chosen on the dev sentences of one official
release (`selection_split`, the CheckThat! 2024 dev-test debates, the newest and closest to the
test debates); the other dev sentences are trained on. The test split is never read here.

The official training sentences are crowd-sourced and some labels are wrong: with `prune_with`
(the weights folder of an earlier model) the sentences that model scores confidently against
their label (further than `prune_margin`) are left out.
"""

import math
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import torch
from torch import nn
from transformers import AutoTokenizer

from claims.extraction.checkworthiness import base_model_path, base_model_version
from lab.checkworthiness import classifier as network
from lab.checkworthiness.evaluation import LabelledSentence, best_threshold, binary_metrics, load_split


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
    # official_split of the dev sentences that pick the epoch and thresholds; "" picks on all of dev
    # and trains on train.jsonl only.
    selection_split: str = "dev-test"
    prune_margin: float = 0.9
    # Train every encoder weight instead of LoRA updates (the artefact is then the whole encoder).
    full_finetune: bool = False
    # Share of train.jsonl sampled for training (the dev sentences outside the selection are always used).
    train_share: float = 1.0
    # Also pick among checkpoints every this many steps within an epoch (0: at the end of each epoch only).
    select_every: int = 0


def train_checkworthiness(
    *,
    data_dir: Path,
    config: TrainingConfig,
    output_dir: Path | None = None,
    prune_with: Path | None = None,
    init_from: Path | None = None,
    log: Callable[[str], None] = print,
) -> dict:
    """Train, pick the best epoch and thresholds on the selection sentences, save weights; return the report.

    With `init_from` the starting weights compete too, and `epochs=0` only re-picks their thresholds.
    """
    if config.epochs < 1 and init_from is None:
        raise ValueError("training from the packaged encoder needs at least one epoch")
    output_dir = output_dir or network.WEIGHTS_DIR
    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    random.seed(config.seed)
    np.random.seed(config.seed)

    dev_rest, dev = split_dev(load_split(data_dir, "dev"), selection_split=config.selection_split)
    train = load_split(data_dir, "train")
    if config.train_share < 1.0:
        train = random.sample(train, k=round(config.train_share * len(train)))
    train += dev_rest
    pruned = 0
    if prune_with is not None:
        kept = prune_noisy(train, scores=_int8_scores(train, weights_dir=prune_with), margin=config.prune_margin)
        pruned, train = len(train) - len(kept), kept
    tokenizer = AutoTokenizer.from_pretrained(str(base_model_path()))
    model = network.CheckworthinessClassifier(network.load_encoder())
    if config.full_finetune:
        parameters = list(model.parameters())
    else:
        parameters = network.add_lora(model, rank=config.lora_rank, alpha=config.lora_alpha)
    initial_training = None
    if init_from is not None:
        network.restore_trained_tensors(model, network.read_trained_tensors(directory=init_from))
        initial_training = network.Metadata.read(init_from / network.METADATA_PATH.name).training
    log(
        f"train {len(train)} sentences ({pruned} pruned), selection {len(dev)}; "
        f"{sum(p.numel() for p in parameters)} trainable parameters"
    )

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

    selection_labels = np.array([sentence.label for sentence in dev])
    started = time.monotonic()

    def metadata_for(*, threshold: float, checkpoint: str) -> network.Metadata:
        metrics = binary_metrics(labels=selection_labels, predictions=predict(dev) >= threshold)
        return network.Metadata(
            threshold=threshold,
            threshold_int8=threshold,
            max_length=config.max_length,
            lora_rank=0 if config.full_finetune else config.lora_rank,
            lora_alpha=config.lora_alpha,
            base_model=base_model_version(),
            training={
                "config": asdict(config),
                "data": str(data_dir),
                "selection": f"dev.jsonl official_split={config.selection_split}"
                if config.selection_split
                else "dev.jsonl",
                "train_sentences": len(train),
                "pruned": pruned,
                "pruned_with": str(prune_with) if prune_with is not None else None,
                "initialised_from": str(init_from) if init_from is not None else None,
                "initial_training": initial_training,
                "best_checkpoint": checkpoint,
                "selection_fp32": {name: round(value, 4) for name, value in metrics.items()},
                "seconds": round(time.monotonic() - started),
            },
        )

    steps_per_epoch = math.ceil(len(train) / config.batch_size)
    total_steps = steps_per_epoch * config.epochs
    warmup = max(1, int(config.warmup_share * total_steps))
    optimizer = torch.optim.AdamW(parameters, lr=config.learning_rate, weight_decay=config.weight_decay)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, step / warmup) * max(0.0, (total_steps - step) / (total_steps - warmup))
    )
    loss_function = nn.BCEWithLogitsLoss()
    best: dict = {"f1": -1.0}

    def select(checkpoint: str) -> None:
        nonlocal best
        threshold, f1 = best_threshold(labels=selection_labels, scores=predict(dev))
        log(f"{checkpoint}: selection F1 {f1:.4f} at threshold {threshold:.2f}")
        if f1 > best["f1"]:
            best = {
                "f1": f1,
                "threshold": threshold,
                "checkpoint": checkpoint,
                "tensors": network.trained_tensors(model),
            }
            # The best so far is on disk at once: a run stopped early still leaves a usable artefact.
            network.save_artefact(model, metadata_for(threshold=threshold, checkpoint=checkpoint), directory=output_dir)

    if init_from is not None:
        select("initial weights")
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
            if config.select_every and step % config.select_every == 0 and step < steps_per_epoch:
                select(f"epoch {epoch} step {step}")
        select(f"epoch {epoch}")

    network.restore_trained_tensors(model, best["tensors"])
    metadata = metadata_for(threshold=best["threshold"], checkpoint=best["checkpoint"])
    network.save_artefact(model, metadata, directory=output_dir)
    metadata = _pick_int8_threshold(metadata, dev=dev, weights_dir=output_dir, log=log)
    return metadata.training


def split_dev(
    dev: list[LabelledSentence], *, selection_split: str
) -> tuple[list[LabelledSentence], list[LabelledSentence]]:
    """(sentences to train on, sentences to select on): the selection part is one official release."""
    if not selection_split:
        return [], dev
    selection = [sentence for sentence in dev if sentence.official_split == selection_split]
    if not selection:
        raise ValueError(f"dev.jsonl holds no sentence with official_split {selection_split!r}")
    return [sentence for sentence in dev if sentence.official_split != selection_split], selection


def prune_noisy(sentences: list[LabelledSentence], *, scores: np.ndarray, margin: float) -> list[LabelledSentence]:
    """The sentences whose score lies within `margin` of their label (the others are likely mislabelled)."""
    labels = np.array([sentence.label for sentence in sentences], dtype=np.float32)
    keep = np.abs(np.asarray(scores) - labels) <= margin
    return [sentence for sentence, kept in zip(sentences, keep, strict=True) if kept]


def _int8_scores(sentences: list[LabelledSentence], *, weights_dir: Path) -> np.ndarray:
    from lab.checkworthiness.export import build_scorer

    scorer = build_scorer(variant="int8", weights_dir=weights_dir)
    return scorer.score([sentence.text for sentence in sentences])


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
    """Quantising moves scores a little; the served int8 model gets its own threshold, picked the same way."""
    scores = _int8_scores(dev, weights_dir=weights_dir)
    labels = np.array([sentence.label for sentence in dev])
    threshold, f1 = best_threshold(labels=labels, scores=scores)
    metrics = binary_metrics(labels=labels, predictions=scores >= threshold)
    log(f"int8 export: selection F1 {f1:.4f} at threshold {threshold:.2f}")
    training = {**metadata.training, "selection_int8": {name: round(value, 4) for name, value in metrics.items()}}
    updated = replace(metadata, threshold_int8=threshold, training=training)
    updated.write(weights_dir / "checkworthiness.json")
    return updated
